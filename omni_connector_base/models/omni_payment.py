from odoo import api, fields, models

PAYMENT_TYPES = [
    ("charge", "Charge"),
    ("refund", "Refund"),
    ("fee", "Fee"),
    ("dispute", "Dispute"),
    ("dispute_reversal", "Dispute Reversal"),
    ("adjustment", "Adjustment"),
    ("reserve", "Reserve"),
    ("payout", "Payout"),
    ("gift_card", "Gift Card"),
    ("cash", "Cash"),
    ("other", "Other"),
]


class OmniPayment(models.Model):
    """One money movement at a processor or till: charge, refund, fee, dispute, adjustment,
    payout leg. Gross, fee and net in the movement's currency, as the processor reported."""

    _name = "omni.payment"
    _description = "Omnichannel Payment"
    _order = "channel_created_at desc, id desc"
    _rec_name = "external_id"

    backend_id = fields.Many2one("omni.backend", required=True, ondelete="restrict", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    channel = fields.Selection(related="backend_id.channel", store=True)
    external_id = fields.Char(required=True, index=True)
    payment_type = fields.Selection(PAYMENT_TYPES, required=True, index=True)
    status = fields.Char()
    currency_id = fields.Many2one("res.currency", required=True)
    amount = fields.Monetary(help="Gross amount, signed from the merchant's point of view.")
    fee_amount = fields.Monetary()
    net_amount = fields.Monetary()
    exchange_rate = fields.Float(digits=(16, 8))
    processor = fields.Char(help="Gateway / processor, e.g. stripe, shopify_payments, cash.")
    processor_reference = fields.Char(
        index=True, help="The processor's id for this movement (e.g. a Stripe charge id)."
    )
    order_external_ref = fields.Char(index=True, help="Channel order id the movement is for.")
    order_id = fields.Many2one("omni.order", index="btree_not_null", ondelete="set null")
    payout_external_ref = fields.Char(index=True)
    payout_id = fields.Many2one("omni.payout", index="btree_not_null", ondelete="set null")
    channel_created_at = fields.Datetime(index=True)
    available_on = fields.Datetime()
    description = fields.Char()
    move_id = fields.Many2one("account.move", string="Settlement Entry", ondelete="set null")
    account_payment_id = fields.Many2one(
        "account.payment",
        string="Registered Payment",
        ondelete="set null",
        index="btree_not_null",
        help="The customer's money of this movement, registered in its gateway's journal "
        "(shared with its twin when the channel and the processor both report it).",
    )
    content_digest = fields.Char(help="Digest of the canonical movement, to skip unchanged ones.")

    _sql_constraints = [
        (
            "backend_external_uniq",
            "UNIQUE(backend_id, external_id)",
            "This channel payment is already stored.",
        ),
    ]

    @api.depends("external_id", "payment_type")
    def _compute_display_name(self):
        labels = dict(self._fields["payment_type"]._description_selection(self.env))
        for payment in self:
            payment.display_name = f"{labels.get(payment.payment_type, '')} {payment.external_id}"

    def action_open_journal_items(self):
        self.ensure_one()
        return self.env["omni.payout"]._journal_items_action(
            self.move_id | self.account_payment_id.move_id
        )
