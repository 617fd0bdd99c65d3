import hashlib
import logging
import re
from datetime import timedelta

import psycopg2
from psycopg2 import errorcodes

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import mute_logger

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import PENDING, Job, identity_exact

from ..tools.errors import OmniError, PayloadError
from ..tools.payload import excerpt, load_json, storable_text

_logger = logging.getLogger(__name__)

# Headers whose value may authenticate a request: never stored, never shown.
_SENSITIVE_HEADER = re.compile(
    r"authorization|cookie|token|secret|api[-_]?key|signature|hmac", re.I
)
# Backoff of retryable failures (attempt -> seconds) when the channel gave no Retry-After.
_BACKOFF = [10, 60, 300, 1800, 7200]
PROCESS_BATCH_SIZE = 50
# Topic of an authentic event that could not be read or stored as it came.
UNREADABLE_TOPIC = "unreadable"

# "waiting": a temporary obstacle (the channel's rate limit, a lock, the record it needs not
# here yet): it is retried on its own at ``next_retry_at``; not a failure.
EVENT_STATES = [
    ("received", "Received"),
    ("waiting", "Waiting"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("dead", "Dead-lettered"),
    ("ignored", "Ignored"),
]
EVENT_SOURCES = [
    ("webhook", "Webhook"),
    ("poll", "Scheduled pull"),
    ("file", "File import"),
    ("manual", "Manual"),
]
ERROR_CLASSES = [
    ("payload", "Malformed payload"),
    ("mapping", "Mapping"),
    ("currency", "Currency"),
    ("validation", "Validation"),
    ("connection", "Channel refused"),
    ("retryable", "Temporary (will retry)"),
    ("internal", "Internal error"),
]


def payload_digest(raw):
    if isinstance(raw, str):
        raw = raw.encode()
    return hashlib.sha256(raw or b"").hexdigest()


def sanitize_headers(headers):
    return {
        key: value for key, value in (headers or {}).items() if not _SENSITIVE_HEADER.search(key)
    }


class OmniEvent(models.Model):
    """The inbox: every inbound unit of work (webhook, polled record, file row) is stored here
    first, with its raw payload and a unique idempotency key, then processed by a job.

    Processing the same event any number of times changes nothing after the first success.
    """

    _name = "omni.event"
    _description = "Omnichannel Event"
    _inherit = ["mail.thread", "mail.activity.mixin", "omni.audit.mixin"]
    _order = "id desc"
    _rec_name = "topic"
    _rec_names_search = ["topic", "external_id", "idempotency_key"]

    backend_id = fields.Many2one(
        "omni.backend", required=True, ondelete="restrict", index=True, readonly=True
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    channel = fields.Selection(related="backend_id.channel", store=True)
    topic = fields.Char(required=True, index=True, readonly=True)
    external_id = fields.Char(index=True, readonly=True, help="Channel id of the record.")
    idempotency_key = fields.Char(required=True, readonly=True, copy=False)
    source = fields.Selection(
        EVENT_SOURCES,
        required=True,
        default="manual",
        readonly=True,
    )
    payload = fields.Text(readonly=True, help="Raw payload exactly as received.")
    payload_digest = fields.Char(readonly=True, index=True)
    headers = fields.Json(readonly=True, help="Request headers, without credentials.")
    state = fields.Selection(
        EVENT_STATES,
        default="received",
        required=True,
        index=True,
        readonly=True,
        tracking=True,
    )
    attempts = fields.Integer(readonly=True)
    error_class = fields.Selection(ERROR_CLASSES, readonly=True)
    error_message = fields.Text(readonly=True)
    result_note = fields.Char(readonly=True, help="What processing did, e.g. skipped as stale.")
    received_at = fields.Datetime(
        default=fields.Datetime.now, required=True, readonly=True, index=True
    )
    processed_at = fields.Datetime(readonly=True)
    latency_ms = fields.Integer(
        readonly=True, string="Latency (ms)", help="From reception to successful processing."
    )
    latency_seconds = fields.Float(
        compute="_compute_latency_seconds",
        string="Latency (s)",
        digits=(16, 2),
        help="From reception to successful processing.",
    )
    next_retry_at = fields.Datetime(readonly=True)
    channel_updated_at = fields.Datetime(
        readonly=True, help="The channel's last update time of the record, to refuse stale events."
    )
    ignore_reason = fields.Text(readonly=True)
    omni_order_id = fields.Many2one("omni.order", readonly=True, index="btree_not_null")
    omni_payment_id = fields.Many2one("omni.payment", readonly=True, index="btree_not_null")
    omni_payout_id = fields.Many2one("omni.payout", readonly=True, index="btree_not_null")
    sale_order_id = fields.Many2one(related="omni_order_id.sale_order_id")

    _sql_constraints = [
        ("idempotency_key_uniq", "UNIQUE(idempotency_key)", "This event was already received."),
    ]

    @api.depends("latency_ms")
    def _compute_latency_seconds(self):
        for event in self:
            event.latency_seconds = event.latency_ms / 1000.0

    @api.depends("topic", "external_id")
    def _compute_display_name(self):
        for event in self:
            event.display_name = f"{event.topic} {event.external_id or ''}".strip()

    # ------------------------------------------------------------------------------------
    # Reception
    # ------------------------------------------------------------------------------------

    @api.model
    def _idempotency_key(self, backend, topic, channel_event_id=None, payload=None):
        """backend + topic + the channel's event id, or the payload digest when it has none."""
        return f"{backend.id}:{topic}:{channel_event_id or payload_digest(payload)}"

    @api.model
    def _receive(self, backend, vals_list, source):
        """Store new events, skip the ones already received. Returns (new, duplicates).

        An authentic event is never dropped: values the table refuses (no topic, a value
        PostgreSQL text cannot hold) are stored as a failed "unreadable" event instead."""
        vals_list = [self._storable_vals(backend, vals) for vals in vals_list]
        keys = [vals["idempotency_key"] for vals in vals_list]
        known = self.sudo().search([("idempotency_key", "in", keys)])
        known_keys = set(known.mapped("idempotency_key"))
        to_create = []
        for vals in vals_list:
            if vals["idempotency_key"] in known_keys:
                continue
            known_keys.add(vals["idempotency_key"])
            to_create.append(
                {
                    "backend_id": backend.id,
                    "source": source,
                    "payload_digest": payload_digest(vals.get("payload")),
                    **vals,
                }
            )
            if vals.get("headers"):  # the one place headers are cleaned before they are kept
                to_create[-1]["headers"] = sanitize_headers(vals["headers"])
        if not to_create:
            return self.browse(), known
        try:  # all in one insert (a pull stores a page at a time)
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                return self.sudo().create(to_create), known
        except psycopg2.IntegrityError as err:
            _logger.debug("omni.event: storing one by one after %s", err.pgcode)
        created = self.browse()
        for vals in to_create:
            # A concurrent delivery of the same event may win the race: the unique key
            # makes the loser a duplicate, not an error.
            try:
                with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                    created |= self.sudo().create(vals)
            except psycopg2.IntegrityError as err:
                if err.pgcode == errorcodes.UNIQUE_VIOLATION:
                    known |= self.sudo().search([("idempotency_key", "=", vals["idempotency_key"])])
                    continue
                error = PayloadError(
                    _("The event cannot be stored: %(error)s", error=err.diag.message_primary)
                )
                unreadable = self._unreadable_webhook_vals(backend, vals.get("payload"), error)
                created |= self.sudo().create(
                    {"backend_id": backend.id, "source": source, **unreadable}
                )
        return created, known

    @api.model
    def _storable_vals(self, backend, vals):
        """``vals``, or the values of a failed unreadable event when a required field is
        missing or a text holds a NUL (both refused by the table)."""
        topic = vals.get("topic")
        if not isinstance(topic, str) or not topic.strip():
            error = PayloadError(_("The event has no topic (got %(topic)r).", topic=topic))
        elif not vals.get("idempotency_key"):
            error = PayloadError(_("The event has no idempotency key."))
        elif not isinstance(vals.get("external_id") or "", str):
            error = PayloadError(
                _("The event's id is not text (got %(id)s).", id=excerpt(vals["external_id"], 200))
            )
        elif any(isinstance(value, str) and "\x00" in value for value in vals.values()):
            error = PayloadError(_("The event holds a NUL character (\\u0000)."))
        else:
            return vals
        return {
            **self._unreadable_webhook_vals(backend, vals.get("payload"), error),
            **({"headers": vals["headers"]} if vals.get("headers") else {}),
        }

    @api.model
    def _unreadable_webhook_vals(self, backend, raw_body, error):
        """A failed event keeping what arrived, for a user to see and replay: its text with
        what PostgreSQL refuses replaced, its key and digest those of the original bytes."""
        raw_body = raw_body or b""
        return {
            "topic": UNREADABLE_TOPIC,
            "idempotency_key": self._idempotency_key(backend, UNREADABLE_TOPIC, payload=raw_body),
            "payload": storable_text(raw_body),
            "payload_digest": payload_digest(raw_body),
            "state": "failed",
            "attempts": 1,
            "error_class": error.error_class,
            "error_message": excerpt(str(error)),
        }

    def _enqueue(self, batch_size=PROCESS_BATCH_SIZE, eta=None):
        """One job per batch of events of the same backend; crons and webhooks only do this."""
        for backend in self.backend_id:
            events = self.filtered(lambda e, b=backend: e.backend_id == b)
            for start in range(0, len(events), batch_size):
                batch = events[start : start + batch_size]
                batch.with_delay(
                    channel=backend._omni_job_channel(),
                    identity_key=identity_exact,
                    description=_(
                        "Process %(count)s %(channel)s event(s)",
                        count=len(batch),
                        channel=backend._omni_channel_label(),
                    ),
                    eta=eta,
                )._process_job()

    # ------------------------------------------------------------------------------------
    # Processing (queue_job)
    # ------------------------------------------------------------------------------------

    def _process_job(self):
        """Job: process the events together (one savepoint, the importer's batch mode), and
        any event that fails there again alone in its own savepoint, so one bad event never
        blocks or rolls back the others of its batch and fails with its own error."""
        todo = self.filtered(lambda e: e.state not in ("done", "ignored"))
        todo._process_batch()
        done = sum(event.state == "done" for event in self)
        return _("%(done)s of %(total)s event(s) done", done=done, total=len(self))

    def _process_batch(self):
        """Process the events in one savepoint; when that fails, the events before the one
        that raised are redone as a batch, that one alone, and the rest as a batch (a failure
        while completing the batch's orders, which no single event raised: each alone)."""
        if len(self) <= 1:
            for event in self:
                event._process_one()
            return
        failed_at = self._try_batch()
        if failed_at is None:
            return
        if failed_at < 0:
            for event in self:
                event._process_one()
            return
        self[:failed_at]._process_batch()
        self[failed_at]._process_one()
        self[failed_at + 1 :]._process_batch()

    def _try_batch(self):
        """All-or-nothing batch: None when every event was processed, else the index of the
        event that raised (-1: raised while completing the batch); nothing is kept then."""
        results = []
        try:
            with self.env.cr.savepoint():
                self._import_batch(results)
        except psycopg2.OperationalError:
            raise  # locks / serialization: queue_job retries the whole job
        except Exception as err:  # redone event by event, where each error is typed
            _logger.info(
                "omni.event batch of %s: %s, processing its events one by one",
                len(self),
                f"{type(err).__name__}: {err}",
            )
            return -1 if len(results) == len(self) else len(results)
        for event, links in zip(self, results, strict=True):
            event._mark_done(links)
        return None

    def _import_batch(self, results):
        """Process the events as one batch of the importer, in order, appending the links of
        each to ``results``, then flush the batch (the one place imports are flushed)."""
        events = self.with_context(**self.env["omni.importer"]._batch_context())
        batch = events.env["omni.importer"]._batch()
        for event in events:
            if event.topic == UNREADABLE_TOPIC:  # what made it unreadable is in the payload
                raise PayloadError(event.error_message or _("The event could not be read."))
            batch.source = event.id
            results.append(dict(event.backend_id._omni_process_event(event) or {}))
        batch.source = None
        events.env["omni.importer"]._flush_batch()
        self.env.flush_all()
        for event, links in zip(self, results, strict=True):
            notes = batch.notes.get(event.id)
            if notes and not links.get("result_note"):
                links["result_note"] = "\n".join(notes)

    def _process_one(self):
        """Process the event alone: a batch of one, in its own savepoint."""
        self.ensure_one()
        if self.state in ("done", "ignored"):
            return
        results = []
        try:
            with self.env.cr.savepoint():
                self._import_batch(results)
        except RetryableJobError as err:
            self._schedule_retry(err)
        except OmniError as err:
            self._fail(err.error_class, str(err))
        except (UserError, ValidationError) as err:
            self._fail("validation", str(err.args[0] if err.args else err))
        except psycopg2.OperationalError:
            raise  # locks / serialization: queue_job retries the whole job
        except psycopg2.IntegrityError as err:
            if err.pgcode != errorcodes.UNIQUE_VIOLATION:
                self._fail_unexpected(err)
            elif self._committed_elsewhere(err):
                # A concurrent job took the same unique value (e.g. the next entry number of
                # a journal, which REPEATABLE READ does not let us see): retry afresh.
                self._schedule_retry(
                    RetryableJobError(
                        _(
                            "A concurrent update took the same value, retrying: %(error)s",
                            error=err.diag.message_primary,
                        )
                    )
                )
            else:  # no retry will ever see the row: the import wrote the key twice
                self._fail(
                    "internal",
                    _(
                        "Unique key %(constraint)s of %(table)s taken twice by this import "
                        "(a bug to report, never retried): %(detail)s",
                        constraint=err.diag.constraint_name,
                        table=err.diag.table_name,
                        detail=err.diag.message_detail or err.diag.message_primary,
                    ),
                )
        except Exception as err:  # a bug must fail the event visibly, never silently
            _logger.exception("omni.event %s failed unexpectedly", self.id)
            self._fail_unexpected(err)
        else:
            self._mark_done(results[0])

    def _mark_done(self, links):
        now = fields.Datetime.now()
        links = dict(links)
        note = links.pop("result_note", False)
        self.sudo().write(
            {
                **links,
                "state": "done",
                "attempts": self.attempts + 1,
                "processed_at": now,
                "latency_ms": int((now - self.received_at).total_seconds() * 1000),
                "error_class": False,
                "error_message": False,
                "next_retry_at": False,
                "result_note": note,
            }
        )

    def _fail(self, error_class, message):
        attempts = self.attempts + 1
        dead = attempts >= self.backend_id.max_attempts
        self.sudo().write(
            {
                "state": "dead" if dead else "failed",
                "attempts": attempts,
                "error_class": error_class,
                "error_message": excerpt(message),
                "next_retry_at": False,
            }
        )
        if dead:
            self._dead_letter()

    def _fail_unexpected(self, err):
        """Fail on an error no one expected (a bug), naming it for whoever fixes it."""
        self._fail(
            "internal",
            _("Unexpected %(error_type)s: %(error)s", error_type=type(err).__name__, error=err),
        )

    def _schedule_retry(self, err):
        """Retryable failure: record it on the event and enqueue a new job after the delay the
        channel asked for (Retry-After / throttle) or the backoff. Recording it here rather than
        re-raising keeps the attempt count across retries (a raised error rolls it back)."""
        attempts = self.attempts + 1
        if attempts >= self.backend_id.max_attempts:
            self._fail("retryable", str(err))
            return
        delay = err.seconds or _BACKOFF[min(attempts, len(_BACKOFF)) - 1]
        self.sudo().write(
            {
                "state": "waiting",
                "attempts": attempts,
                "error_class": "retryable",
                "error_message": str(err),
                "next_retry_at": fields.Datetime.now() + timedelta(seconds=delay),
            }
        )
        self._enqueue(eta=delay)

    def _process_soon(self):
        """Process these waiting events now rather than at their next attempt (what they
        waited for has arrived): the retry job each one's wait queued is brought forward (an
        identical job is never queued twice), a new job for one without."""
        QueueJob = self.env["queue.job"].sudo()
        for event in self:
            retry = QueueJob.search(
                [
                    ("identity_key", "=", identity_exact(Job(event._process_job))),
                    ("state", "=", PENDING),
                ],
                limit=1,
            )
            if retry:
                retry.eta = fields.Datetime.now()
            else:
                event._enqueue()

    def _dead_letter(self):
        backend = self.backend_id
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=(backend.responsible_user_id or self.env.ref("base.user_admin")).id,
            summary=_("Dead-lettered %(channel)s event", channel=backend._omni_channel_label()),
            note=_(
                "Event %(event)s failed %(attempts)s times: %(error)s",
                event=self.display_name,
                attempts=self.attempts,
                error=self.error_message,
            ),
        )

    # ------------------------------------------------------------------------------------
    # User actions (audited in the chatter)
    # ------------------------------------------------------------------------------------

    def write(self, vals):
        """An event is the record of what a channel sent and what processing did with it:
        only the pipeline and the audited actions (in superuser mode) change it; through RPC
        only its chatter and activities can be written."""
        if not self.env.su and set(vals) & self._omni_audited_fields():
            raise AccessError(
                _("Events change only through Retry, Replay or Ignore, which are audited.")
            )
        return super().write(vals)

    @api.model
    def _omni_audited_fields(self):
        thread_fields = set(self.env["mail.thread"]._fields)
        thread_fields |= set(self.env["mail.activity.mixin"]._fields)
        return set(self._fields) - thread_fields

    def action_retry(self):
        """Process failed / dead events again."""
        self.env["omni.backend"]._omni_check_manager()
        events = self.filtered(lambda e: e.state in ("failed", "dead", "received", "waiting"))
        events._omni_audit("event_retry", _("Retried by %(user)s.", user=self.env.user.name))
        events.sudo().write({"state": "received", "next_retry_at": False})
        events.sudo()._enqueue()
        return True

    def action_replay(self):
        """Process events again whatever their state: the importer is idempotent, so a replay
        of an applied event changes nothing."""
        self.env["omni.backend"]._omni_check_manager()
        self._omni_audit("event_replay", _("Replayed by %(user)s.", user=self.env.user.name))
        self.sudo().write({"state": "received", "next_retry_at": False})
        self.sudo()._enqueue()
        return True

    def action_ignore(self, reason=None):
        self.env["omni.backend"]._omni_check_manager()
        if not reason:
            return {
                "type": "ir.actions.act_window",
                "res_model": "omni.event.ignore.wizard",
                "view_mode": "form",
                "target": "new",
                "context": {"active_ids": self.ids, "active_model": self._name},
            }
        self._omni_audit(
            "event_ignore",
            _("Ignored by %(user)s: %(reason)s", user=self.env.user.name, reason=reason),
        )
        self.sudo().write({"state": "ignored", "ignore_reason": reason, "next_retry_at": False})
        return True

    def action_process_now(self):
        """Process in the user's transaction (debugging aid for managers)."""
        self.env["omni.backend"]._omni_check_manager()
        self._omni_audit(
            "event_process_now", _("Processed now by %(user)s.", user=self.env.user.name)
        )
        self.sudo()._process_job()
        return True

    # ------------------------------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------------------------------

    @api.model
    def _cron_enqueue_received(self):
        """Heal lost enqueues: received events with no pending job get one, and so do waiting
        events whose retry is long overdue."""
        stale = fields.Datetime.now() - timedelta(minutes=15)
        events = self.search(
            [
                "|",
                "&",
                ("state", "=", "received"),
                ("write_date", "<", stale),
                "&",
                ("state", "=", "waiting"),
                ("next_retry_at", "<", stale),
            ],
            limit=5000,
        )
        events._enqueue()

    @api.model
    def _cron_purge(self):
        """Delete processed events past their backend's retention; failed, dead and ignored
        events are kept until someone deals with them."""
        self.env.cr.execute(
            """
            SELECT e.id
              FROM omni_event e
              JOIN omni_backend b ON b.id = e.backend_id
             WHERE e.state = 'done'
               AND b.event_retention_days > 0
               AND e.processed_at < (now() at time zone 'utc')
                                    - make_interval(days => b.event_retention_days)
            """
        )
        expired = self.browse([row[0] for row in self.env.cr.fetchall()])
        # through the ORM, so their chatter goes with them; no one else may delete an event
        expired.sudo().unlink()
        _logger.info("omni.event retention: %s processed event(s) purged", len(expired))

    def _payload_json(self):
        """The payload as JSON, or a PayloadError a user can read."""
        return load_json(self.payload or "")
