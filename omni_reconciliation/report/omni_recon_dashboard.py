from odoo import _, api, fields, models, tools
from odoo.tools.misc import format_date

# Which exception types each dashboard figure counts.
UNPOSTED_TYPES = ("missing_in_odoo", "uninvoiced")
UNMATCHED_PAYMENT_TYPES = ("orphan_payment", "unsettled_payment", "payout_not_banked")
DELAYED_RETURN_TYPES = ("refund_without_return", "return_without_refund")
STOCK_TYPES = ("stock_drift",)


class OmniReconDashboard(models.Model):
    """Finance's reconciliation dashboard, one row per company (id = company id): open
    exceptions by age, amount at stake, unposted orders, unmatched payments, delayed returns,
    inventory variance, the last run and the health of the pipeline feeding it. An SQL view,
    so it is always current and costs nothing to keep."""

    _name = "omni.recon.dashboard"
    _description = "Reconciliation Dashboard"
    _auto = False
    _rec_name = "company_id"

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    open_count = fields.Integer(string="Open Exceptions", readonly=True)
    open_amount = fields.Monetary(string="Amount at Stake", readonly=True)
    high_count = fields.Integer(string="High Severity", readonly=True)
    unassigned_count = fields.Integer(string="Unassigned", readonly=True)
    age_0_7_count = fields.Integer(string="≤ 7 days", readonly=True)
    age_8_30_count = fields.Integer(string="8-30 days", readonly=True)
    age_31_count = fields.Integer(string="> 30 days", readonly=True)
    unposted_count = fields.Integer(string="Unposted Orders", readonly=True)
    unposted_amount = fields.Monetary(readonly=True)
    unmatched_count = fields.Integer(string="Unmatched Payments", readonly=True)
    unmatched_amount = fields.Monetary(readonly=True)
    return_count = fields.Integer(string="Delayed Returns", readonly=True)
    return_amount = fields.Monetary(string="Delayed Returns Amount", readonly=True)
    stock_count = fields.Integer(string="Stock Drifts", readonly=True)
    stock_amount = fields.Monetary(string="Inventory Variance", readonly=True)
    # The amounts at stake are in the company currency, each converted by the run that set it.
    rate_date_from = fields.Date(readonly=True)
    rate_date_to = fields.Date(readonly=True)
    conversion_note = fields.Char(compute="_compute_conversion_note")
    last_run_id = fields.Many2one("omni.recon.run", readonly=True)
    last_run_at = fields.Datetime(readonly=True)
    last_run_duration = fields.Float(string="Duration (s)", digits=(16, 3), readonly=True)
    last_run_state = fields.Selection(
        [("draft", "Draft"), ("done", "Done"), ("failed", "Failed")], readonly=True
    )
    event_pending_count = fields.Integer(string="Events Waiting", readonly=True)
    event_failed_count = fields.Integer(string="Events Failed", readonly=True)
    event_dead_count = fields.Integer(string="Events Dead-lettered", readonly=True)
    event_24h_count = fields.Integer(string="Events (24 h)", readonly=True)
    job_failed_count = fields.Integer(string="Jobs Failed", readonly=True)
    stream_stalled_count = fields.Integer(
        string="Streams Stalled",
        compute="_compute_stream_stalled_count",
        help="Pulls retried or failing without progress for longer than their backend's stall "
        "threshold.",
    )
    type_line_ids = fields.One2many(
        "omni.recon.dashboard.type", "dashboard_id", string="By Type", readonly=True
    )
    channel_line_ids = fields.One2many(
        "omni.recon.dashboard.channel", "dashboard_id", string="By Channel", readonly=True
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)

        self.env.cr.execute(
            """
            CREATE OR REPLACE VIEW omni_recon_dashboard AS (
            WITH exc AS (
                SELECT e.company_id,
                       COUNT(*) AS open_count,
                       COALESCE(SUM(e.amount), 0) AS open_amount,
                       COUNT(*) FILTER (WHERE e.severity = 'high') AS high_count,
                       COUNT(*) FILTER (WHERE e.user_id IS NULL) AS unassigned_count,
                       COUNT(*) FILTER (WHERE e.date >= CURRENT_DATE - 7) AS age_0_7_count,
                       COUNT(*) FILTER (WHERE e.date < CURRENT_DATE - 7
                                          AND e.date >= CURRENT_DATE - 30) AS age_8_30_count,
                       COUNT(*) FILTER (WHERE e.date < CURRENT_DATE - 30) AS age_31_count,
                       COUNT(*) FILTER (WHERE e.exception_type = ANY(%(unposted)s))
                           AS unposted_count,
                       COALESCE(SUM(e.amount) FILTER (
                           WHERE e.exception_type = ANY(%(unposted)s)), 0)
                           AS unposted_amount,
                       COUNT(*) FILTER (
                           WHERE e.exception_type = ANY(%(unmatched)s))
                           AS unmatched_count,
                       COALESCE(SUM(e.amount) FILTER (
                           WHERE e.exception_type = ANY(%(unmatched)s)), 0)
                           AS unmatched_amount,
                       COUNT(*) FILTER (WHERE e.exception_type = ANY(%(returns)s))
                           AS return_count,
                       COALESCE(SUM(e.amount) FILTER (
                           WHERE e.exception_type = ANY(%(returns)s)), 0)
                           AS return_amount,
                       COUNT(*) FILTER (WHERE e.exception_type = ANY(%(stock)s))
                           AS stock_count,
                       COALESCE(SUM(e.amount) FILTER (
                           WHERE e.exception_type = ANY(%(stock)s)), 0) AS stock_amount,
                       MIN(e.rate_date) AS rate_date_from,
                       MAX(e.rate_date) AS rate_date_to
                  FROM omni_recon_exception e
                 WHERE e.state = 'open'
              GROUP BY e.company_id
            ),
            last_run AS (
                SELECT DISTINCT ON (r.company_id) r.company_id, r.id, r.started_at,
                       r.duration, r.state
                  FROM omni_recon_run r
                 WHERE r.state <> 'draft'
              ORDER BY r.company_id, r.id DESC
            ),
            ev AS (
                SELECT e.company_id,
                       COUNT(*) FILTER (WHERE e.state IN ('received', 'waiting'))
                           AS event_pending_count,
                       COUNT(*) FILTER (WHERE e.state = 'failed') AS event_failed_count,
                       COUNT(*) FILTER (WHERE e.state = 'dead') AS event_dead_count,
                       COUNT(*) FILTER (WHERE e.received_at >= (now() at time zone 'utc')
                                        - interval '24 hours') AS event_24h_count
                  FROM omni_event e
              GROUP BY e.company_id
            ),
            jobs AS (
                SELECT j.company_id, COUNT(*) AS job_failed_count
                  FROM queue_job j
                 WHERE j.state = 'failed'
                   AND (j.channel = 'root.omni' OR j.channel LIKE 'root.omni.%%')
              GROUP BY j.company_id
            )
            SELECT c.id, c.id AS company_id, c.currency_id,
                   COALESCE(exc.open_count, 0) AS open_count,
                   COALESCE(exc.open_amount, 0) AS open_amount,
                   COALESCE(exc.high_count, 0) AS high_count,
                   COALESCE(exc.unassigned_count, 0) AS unassigned_count,
                   COALESCE(exc.age_0_7_count, 0) AS age_0_7_count,
                   COALESCE(exc.age_8_30_count, 0) AS age_8_30_count,
                   COALESCE(exc.age_31_count, 0) AS age_31_count,
                   COALESCE(exc.unposted_count, 0) AS unposted_count,
                   COALESCE(exc.unposted_amount, 0) AS unposted_amount,
                   COALESCE(exc.unmatched_count, 0) AS unmatched_count,
                   COALESCE(exc.unmatched_amount, 0) AS unmatched_amount,
                   COALESCE(exc.return_count, 0) AS return_count,
                   COALESCE(exc.return_amount, 0) AS return_amount,
                   COALESCE(exc.stock_count, 0) AS stock_count,
                   COALESCE(exc.stock_amount, 0) AS stock_amount,
                   exc.rate_date_from, exc.rate_date_to,
                   lr.id AS last_run_id, lr.started_at AS last_run_at,
                   lr.duration AS last_run_duration, lr.state AS last_run_state,
                   COALESCE(ev.event_pending_count, 0) AS event_pending_count,
                   COALESCE(ev.event_failed_count, 0) AS event_failed_count,
                   COALESCE(ev.event_dead_count, 0) AS event_dead_count,
                   COALESCE(ev.event_24h_count, 0) AS event_24h_count,
                   COALESCE(jobs.job_failed_count, 0) AS job_failed_count
              FROM res_company c
              LEFT JOIN exc ON exc.company_id = c.id
              LEFT JOIN last_run lr ON lr.company_id = c.id
              LEFT JOIN ev ON ev.company_id = c.id
              LEFT JOIN jobs ON jobs.company_id = c.id
            )
            """,
            {
                "unposted": list(UNPOSTED_TYPES),
                "unmatched": list(UNMATCHED_PAYMENT_TYPES),
                "returns": list(DELAYED_RETURN_TYPES),
                "stock": list(STOCK_TYPES),
            },
        )

    def _compute_stream_stalled_count(self):
        # time-dependent (the threshold runs on the clock): computed at read, not in the view
        stalled = self.env["omni.backend.stream"].search([("is_stalled", "=", True)])
        for dashboard in self:
            dashboard.stream_stalled_count = len(
                stalled.filtered(lambda s, d=dashboard: s.company_id == d.company_id)
            )

    def action_open_stalled_streams(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "omni_connector_base.omni_backend_stream_action"
        )
        action["domain"] = [("company_id", "=", self.company_id.id)]
        action["context"] = {"search_default_filter_stalled": 1}
        return action

    @api.depends("currency_id", "rate_date_from", "rate_date_to")
    def _compute_conversion_note(self):
        for dash in self:
            first, last = dash.rate_date_from, dash.rate_date_to
            if not last:
                dash.conversion_note = False
            elif first == last:
                dash.conversion_note = _(
                    "Amounts in %(currency)s, converted at the rates of %(date)s.",
                    currency=dash.currency_id.name,
                    date=format_date(self.env, last),
                )
            else:
                dash.conversion_note = _(
                    "Amounts in %(currency)s, each converted at the rates of the end of the "
                    "period of the run that found it, from %(first)s to %(last)s.",
                    currency=dash.currency_id.name,
                    first=format_date(self.env, first),
                    last=format_date(self.env, last),
                )

    def action_open_exceptions(self):
        """Open exceptions of this company, narrowed by the context (types, age, group-by)."""
        self.ensure_one()
        ctx = self.env.context
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "omni_reconciliation.omni_recon_exception_action"
        )
        domain = [("company_id", "=", self.company_id.id), ("state", "=", "open")]
        if ctx.get("recon_types"):
            domain.append(("exception_type", "in", ctx["recon_types"]))
        action["domain"] = domain
        action["context"] = {
            key: value for key, value in ctx.items() if key.startswith("search_default_")
        }
        if ctx.get("recon_types"):
            Exception_ = self.env["omni.recon.exception"]
            labels = dict(Exception_._fields["exception_type"]._description_selection(self.env))
            action["name"] = ", ".join(labels[t] for t in ctx["recon_types"])
        return action

    def action_open_last_run(self):
        self.ensure_one()
        return self.last_run_id.get_formview_action() if self.last_run_id else False

    def action_open_events(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Failed Events"),
            "res_model": "omni.event",
            "view_mode": "tree,form",
            "domain": [
                ("company_id", "=", self.company_id.id),
                ("state", "in", ("failed", "dead")),
            ],
        }

    def action_run_reconciliation(self):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "omni_reconciliation.omni_recon_run_wizard_action"
        )

    def action_open_dashboard(self):
        """Menu entry: the current company's dashboard."""
        self.env.flush_all()
        return {
            "type": "ir.actions.act_window",
            "name": _("Reconciliation Dashboard"),
            "res_model": self._name,
            "res_id": self.env.company.id,
            "view_mode": "form",
            "views": [
                (self.env.ref("omni_reconciliation.omni_recon_dashboard_view_form").id, "form")
            ],
            "target": "current",
        }
