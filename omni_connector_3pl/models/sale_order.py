from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    omni_company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    omni_fulfilment_cost = fields.Monetary(
        string="Fulfilment Cost",
        currency_field="omni_company_currency_id",
        compute="_compute_omni_fulfilment_cost",
        groups="omni_connector_base.group_omni_user",
        help="What the 3PL charged for shipping this order, net of its refunds and credits, in "
        "the company's currency (each charge at its date's rate).",
    )

    def _compute_omni_fulfilment_cost(self):
        totals = dict(
            self.env["omni.dispatch.charge"]
            .sudo()
            ._read_group([("sale_id", "in", self.ids)], ["sale_id"], ["amount_company:sum"])
        )
        for order in self:
            order.omni_fulfilment_cost = totals.get(order, 0.0)
