from odoo import Command, _, api, fields, models
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
    ("payout_bank_mismatch", "Payout / Bank Mismatch"),
    ("bank_line_unmatched", "Bank Line Unmatched"),
    ("payment_not_received", "Payment not Received"),
    ("processor_amount_mismatch", "Processor Amount Mismatch"),
    ("fee_variance", "Fee Variance"),
    ("fx_variance", "FX Variance"),
    ("z_report_gap", "Z-Report Gap"),
    ("stock_drift", "Stock Drift"),
    ("unmapped", "Unmapped Record"),
]

SEVERITIES = [("low", "Low"), ("medium", "Medium"), ("high", "High")]

# The types with a fix of their own (the form's primary action), and the record it needs;
# ``True`` after the record: managers only.
FIXES = {
    "uninvoiced": ("sale_order_id", False),
    "return_without_refund": ("sale_order_id", False),
    "orphan_payment": ("omni_payment_id", True),
}

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
    _inherit = ["mail.thread", "mail.activity.mixin", "omni.audit.mixin"]
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
    rate_date = fields.Date(
        string="Converted at the Rates of",
        readonly=True,
        copy=False,
        help="The amount at stake is in the company currency, converted at the latest rates "
        "on or before this date: the end of the period of the run that last set it.",
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
    store_day_id = fields.Many2one(
        "omni.store.day",
        check_company=True,
        ondelete="set null",
        index="btree_not_null",
        help="The store's business day whose Z report differs from its transactions.",
    )
    stock_level_id = fields.Many2one(
        "omni.stock.level",
        string="Channel Stock Level",
        check_company=True,
        ondelete="set null",
        index="btree_not_null",
    )
    product_id = fields.Many2one("product.product", ondelete="set null", index="btree_not_null")
    age_days = fields.Integer(
        string="Age (days)", compute="_compute_age_days", help="Days since the business date."
    )
    has_fix = fields.Boolean(
        compute="_compute_has_fix",
        help="A button of its own fixes this open exception for this user (the form's primary "
        "action); otherwise the primary action is Resolve, once the data is corrected.",
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

    @api.depends("state", "exception_type", "sale_order_id", "omni_payment_id")
    @api.depends_context("uid")
    def _compute_has_fix(self):
        manager = self.env.user.has_group("omni_connector_base.group_omni_manager")
        for exc in self:
            needed, managers_only = FIXES.get(exc.exception_type, (None, False))
            exc.has_fix = bool(
                exc.state == "open" and needed and exc[needed] and (manager or not managers_only)
            )

    def _check_open(self):
        closed = self.filtered(lambda exc: exc.state != "open")
        if closed:
            raise UserError(
                _(
                    "Only open exceptions can be closed; already closed: %(names)s",
                    names=", ".join(closed.mapped("display_name")),
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
        self._omni_audit("exception_resolve", _("Resolved by %(user)s.", user=self.env.user.name))
        return True

    def action_explain(self):
        """The gap is legitimate (a known fee, a timing difference...); the note says why."""
        self._check_open()
        self._check_resolution_note(_("explained"))
        self.write({"state": "explained"})
        for exc in self:
            exc._omni_audit(
                "exception_explain",
                _(
                    "Explained by %(user)s: %(note)s",
                    user=self.env.user.name,
                    note=exc.resolution_note,
                ),
            )
        return True

    def action_ignore(self):
        """Not worth pursuing; the note says why."""
        self._check_open()
        self._check_resolution_note(_("ignored"))
        self.write({"state": "ignored"})
        for exc in self:
            exc._omni_audit(
                "exception_ignore",
                _(
                    "Ignored by %(user)s: %(note)s",
                    user=self.env.user.name,
                    note=exc.resolution_note,
                ),
            )
        return True

    def action_reopen(self):
        closed = self.filtered(lambda exc: exc.state != "open")
        closed.write({"state": "open", "auto_closed": False})
        closed._omni_audit("exception_reopen", _("Reopened by %(user)s.", user=self.env.user.name))
        return True

    def action_assign_to_me(self):
        self.write({"user_id": self.env.uid})
        self._omni_audit(
            "exception_assign",
            _("Taken by %(user)s.", user=self.env.user.name),
        )
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

    def action_open_store_day(self):
        self.ensure_one()
        return self._open_record(self.store_day_id)

    def action_open_stock_level(self):
        self.ensure_one()
        return self._open_record(self.stock_level_id)

    def action_open_product(self):
        self.ensure_one()
        return self._open_record(self.product_id)

    def action_open_event(self):
        self.ensure_one()
        return self._open_record(self.omni_event_id)

    # ------------------------------------------------------------------------------------
    # One-click fixes: each corrects the data, then re-checks so the exception closes
    # ------------------------------------------------------------------------------------

    def _recheck(self):
        """Re-run the engine on each exception's own scope (company, backend, business date)
        with the settings in force: a corrected variance closes at once, one that still holds
        stays open, and nothing outside that scope is touched."""
        scopes = {(exc.company_id.id, exc.backend_id.id, exc.date) for exc in self}
        runs = self.env["omni.recon.run"].create(
            [
                {
                    "company_id": company_id,
                    "backend_id": backend_id,
                    "date_from": date,
                    "date_to": date,
                }
                for company_id, backend_id, date in scopes
            ]
        )
        runs.with_context(omni_recon_no_action=True).action_run()
        return runs

    def _check_fix(self, types, record, label):
        self.ensure_one()
        self._check_open()
        if self.exception_type not in types:
            type_labels = dict(self._fields["exception_type"]._description_selection(self.env))
            raise UserError(
                _(
                    "%(action)s does not apply to a %(type)s exception.",
                    action=label,
                    type=type_labels[self.exception_type],
                )
            )
        if not record:
            raise UserError(_("%(action)s needs a linked sale order.", action=label))

    def _after_fix(self, moves, message, action):
        self.move_id = moves[:1]
        self._omni_audit(
            action, _("%(message)s By %(user)s.", message=message, user=self.env.user.name)
        )
        self._recheck()
        return moves.get_formview_action() if len(moves) == 1 else True

    def action_create_invoice(self):
        """Uninvoiced order: invoice what the sale order has to invoice and post it."""
        so = self.sale_order_id
        self._check_fix(("uninvoiced",), so, _("Create Invoice"))
        moves = so._create_invoices()
        moves.action_post()
        return self._after_fix(
            moves,
            _("Invoice %(names)s created and posted.", names=", ".join(moves.mapped("name"))),
            "exception_invoice",
        )

    def action_create_credit_note(self):
        """Goods came back but nothing was refunded: credit the returned quantities at the
        sale price, linked to the sale lines so the chain sees the credit."""
        so = self.sale_order_id
        self._check_fix(("return_without_refund",), so, _("Create Credit Note"))
        lines = []
        for sol in so.order_line.filtered(lambda line: not line.display_type):
            returned = sum(
                sol.move_ids.filtered(
                    lambda move: move.state == "done" and move.origin_returned_move_id
                ).mapped("quantity")
            )
            if returned:
                lines.append(Command.create(sol._prepare_invoice_line(quantity=returned)))
        if not lines:
            raise UserError(_("Sale order %(name)s has no returned goods to credit.", name=so.name))
        refund = self.env["account.move"].create(
            dict(so._prepare_invoice(), move_type="out_refund", invoice_line_ids=lines)
        )
        refund.action_post()
        return self._after_fix(
            refund,
            _("Credit note %(name)s created and posted.", name=refund.name),
            "exception_credit_note",
        )

    def action_link_payment(self):
        """Orphan payment: pick the channel order it belongs to."""
        self.ensure_one()
        self._check_open()
        if self.exception_type != "orphan_payment" or not self.omni_payment_id:
            raise UserError(_("Only an orphan payment can be linked to an order."))
        return {
            "type": "ir.actions.act_window",
            "name": _("Link Payment to an Order"),
            "res_model": "omni.recon.link.payment.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_exception_id": self.id},
        }

    def action_close_with_note(self):
        """Explain or ignore with a note, from a dialog (one or many exceptions)."""
        self._check_open()
        return {
            "type": "ir.actions.act_window",
            "name": _("Close Exceptions"),
            "res_model": "omni.recon.close.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_exception_ids": self.ids,
                "default_state": self.env.context.get("close_state", "explained"),
            },
        }

    def action_assign(self):
        """Assign one or many exceptions to a user (who gets an activity)."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Assign Exceptions"),
            "res_model": "omni.recon.assign.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_exception_ids": self.ids},
        }
