from odoo import api, fields, models


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "omni.origin.mixin"]

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
        string="Channel Reference", index="btree_not_null", copy=False, readonly=True
    )

    @api.depends("invoice_line_ids.sale_line_ids.order_id.omni_order_ids")
    def _compute_omni_origin(self):
        return super()._compute_omni_origin()

    def _omni_origin_orders(self):
        """The channel orders of its sale orders (an invoice), or whose refund it credits."""
        return self.invoice_line_ids.sale_line_ids.order_id.omni_order_ids | self.env[
            "omni.order"
        ].search([("credit_note_ids", "in", self.ids)])
