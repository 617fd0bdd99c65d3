from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    omni_backend_id = fields.Many2one(
        "omni.backend",
        string="Channel Backend",
        index="btree_not_null",
        copy=False,
        check_company=True,
    )
    omni_channel = fields.Selection(related="omni_backend_id.channel", string="Channel", store=True)
    omni_external_ref = fields.Char(string="Channel Reference", index="btree_not_null", copy=False)


class StockPicking(models.Model):
    _inherit = "stock.picking"

    omni_channel = fields.Selection(related="sale_id.omni_channel", string="Channel", store=True)
    omni_external_ref = fields.Char(
        related="sale_id.omni_external_ref", string="Channel Reference", store=True
    )
