from odoo import fields, models


class OmniReconTolerance(models.Model):
    """How far apart two amounts in one currency may be before the reconciliation calls it a
    gap (rounding at the channel, cash rounding at the till...). Without a row, a currency
    gets the amount tolerance of the settings (the channel's own, else the company's), and
    never less than half its own rounding."""

    _name = "omni.recon.tolerance"
    _description = "Omnichannel Reconciliation Tolerance"
    _order = "company_id, currency_id"
    _rec_name = "currency_id"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one("res.currency", required=True)
    amount = fields.Monetary(
        string="Tolerance", required=True, help="Gaps up to this amount are not reported."
    )

    _sql_constraints = [
        (
            "company_currency_uniq",
            "UNIQUE(company_id, currency_id)",
            "This currency already has a tolerance in this company.",
        ),
        ("amount_positive", "CHECK(amount >= 0)", "A tolerance cannot be negative."),
    ]
