import json
import logging
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

from ..tools.dates import to_odoo
from ..tools.errors import OmniError, SignatureError
from .omni_event import payload_digest

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "omni_connector_base.group_omni_manager"


class OmniBackend(models.Model):
    """One configured channel account (a Shopify shop, a Stripe account, a store chain).

    Connectors add their channel with ``selection_add`` and override the ``_omni_*`` hooks
    below for their channel only (``if self.channel != "x": return super()...``), the way
    payment providers do in Odoo's ``payment`` module.
    """

    _name = "omni.backend"
    _description = "Omnichannel Backend"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    channel = fields.Selection(selection=[], required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    responsible_user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        help="Receives an activity when an event of this backend is dead-lettered.",
    )

    # Connection
    state = fields.Selection(
        [("draft", "Not tested"), ("connected", "Connected"), ("error", "Error")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    connection_message = fields.Text(readonly=True)
    connection_checked_at = fields.Datetime(readonly=True)
    webhook_secret = fields.Char(
        groups=MANAGER_GROUP,
        copy=False,
        help="Shared secret webhooks are signed with. Without it every webhook is rejected.",
    )
    webhook_url = fields.Char(compute="_compute_webhook_url")

    # Governance
    create_customers = fields.Boolean(
        default=True, help="Create a customer when no mapping, email or phone matches."
    )
    match_customers_by_phone = fields.Boolean(
        help="Bind a channel customer that has no email to the contact with the same phone "
        "number. Off: such a customer gets a contact of its own, since a phone number is "
        "often shared (a household, a company switchboard) or reassigned.",
    )
    create_products = fields.Boolean(
        default=False,
        help="Create a product when no mapping, SKU or barcode matches; otherwise the event "
        "fails with a mapping error until someone maps the product.",
    )
    default_partner_id = fields.Many2one(
        "res.partner",
        string="Walk-in Customer",
        check_company=True,
        help="Customer used for orders that carry no customer (store walk-ins, guest checkout).",
    )
    warehouse_id = fields.Many2one("stock.warehouse", check_company=True)
    pricelist_id = fields.Many2one("product.pricelist", check_company=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True)
    journal_id = fields.Many2one(
        "account.journal",
        string="Payment Journal",
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash'))]",
    )
    shipping_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        default=lambda self: self.env.ref(
            "omni_connector_base.product_omni_shipping", raise_if_not_found=False
        ),
    )
    discount_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        default=lambda self: self.env.ref(
            "omni_connector_base.product_omni_discount", raise_if_not_found=False
        ),
    )
    adjustment_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        string="Tip / Duty / Adjustment Product",
        default=lambda self: self.env.ref(
            "omni_connector_base.product_omni_adjustment", raise_if_not_found=False
        ),
    )
    manual_gateways = fields.Char(
        default="manual, bank deposit, cash on delivery (cod), money order",
        help="Comma-separated gateways that move no money through a processor (bank deposit, "
        "cash on delivery...): their payments count as received only once settled or banked.",
    )
    payout_journal_id = fields.Many2one(
        "account.journal",
        string="Payout Bank Journal",
        check_company=True,
        domain="[('type', '=', 'bank')]",
        help="The bank account the processor pays its payouts into: a payout is matched to "
        "its statement line there, and a line no payout explains is reported by the "
        "reconciliation.",
    )
    max_attempts = fields.Integer(
        default=5, help="Attempts after which a failing event is dead-lettered."
    )
    event_retention_days = fields.Integer(
        default=90, help="Processed events older than this are purged (failed ones never are)."
    )
    stall_threshold_minutes = fields.Integer(
        string="Stall Threshold (minutes)",
        default=20,
        help="A stream failing, or whose job is retried, without progress for longer than this "
        "shows as stalled.",
    )

    status_map_ids = fields.One2many("omni.status.map", "backend_id", copy=True)
    tax_map_ids = fields.One2many("omni.tax.map", "backend_id", copy=True)
    stream_ids = fields.One2many("omni.backend.stream", "backend_id")

    # Monitoring counters (read_group based, never loops over events)
    event_received_count = fields.Integer(compute="_compute_event_stats")
    event_done_count = fields.Integer(compute="_compute_event_stats")
    event_failed_count = fields.Integer(compute="_compute_event_stats")
    event_dead_count = fields.Integer(compute="_compute_event_stats")
    event_waiting_count = fields.Integer(
        compute="_compute_event_stats",
        help="Events retried on their own later: a rate limit, a lock, the record they need "
        "not arrived yet. Not failures.",
    )
    queue_depth = fields.Integer(
        compute="_compute_event_stats",
        help="Events to be processed: received, or waiting for their next attempt.",
    )
    failure_rate = fields.Float(
        compute="_compute_event_stats",
        help="Share of failed or dead events, last 7 days; waiting events are not failures.",
    )
    latency_p50_ms = fields.Integer(compute="_compute_event_stats", string="Latency p50 (ms)")
    latency_p95_ms = fields.Integer(compute="_compute_event_stats", string="Latency p95 (ms)")
    latency_p50_seconds = fields.Float(
        compute="_compute_event_stats",
        string="Latency p50 (s)",
        digits=(16, 2),
        help="Median time from reception to processing of the events done.",
    )
    latency_p95_seconds = fields.Float(
        compute="_compute_event_stats",
        string="Latency p95 (s)",
        digits=(16, 2),
        help="95 % of the events done were processed within this time of their reception.",
    )
    last_sync_at = fields.Datetime(compute="_compute_event_stats", string="Last Successful Sync")
    stream_stalled_count = fields.Integer(
        compute="_compute_stream_stalled_count",
        string="Stalled Streams",
        help="Streams in trouble without progress for longer than the stall threshold.",
    )

    _sql_constraints = [
        ("max_attempts_positive", "CHECK(max_attempts > 0)", "Max attempts must be positive."),
        (
            "stall_threshold_positive",
            "CHECK(stall_threshold_minutes > 0)",
            "The stall threshold must be positive.",
        ),
    ]

    def _compute_webhook_url(self):
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for backend in self:
            backend.webhook_url = (
                f"{base_url}/omni/webhook/{backend.channel}/{backend.id}"
                if backend.id and backend.channel
                else False
            )

    def _compute_event_stats(self):
        ids = tuple(self.ids) or (0,)
        self.env["omni.event"].flush_model()
        self.env.cr.execute(
            """
            SELECT backend_id,
                   count(*) FILTER (WHERE state = 'received') AS received,
                   count(*) FILTER (WHERE state = 'waiting') AS waiting,
                   count(*) FILTER (WHERE state = 'done') AS done,
                   count(*) FILTER (WHERE state = 'failed') AS failed,
                   count(*) FILTER (WHERE state = 'dead') AS dead,
                   count(*) FILTER (WHERE state IN ('received', 'waiting')) AS queued,
                   count(*) FILTER (WHERE received_at > %(since)s) AS recent,
                   count(*) FILTER (WHERE received_at > %(since)s
                                      AND state IN ('failed', 'dead')) AS recent_bad,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms)
                       FILTER (WHERE state = 'done') AS p50,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms)
                       FILTER (WHERE state = 'done') AS p95
              FROM omni_event
             WHERE backend_id IN %(ids)s
          GROUP BY backend_id
            """,
            {"ids": ids, "since": fields.Datetime.now() - timedelta(days=7)},
        )
        stats = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        self.env["omni.backend.stream"].flush_model()
        last_sync = dict(
            self.env["omni.backend.stream"]._read_group(
                [("backend_id", "in", self.ids)], ["backend_id"], ["last_success_at:max"]
            )
        )
        for backend in self:
            received, waiting, done, failed, dead, queued, recent, recent_bad, p50, p95 = stats.get(
                backend.id, (0, 0, 0, 0, 0, 0, 0, 0, None, None)
            )
            backend.event_received_count = received
            backend.event_waiting_count = waiting
            backend.event_done_count = done
            backend.event_failed_count = failed
            backend.event_dead_count = dead
            backend.queue_depth = queued
            backend.failure_rate = (recent_bad / recent) if recent else 0.0
            backend.latency_p50_ms = int(p50 or 0)
            backend.latency_p95_ms = int(p95 or 0)
            backend.latency_p50_seconds = (p50 or 0) / 1000.0
            backend.latency_p95_seconds = (p95 or 0) / 1000.0
            backend.last_sync_at = last_sync.get(backend)

    def _omni_stream_labels(self):
        """{stream name: what users read}; connectors add their streams' labels."""
        return {"orders": _("Orders"), "payouts": _("Payouts")}

    def _omni_channel_label(self):
        """The channel as users read it ("Shopify", not "shopify"), in their language."""
        self.ensure_one()
        labels = dict(self._fields["channel"]._description_selection(self.env))
        return labels.get(self.channel, self.channel or "")

    def _compute_stream_stalled_count(self):
        for backend in self:
            backend.stream_stalled_count = len(backend.stream_ids.filtered("is_stalled"))

    @api.model_create_multi
    def create(self, vals_list):
        backends = super().create(vals_list)
        for backend in backends:
            if not backend.status_map_ids:
                backend._reset_status_map()
        return backends

    def _reset_status_map(self):
        self.ensure_one()
        self.status_map_ids.unlink()
        self.env["omni.status.map"].create(
            [
                {"backend_id": self.id, **vals}
                for vals in self.env["omni.status.map"]._default_rows(self.channel)
            ]
        )

    # ------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------

    @api.model
    def _omni_check_manager(self):
        """Refuse channel operations (pulls, pushes, registrations, event handling) to anyone
        but an Omni manager: a hidden button is no permission, RPC reaches every public
        method. Jobs run as the user who enqueued them, so checking here is enough."""
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                _(
                    "Only Omni managers can run channel operations; %(user)s is not one.",
                    user=self.env.user.name,
                )
            )

    def action_test_connection(self):
        self._omni_check_manager()
        self.ensure_one()
        now = fields.Datetime.now()
        try:
            message = self._omni_test_connection()
        except (OmniError, UserError) as err:
            self.write(
                {"state": "error", "connection_message": str(err), "connection_checked_at": now}
            )
        else:
            self.write(
                {"state": "connected", "connection_message": message, "connection_checked_at": now}
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if self.state == "connected" else "danger",
                "title": _("Test connection: %(backend)s", backend=self.name),
                "message": self.connection_message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_reset_status_map(self):
        self._omni_check_manager()
        for backend in self:
            backend._reset_status_map()

    def action_open_streams(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "omni_connector_base.omni_backend_stream_action"
        )
        action["domain"] = [("backend_id", "=", self.id)]
        action["context"] = {"search_default_filter_stalled": int(bool(self.stream_stalled_count))}
        return action

    def action_open_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "omni_connector_base.omni_event_action"
        )
        action["domain"] = [("backend_id", "=", self.id)]
        # The stat buttons open a filtered list; the backend's "Events" shows every event,
        # newest first, so what just arrived or was just done is never hidden.
        action["context"] = {"default_backend_id": self.id}
        search_filter = self.env.context.get("omni_event_filter")
        if search_filter:
            action["context"][f"search_default_{search_filter}"] = 1
        return action

    # ------------------------------------------------------------------------------------
    # Channel hooks: connectors override these for their own channel.
    # ------------------------------------------------------------------------------------

    def _omni_test_connection(self):
        """Reach the channel and return a human summary; raise OmniError when it fails."""
        raise UserError(
            _("The %(channel)s channel has no connection test.", channel=self._omni_channel_label())
        )

    def _omni_webhook_secret(self):
        """The secret for webhook verification (sudo: the route runs as public)."""
        self.ensure_one()
        return self.sudo().webhook_secret or ""

    def _omni_webhook_verify(self, raw_body, headers):
        """Verify a webhook over the raw body; raise SignatureError to reject (fail closed)."""
        raise SignatureError(f"channel {self.channel!r} does not accept webhooks")

    def _omni_webhook_events(self, raw_body, headers):
        """Split a verified webhook into event values: dicts with at least ``topic`` and
        ``idempotency_key``, optionally ``external_id`` and ``channel_updated_at``."""
        raise SignatureError(f"channel {self.channel!r} does not accept webhooks")

    def _omni_process_event(self, event):
        """Process one event: parse its payload, hand canonical objects to the importer and
        return the values linking the event to what it created (``omni_order_id`` ...)."""
        raise OmniError(
            _(
                "channel %(channel)r cannot process topic %(topic)r",
                channel=self.channel,
                topic=event.topic,
            )
        )

    def _omni_event_vals(
        self, topic, payload, external_id="", *, event_id=None, version=None, **options
    ):
        """Values of one inbound event, the same for every channel and way in. ``payload`` is
        the raw body (str or bytes, stored as received) or a JSON value (stored sorted). The
        idempotency key is the backend, ``key_topic`` (default ``topic``) and the first of:
        the channel's id of the delivery or immutable record (``event_id``: stored once
        however it comes in), the record and its version (``external_id@version``: a new
        version is a new event), the record and its content (``external_id:digest``: an
        unchanged record is never stored twice), the payload digest. ``updated_at`` (an
        aware datetime) becomes the event's ``channel_updated_at``."""
        self.ensure_one()
        key_topic, updated_at = options.get("key_topic"), options.get("updated_at")
        if isinstance(payload, bytes):
            payload = payload.decode()
        elif not isinstance(payload, str):
            payload = json.dumps(payload, sort_keys=True)
        Event = self.env["omni.event"]
        if event_id:
            discriminant = str(event_id)
        elif external_id and version:
            discriminant = f"{external_id}@{version}"
        elif external_id:
            discriminant = f"{external_id}:{payload_digest(payload)[:16]}"
        else:
            discriminant = None
        vals = {
            "topic": topic,
            "external_id": external_id or "",
            "idempotency_key": Event._idempotency_key(
                self, key_topic or topic, discriminant, payload
            ),
            "payload": payload,
        }
        if updated_at:
            vals["channel_updated_at"] = to_odoo(updated_at)
        return vals

    def _omni_job_streams(self, method_name, args):
        """Names of the streams a job ``method_name(*args)`` of this backend pulls, to show a
        stream whose job keeps being retried as stalled. By default a job whose first
        argument names a stream; connectors add their pulls."""
        self.ensure_one()
        return {args[0]} if args and isinstance(args[0], str) else set()

    def _omni_account_key(self):
        """The channel account this backend serves (a shop's domain...), '' when unknown: two
        active backends of a company never serve the same one (their orders would be
        imported twice)."""
        return ""

    def _omni_account_clash(self, key):
        """The other active backend of this company and channel already serving ``key``."""
        self.ensure_one()
        if not key:
            return self.browse()
        others = self.search(
            [
                ("id", "!=", self.id),
                ("company_id", "=", self.company_id.id),
                ("channel", "=", self.channel),
            ]
        )
        return others.filtered(lambda other: other._omni_account_key() == key)[:1]

    def _omni_lock_token_renewal(self, retry_seconds=5):
        """Serialize the renewal of this backend's access token across jobs: an advisory
        lock per backend, and the backend's row (a
        renewal committed since this transaction began fails here as a serialization error
        instead of renewing twice). A job finding either taken retries shortly, and then
        finds the new token."""
        self.ensure_one()
        cr = self.env.cr
        cr.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [f"omni:{self.id}:token"])
        if not cr.fetchone()[0]:
            raise RetryableJobError(
                _("Another job is renewing this backend's access token."),
                seconds=retry_seconds,
            )
        try:
            with cr.savepoint(flush=False):
                cr.execute("SELECT id FROM omni_backend WHERE id = %s FOR UPDATE NOWAIT", [self.id])
        except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
            raise RetryableJobError(
                _("The backend is being updated by another job."), seconds=retry_seconds
            ) from None

    def _omni_job_channel(self):
        """queue_job channel of this backend's work; connectors declare root.omni.<channel>."""
        return f"root.omni.{self.channel}"

    def _omni_delay(self, description, **options):
        """``with_delay`` on this backend's job channel; an identical job still pending is not
        queued twice (identity key)."""
        self.ensure_one()
        options.setdefault("identity_key", identity_exact)
        return self.with_delay(channel=self._omni_job_channel(), description=description, **options)

    # ------------------------------------------------------------------------------------
    # Streams (watermarks)
    # ------------------------------------------------------------------------------------

    def _stream(self, name):
        self.ensure_one()
        stream = self.stream_ids.filtered(lambda s: s.name == name)
        return stream or self.env["omni.backend.stream"].create(
            {"backend_id": self.id, "name": name}
        )

    def _poll_window_start(self, stream_name, overlap=timedelta(minutes=10)):
        """Start of the next poll: last watermark minus an overlap, so that records updated
        while the previous poll ran (or whose webhook was lost) are fetched again."""
        watermark = self._stream(stream_name).watermark
        return watermark - overlap if watermark else None
