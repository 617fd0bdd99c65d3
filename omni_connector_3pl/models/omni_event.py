from odoo import fields, models


class OmniEvent(models.Model):
    _inherit = "omni.event"

    omni_dispatch_shipment_id = fields.Many2one(
        "omni.dispatch.shipment", string="3PL Shipment", readonly=True, index="btree_not_null"
    )
