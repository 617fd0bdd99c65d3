from odoo import _, api, fields, models
from odoo.exceptions import UserError

# The variance types the reconciliation reports (fixed list: reports and tests rely on it).
EXCEPTION_TYPES = [
    ("missing_in_odoo", "Missing in Odoo"),
    ("duplicate_order", "Duplicate Order"),
    ("amount_mismatch", "Amount Mismatch"),
    ("underpaid", "Underpaid"),
    ("overpaid", "Overpaid"),
    ("orphan_payment", "Orphan Payment"),
    ("refund_without_return", "Refund without Return"),
    ("return_without_refund", "Return without Refund"),
    ("undelivered", "Undelivered"),
    ("uninvoiced", "Uninvoiced"),
    ("unsettled_payment", "Unsettled Payment"),
    ("payout_mismatch", "Payout Mismatch"),
    ("payout_not_banked", "Payout not Banked"),
    ("fee_variance", "Fee Variance"),
    ("fx_variance", "FX Variance"),
    ("z_report_gap", "Z-Report Gap"),
    ("stock_drift", "Stock Drift"),
    ("unmapped", "Unmapped Record"),
]

SEVERITIES = [("low", "Low"), ("medium", "Medium"), ("high", "High")]

STATES = [
    ("open", "Open"),
    ("resolved", "Resolved"),
    ("explained", "Explained"),
    ("ignored", "Ignored"),
]


class OmniReconException(models.Model):
    """One variance between channel data and Odoo, to be worked by finance.

    Open exceptions are closed in one of three ways: *resolved* (the data was corrected),
    *explained* (the gap is legitimate, e.g. a known fee or timing difference) or *ignored*
    (not worth pursuing). Explaining or ignoring needs a resolution note; every state change
    is tracked in the chatter.
    """

    _name = "omni.recon.exception"
    _description = "Reconciliation Exception"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    exception_type = fields.Selection(
        EXCEPTION_TYPES, string="Type", required=True, index=True, tracking=True
    )
    severity = fields.Selection(SEVERITIES, required=True, default="medium", tracking=True)
    state = fields.Selection(
        STATES, required=True, default="open", index=True, tracking=True, copy=False
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    backend_id = fields.Many2one(
        "omni.backend", check_company=True, ondelete="restrict", index=True, tracking=True
    )
    channel = fields.Selection(related="backend_id.channel", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(
        string="Amount at stake",
        currency_field="currency_id",
        help="Size of the variance in the company currency.",
    )
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        index=True,
        help="Business date of the variance: order, payment or payout date.",
    )
    omni_order_id = fields.Many2one(
        "omni.order",
        string="Channel Order",
        check_company=True,
        ondelete="set null",
        index="btree_not_null",
    )
    omni_payment_id = fields.Many2one(
        "omni.payment",
        string="Channel Payment",
        check_company=True,
        ondelete="set null",
        index="btree_not_null",
    )
    omni_payout_id = fields.Many2one(
        "omni.payout",
        string="Payout",
        check_company=True,
        ondelete="set null",
        index="btree_not_null",
    )
    sale_order_id = fields.Many2one(
        "sale.order", check_company=True, ondelete="set null", index="btree_not_null"
    )
    move_id = fields.Many2one(
        "account.move",
        string="Journal Entry",
        check_company=True,
        ondelete="set null",
        index="btree_not_null",
    )
    explanation = fields.Text(
        string="Details", help="What was found: the figures on each side and where they differ."
    )
    user_id = fields.Many2one(
        "res.users",
        string="Assigned to",
        tracking=True,
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("omni_connector_base.group_omni_user").ids)
        ],
    )
    key = fields.Char(
        index=True,
        readonly=True,
        copy=False,
        help="Stable identity given by the engine (type and ids involved): re-runs update the "
        "same exception instead of raising a new one.",
    )
    run_id = fields.Many2one(
        "omni.recon.run", string="Last Run", readonly=True, ondelete="set null", copy=False
    )
    auto_closed = fields.Boolean(
        readonly=True,
        copy=False,
        help="Closed by the engine because the variance no longer held; reopened if it holds "
        "again.",
    )
    omni_event_id = fields.Many2one(
        "omni.event",
        string="Event",
        check_company=True,
        ondelete="set null",
        index="btree_not_null",
    )
    age_days = fields.Integer(
        string="Age (days)", compute="_compute_age_days", help="Days since the business date."
    )
    resolution_note = fields.Text(
        tracking=True,
        copy=False,
        help="How the exception was resolved, why the gap is legitimate, or why it is ignored.",
    )

    _sql_constraints = [
        (
            "company_key_uniq",
            "UNIQUE(company_id, key)",
            "An exception with this key already exists in this company.",
        ),
    ]

    @api.depends("date")
    def _compute_age_days(self):
        today = fields.Date.context_today(self)
        for exc in self:
            exc.age_days = (today - exc.date).days if exc.date else 0

    def _check_open(self):
        closed = self.filtered(lambda exc: exc.state != "open")
        if closed:
            raise UserError(
                _(
                    "Only open exceptions can be closed; already closed: %s",
                    ", ".join(closed.mapped("display_name")),
                )
            )

    def _check_resolution_note(self, state_label):
        missing = self.filtered(lambda exc: not (exc.resolution_note or "").strip())
        if missing:
            raise UserError(
                _(
                    "Write a resolution note before marking an exception as %(state)s: %(names)s",
                    state=state_label,
                    names=", ".join(missing.mapped("display_name")),
                )
            )

    def action_resolve(self):
        """The underlying data was corrected."""
        self._check_open()
        self.write({"state": "resolved"})
        return True

    def action_explain(self):
        """The gap is legitimate (a known fee, a timing difference...); the note says why."""
        self._check_open()
        self._check_resolution_note(_("explained"))
        self.write({"state": "explained"})
        return True

    def action_ignore(self):
        """Not worth pursuing; the note says why."""
        self._check_open()
        self._check_resolution_note(_("ignored"))
        self.write({"state": "ignored"})
        return True

    def action_reopen(self):
        self.filtered(lambda exc: exc.state != "open").write(
            {"state": "open", "auto_closed": False}
        )
        return True

    def action_assign_to_me(self):
        self.write({"user_id": self.env.uid})
        return True

    def _open_record(self, record):
        return record.get_formview_action() if record else False

    def action_open_omni_order(self):
        self.ensure_one()
        return self._open_record(self.omni_order_id)

    def action_open_sale_order(self):
        self.ensure_one()
        return self._open_record(self.sale_order_id)

    def action_open_move(self):
        self.ensure_one()
        return self._open_record(self.move_id)

    def action_open_payout(self):
        self.ensure_one()
        return self._open_record(self.omni_payout_id)

    def action_open_payment(self):
        self.ensure_one()
        return self._open_record(self.omni_payment_id)
