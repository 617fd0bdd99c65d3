from odoo import api, fields, models


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "omni.origin.mixin"]

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

    @api.depends("omni_order_ids")
    def _compute_omni_origin(self):
        return super()._compute_omni_origin()

    def _omni_origin_orders(self):
        return self.omni_order_ids

    def _prepare_invoice(self):
        """Its invoices (and credit notes) say which channel order they bill, however they are
        made: Odoo's invoicing wizard, an exception's fix, an invoicing policy."""
        values = super()._prepare_invoice()
        if self.omni_backend_id:
            values.update(
                omni_backend_id=self.omni_backend_id.id, omni_external_ref=self.omni_external_ref
            )
        return values

    def action_confirm(self):
        # Channel orders keep their date on confirmation, others get Odoo's: one dict of
        # confirmation values serves a whole recordset, so a mixed one is confirmed in two.
        channel_orders = self.filtered("omni_backend_id")
        if channel_orders and channel_orders != self:
            super(SaleOrder, self - channel_orders).action_confirm()
            return super(SaleOrder, channel_orders).action_confirm()
        return super().action_confirm()

    def _prepare_confirmation_values(self):
        """A channel order was placed when the channel says (its ``date_order``, set at its
        import), not when Odoo confirms it: the SLA checks and the sales reports count from
        that date, and its procurements are planned from it."""
        values = super()._prepare_confirmation_values()
        if self and all(order.omni_backend_id for order in self):
            values.pop("date_order", None)
        return values
