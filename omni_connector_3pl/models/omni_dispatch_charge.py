from odoo import fields, models


class OmniDispatchCharge(models.Model):
    """A 3PL's billing transaction (fulfilment, shipping, return fees, refunds, credits), in
    its currency and in the company's at the charge date: the fulfilment cost of the order
    whose shipment it names."""

    _name = "omni.dispatch.charge"
    _description = "3PL Charge"
    _order = "charged_on desc, id desc"
    _check_company_auto = True

    backend_id = fields.Many2one(
        "omni.backend", required=True, readonly=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    external_id = fields.Char(string="3PL Transaction", required=True, readonly=True)
    kind = fields.Selection(
        [("charge", "Charge"), ("refund", "Refund"), ("credit", "Credit")],
        required=True,
        readonly=True,
    )
    fee_type = fields.Char(readonly=True, help="The 3PL's invoice type (Shipping, Return...).")
    reference_type = fields.Char(readonly=True)
    reference = fields.Char(readonly=True, help="The 3PL's id of what is charged.")
    shipment_id = fields.Many2one("omni.dispatch.shipment", readonly=True, ondelete="set null")
    dispatch_id = fields.Many2one(
        "omni.dispatch", readonly=True, ondelete="set null", index="btree_not_null"
    )
    sale_id = fields.Many2one(
        "sale.order", readonly=True, ondelete="set null", index="btree_not_null"
    )
    charged_on = fields.Date(required=True, readonly=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    amount = fields.Monetary(
        readonly=True, help="Cost in the 3PL's currency: refunds and credits are negative."
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    amount_company = fields.Monetary(
        string="Amount (company currency)",
        currency_field="company_currency_id",
        readonly=True,
        help="Converted at the company's rate of the charge date.",
    )

    _sql_constraints = [
        (
            "backend_external_uniq",
            "UNIQUE(backend_id, external_id)",
            "This 3PL transaction is already recorded.",
        ),
    ]
