import logging
import time
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round, formatLang

from odoo.addons.queue_job.job import identity_exact

from .. import engine

_logger = logging.getLogger(__name__)

LOCK_NAMESPACE = 72_617  # pg advisory lock namespace of the reconciliation (one run per company)


class OmniReconRun(models.Model):
    """One reconciliation run: a company, a period, optionally one backend.

    ``action_run`` computes every candidate exception with set-based SQL (the ``engine``
    package) and merges them into ``omni.recon.exception`` idempotently.
    """

    _name = "omni.recon.run"
    _description = "Reconciliation Run"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    backend_id = fields.Many2one(
        "omni.backend", check_company=True, help="Leave empty to reconcile every backend."
    )
    date_from = fields.Date(
        required=True, default=lambda self: fields.Date.context_today(self) - timedelta(days=90)
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Done"), ("failed", "Failed")],
        default="draft",
        required=True,
        readonly=True,
    )
    # The settings are configuration (the company's, or a backend's own): the run records
    # what it applied. A run may check some exception types only (a module reconciling one
    # family on its own schedule): it then closes exceptions of those types only.
    check_types = fields.Json(
        readonly=True, help="The exception types this run checks; empty for every type."
    )
    settings_used = fields.Text(readonly=True, help="The settings applied, per channel.")
    # Results
    started_at = fields.Datetime(readonly=True)
    duration = fields.Float(string="Duration (s)", digits=(16, 3), readonly=True)
    candidate_count = fields.Integer(string="Found", readonly=True)
    created_count = fields.Integer(string="New", readonly=True)
    updated_count = fields.Integer(string="Updated", readonly=True)
    reopened_count = fields.Integer(string="Reopened", readonly=True)
    closed_count = fields.Integer(string="Auto-closed", readonly=True)
    count_by_type = fields.Json(readonly=True)
    summary = fields.Text(readonly=True)
    error_message = fields.Text(readonly=True)
    exception_ids = fields.One2many("omni.recon.exception", "run_id", string="Exceptions")

    @api.depends("company_id", "backend_id", "date_from", "date_to")
    def _compute_name(self):
        for run in self:
            run.name = _(
                "%(company)s · %(scope)s · %(date_from)s → %(date_to)s",
                company=run.company_id.name,
                scope=run.backend_id.name or _("all backends"),
                date_from=run.date_from,
                date_to=run.date_to,
            )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for run in self:
            if run.date_from and run.date_to and run.date_from > run.date_to:
                raise UserError(_("The period of a reconciliation run ends before it starts."))

    # ------------------------------------------------------------------------------------
    # Engine
    # ------------------------------------------------------------------------------------

    def _sql_params(self):
        """The parameters of the run's SQL that every channel shares."""
        self.ensure_one()
        currency = self.company_id.currency_id
        # The company's language, not the user's: a run by a user of another language would
        # otherwise rewrite (and track) the title of every open exception.
        lang = self.company_id.partner_id.lang or self.env.lang or "en_US"
        return {
            **self.with_context(lang=lang)._sql_texts(),
            "lang": lang,
            "company": self.company_id.id,
            "company_currency": currency.id,
            "date_from": self.date_from,
            "date_to": self.date_to,
            # the clock the SLAs are measured with: now, unless the caller reconciles the
            # books as they stood at another time (a benchmark comparing two engines)
            "as_of": self.env.context.get("omni_recon_as_of") or fields.Datetime.now(),
            "digits": currency.decimal_places,
            "run": self.id,
            "uid": self.env.uid,
        }

    def _backends(self):
        """The channels in scope: the run's, or every channel of the company (archived ones
        too: their open exceptions are reconciled like the others)."""
        self.ensure_one()
        if self.backend_id:
            return self.backend_id
        return (
            self.env["omni.backend"]
            .with_context(active_test=False)
            .search([("company_id", "=", self.company_id.id)], order="id")
        )

    def _sql_settings(self, backends):
        """The settings of each channel in scope (its own, else its company's), by backend id,
        as the engine's SQL parameters."""
        half_rounding = self.company_id.currency_id.rounding / 2.0
        settings = {}
        for backend in backends:
            values = backend._omni_recon_settings()
            values["tolerance"] = max(values["tolerance"] or 0.0, half_rounding)
            values["fx_pct"] = values["fx_pct"] or 0.0
            settings[backend.id] = values
        return settings

    def _describe_settings(self, backends, settings):
        """What the run applied to each channel, for the record (``settings_used``)."""
        currency = self.company_id.currency_id
        lines = []
        for backend in backends:
            values = settings[backend.id]
            lines.append(
                _(
                    "%(backend)s (%(origin)s): tolerance %(tolerance)s, delivery SLA "
                    "%(delivery)s day(s), invoicing SLA %(invoice)s day(s), settlement grace "
                    "%(grace)s day(s), bank delay %(bank)s day(s), FX tolerance %(fx)s%%, high "
                    "severity from %(high)s",
                    backend=backend.name,
                    origin=_("own settings") if backend.omni_recon_own_settings else _("company"),
                    tolerance=formatLang(self.env, values["tolerance"], digits=4),
                    delivery=values["delivery_sla"],
                    invoice=values["invoice_sla"],
                    grace=values["settlement_grace"],
                    bank=values["bank_days"],
                    fx=formatLang(self.env, values["fx_pct"]),
                    high=formatLang(self.env, values["high_amount"], currency_obj=currency),
                )
            )
        return "\n".join(lines)

    def _sql_texts(self):
        """The sentences of the engine's checks in the language of ``self.env`` (which ``_lt``
        reads from the calling method's ``self``), by SQL parameter."""
        texts = {}
        for param, text in engine.TEXTS.items():
            texts[param] = str(text)
        return texts

    def action_run(self):
        """Compute the exceptions of the run's scope and merge them (idempotent)."""
        for run in self:
            run._run()
        if len(self) == 1 and not self.env.context.get("omni_recon_no_action"):
            return self.action_open_exceptions()
        return True

    def _run(self):
        self.ensure_one()
        cr = self.env.cr
        cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", (LOCK_NAMESPACE, self.company_id.id))
        if not cr.fetchone()[0]:
            raise UserError(_("A reconciliation run is already in progress for this company."))
        self.env.flush_all()  # the SQL reads what the ORM may still hold in memory
        start = time.monotonic()
        params = self._sql_params()
        backends = self._backends()
        settings = self._sql_settings(backends)
        note = _("Closed automatically by run %(run)s: the variance no longer holds.", run=self.id)
        outcome = engine.run(cr, params, settings, note, types=self.check_types or None)
        Exception_ = self.env["omni.recon.exception"]
        Exception_.invalidate_model()
        # Chatter traces for state changes made by the engine (exceptions, not population).
        if outcome.closed:
            Exception_.browse(outcome.closed)._message_log_batch(
                dict.fromkeys(outcome.closed, note)
            )
        if outcome.reopened:
            reopen_note = _("Reopened by run %(run)s: the variance holds again.", run=self.id)
            Exception_.browse(outcome.reopened)._message_log_batch(
                dict.fromkeys(outcome.reopened, reopen_note)
            )
        duration = time.monotonic() - start
        counts = {
            "candidate_count": sum(outcome.count_by_type.values()),
            "created_count": len(outcome.created),
            "updated_count": len(outcome.updated),
            "reopened_count": len(outcome.reopened),
            "closed_count": len(outcome.closed),
        }
        self.write(
            dict(
                counts,
                state="done",
                started_at=params["as_of"],
                duration=float_round(duration, 3),
                count_by_type=outcome.count_by_type,
                error_message=False,
                settings_used=self._describe_settings(backends, settings),
                summary=_(
                    "%(found)s variance(s) found: %(new)s new, %(upd)s updated, "
                    "%(reo)s reopened, %(closed)s auto-closed in %(sec).2f s.",
                    found=counts["candidate_count"],
                    new=counts["created_count"],
                    upd=counts["updated_count"],
                    reo=counts["reopened_count"],
                    closed=counts["closed_count"],
                    sec=duration,
                ),
            )
        )
        _logger.info("omni reconciliation run %s: %s", self.id, self.summary)
        return counts

    # ------------------------------------------------------------------------------------
    # Scheduling
    # ------------------------------------------------------------------------------------

    def _enqueue(self):
        for run in self:
            run.with_delay(
                channel="root.omni",
                identity_key=identity_exact,
                description=_("Reconcile %(name)s", name=run.name),
            )._job_run()

    def _job_run(self):
        """Queue job entry point: run without returning a window action."""
        return self.with_context(omni_recon_no_action=True).action_run()

    @api.model
    def _cron_enqueue_nightly(self, lookback_days=90):
        """Nightly: one run per company with Omni backends, enqueued only (queue_job)."""
        today = fields.Date.context_today(self)
        companies = self.env["omni.backend"].search([]).company_id
        runs = self.create(
            [
                {
                    "company_id": company.id,
                    "date_from": today - timedelta(days=lookback_days),
                    "date_to": today,
                }
                for company in companies
            ]
        )
        runs._enqueue()
        return runs

    # ------------------------------------------------------------------------------------
    # UI
    # ------------------------------------------------------------------------------------

    def action_open_exceptions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "omni_reconciliation.omni_recon_exception_action"
        )
        action["domain"] = [("company_id", "=", self.company_id.id)]
        return action
