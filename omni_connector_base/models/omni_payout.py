from odoo import fields, models


class OmniPayout(models.Model):
    """A settlement from a processor to the bank, with the movements it pays out."""

    _name = "omni.payout"
    _description = "Omnichannel Payout"
    _order = "arrival_date desc, id desc"
    _rec_name = "external_id"

    backend_id = fields.Many2one("omni.backend", required=True, ondelete="restrict", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    channel = fields.Selection(related="backend_id.channel", store=True)
    external_id = fields.Char(required=True, index=True)
    currency_id = fields.Many2one("res.currency", required=True)
    amount = fields.Monetary()
    fee_amount = fields.Monetary()
    status = fields.Char(index=True)
    channel_created_at = fields.Datetime()
    arrival_date = fields.Datetime(index=True)
    trace = fields.Char(help="Bank trace / statement descriptor used to find it in the bank.")
    payment_ids = fields.One2many("omni.payment", "payout_id")
    payment_count = fields.Integer(compute="_compute_payment_count")
    move_id = fields.Many2one("account.move", string="Journal Entry", ondelete="set null")
    statement_line_id = fields.Many2one(
        "account.bank.statement.line", string="Bank Statement Line", ondelete="set null"
    )

    _sql_constraints = [
        (
            "backend_external_uniq",
            "UNIQUE(backend_id, external_id)",
            "This payout is already stored.",
        ),
    ]

    def _compute_payment_count(self):
        counts = dict(
            self.env["omni.payment"]._read_group(
                [("payout_id", "in", self.ids)], ["payout_id"], ["__count"]
            )
        )
        for payout in self:
            payout.payment_count = counts.get(payout, 0)
