from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    omni_backend_id = fields.Many2one(
        "omni.backend",
        string="Channel Backend",
        index="btree_not_null",
        copy=False,
        readonly=True,
        check_company=True,
    )
    omni_channel = fields.Selection(related="omni_backend_id.channel", string="Channel", store=True)
    omni_external_ref = fields.Char(
        string="Channel Reference",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="The order's id in the channel.",
    )
    omni_order_ids = fields.One2many("omni.order", "sale_order_id", string="Channel Orders")
