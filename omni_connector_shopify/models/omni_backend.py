import base64
import hashlib
import hmac
import json
from datetime import timedelta

from odoo import _, api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

from odoo.addons.omni_connector_base.models.omni_backend import MANAGER_GROUP
from odoo.addons.omni_connector_base.tools.errors import PayloadError, SignatureError

from ..tools import queries
from ..tools.adapter import ShopifyAdapter, ShopifyConnectionError
from ..tools.parser import (
    parse_datetime,
    parse_order_graphql,
    parse_order_rest,
    parse_refund_rest,
    parse_transaction_graphql,
    parse_transaction_rest,
    rest_id,
)

ORDERS_STREAM = "orders"
POLL_TOPIC = "orders/graphql"  # an order node fetched by the pull (GraphQL shape)
POLL_OVERLAP = timedelta(minutes=15)
MAX_PAGES_PER_JOB = 50
ORDER_TOPICS = (
    "orders/create",
    "orders/updated",
    "orders/cancelled",
    "orders/paid",
    "orders/fulfilled",
    "orders/partially_fulfilled",
)
# orders/edited carries an ``order_edit`` (the delta), not the order: the pull re-reads it.
EDIT_TOPIC = "orders/edited"
HMAC_HEADER = "X-Shopify-Hmac-Sha256"


def _header(headers, name):
    """Case-insensitive header lookup (WSGI servers and proxies differ in spelling)."""
    lowered = name.lower()
    for key, value in (headers or {}).items():
        if key.lower() == lowered:
            return value
    return None


def _naive(value):
    return value.replace(tzinfo=None) if value else False


class OmniBackend(models.Model):
    """A Shopify shop as an Omni backend: GraphQL pull of orders, HMAC-verified webhooks."""

    _inherit = "omni.backend"

    channel = fields.Selection(
        selection_add=[("shopify", "Shopify")], ondelete={"shopify": "cascade"}
    )
    shopify_shop_url = fields.Char(
        string="Shop Domain",
        help="The shop's myshopify domain (example.myshopify.com); a full URL "
        "(http://127.0.0.1:PORT) only for sandboxes.",
    )
    shopify_api_version = fields.Char(
        string="Admin API Version", default=queries.API_VERSION, required=True
    )
    shopify_access_token = fields.Char(
        string="Admin API Access Token", groups=MANAGER_GROUP, copy=False
    )
    shopify_page_size = fields.Integer(
        string="Orders per Request",
        default=2,
        help="Orders fetched per GraphQL request; each detailed order costs about 450 points "
        "of the 1000-point single-query limit.",
    )

    # ------------------------------------------------------------------------------------
    # Connection
    # ------------------------------------------------------------------------------------

    def _shopify_adapter(self):
        self.ensure_one()
        return ShopifyAdapter(
            self.shopify_shop_url,
            self.sudo().shopify_access_token,
            self.shopify_api_version or queries.API_VERSION,
        )

    def _omni_test_connection(self):
        if self.channel != "shopify":
            return super()._omni_test_connection()
        try:
            shop = self._shopify_adapter().execute(queries.SHOP_QUERY)["shop"]
        except RetryableJobError as err:  # a user is waiting: report it, do not retry
            raise ShopifyConnectionError(_("Shopify is not available now: %s", err)) from None
        return _(
            "Connected to %(name)s (%(domain)s): plan %(plan)s, currency %(currency)s.",
            name=shop["name"],
            domain=shop["myshopifyDomain"],
            plan=shop["plan"]["publicDisplayName"],
            currency=shop["currencyCode"],
        )

    # ------------------------------------------------------------------------------------
    # Webhooks
    # ------------------------------------------------------------------------------------

    def _omni_webhook_verify(self, raw_body, headers):
        if self.channel != "shopify":
            return super()._omni_webhook_verify(raw_body, headers)
        secret = self._omni_webhook_secret()
        if not secret:
            raise SignatureError("no webhook secret configured")
        given = _header(headers, HMAC_HEADER) or ""
        if not given:
            raise SignatureError(f"missing {HMAC_HEADER} header")
        expected = base64.b64encode(
            hmac.new(secret.encode(), raw_body, hashlib.sha256).digest()
        ).decode()
        if not hmac.compare_digest(expected.encode(), given.strip().encode()):
            raise SignatureError("HMAC mismatch")

    def _omni_webhook_events(self, raw_body, headers):
        if self.channel != "shopify":
            return super()._omni_webhook_events(raw_body, headers)
        topic = (_header(headers, "X-Shopify-Topic") or "").strip()
        if not topic:
            raise PayloadError("webhook without X-Shopify-Topic header")
        try:
            data = json.loads(raw_body)
        except ValueError as err:
            raise PayloadError(f"payload is not valid JSON: {err}") from None
        if not isinstance(data, dict):
            raise PayloadError("payload is not a JSON object")
        if isinstance(data.get("order_edit"), dict):
            external_id = str(data["order_edit"].get("order_id") or "")
        elif data.get("id") or data.get("admin_graphql_api_id"):
            external_id = rest_id(data, topic)
        else:
            external_id = ""
        updated_at = parse_datetime(data.get("updated_at"), "updated_at")
        return [
            {
                "topic": topic,
                "external_id": external_id,
                "idempotency_key": self.env["omni.event"]._idempotency_key(
                    self, topic, _header(headers, "X-Shopify-Webhook-Id"), raw_body
                ),
                "payload": raw_body.decode(),
                "channel_updated_at": _naive(updated_at),
            }
        ]

    # ------------------------------------------------------------------------------------
    # Processing
    # ------------------------------------------------------------------------------------

    def _omni_process_event(self, event):
        if self.channel != "shopify":
            return super()._omni_process_event(event)
        data = event._payload_json()
        importer = self.env["omni.importer"]
        topic = event.topic
        if topic == POLL_TOPIC:
            if len(data.get("refunds") or []) >= queries.ORDER_REFUNDS_LIMIT:
                raise PayloadError(
                    f"order {event.external_id} has {queries.ORDER_REFUNDS_LIMIT} refunds or "
                    "more: the pull reads no more than that, import it from its webhooks"
                )
            order = parse_order_graphql(data)
            links = importer.import_order(self, order)
            # The pull also brings the order's transactions (webhooks bring them one by one
            # through order_transactions/create): processor movements for reconciliation.
            payments = [
                parse_transaction_graphql(txn, order.external_id)
                for txn in data.get("transactions") or []
            ]
            omni_order = self.env["omni.order"].browse(links.get("omni_order_id"))
            stale = omni_order.channel_updated_at and (
                omni_order.channel_updated_at > _naive(order.updated_at)
            )
            if payments and not stale:  # idempotent: unchanged movements are left alone
                importer.import_payments(self, payments)
            return links
        if topic in ORDER_TOPICS:
            return importer.import_order(self, parse_order_rest(data))
        if topic == EDIT_TOPIC:
            self._shopify_enqueue_pull()
            return {"result_note": _("Order edited: the order is read again by the next pull.")}
        if topic == "refunds/create":
            order_id = str(data.get("order_id") or "")
            omni_order = self.env["omni.order"].search(
                [("backend_id", "=", self.id), ("external_id", "=", order_id)], limit=1
            )
            refund = parse_refund_rest(data, taxes_included=omni_order.taxes_included)
            omni_order = importer.import_refund(self, refund)
            return {"omni_order_id": omni_order.id}
        if topic == "order_transactions/create":
            payments = importer.import_payments(self, [parse_transaction_rest(data)])
            return {"omni_payment_id": payments[:1].id}
        if topic == "app/uninstalled":
            return {"result_note": _("The app was uninstalled from the shop.")}
        raise PayloadError(f"Shopify topic {topic!r} is not handled")

    # ------------------------------------------------------------------------------------
    # Pull (jobs; crons only enqueue)
    # ------------------------------------------------------------------------------------

    def action_shopify_pull_orders(self):
        for backend in self:
            backend._shopify_enqueue_pull()
        return True

    def _shopify_enqueue_pull(self, cursor=None, since=None, eta=None):
        self.ensure_one()
        return self.with_delay(
            channel=self._omni_job_channel(),
            identity_key=identity_exact,
            eta=eta,
            description=_("Shopify: pull orders of %s", self.name),
        )._shopify_pull_orders(cursor=cursor, since=since)

    @api.model
    def _cron_shopify_pull(self):
        backends = self.search([("channel", "=", "shopify"), ("shopify_shop_url", "!=", False)])
        for backend in backends:
            backend._shopify_enqueue_pull()

    def _shopify_pull_orders(self, cursor=None, since=None):
        """Job: page through the orders updated since the watermark minus an overlap; store
        each version as an omni.event (source "poll", one per order and ``updatedAt``) and
        enqueue their processing. Throttling and server errors raise RetryableJobError (the
        whole page walk is redone later: storing is idempotent)."""
        self.ensure_one()
        stream = self._stream(ORDERS_STREAM)
        if since is None:
            start = self._poll_window_start(ORDERS_STREAM, POLL_OVERLAP)
            since = start.strftime("%Y-%m-%dT%H:%M:%SZ") if start else ""
        adapter = self._shopify_adapter()
        Event = self.env["omni.event"]
        new_events = Event.browse()
        watermark = None
        stored = 0
        for __ in range(MAX_PAGES_PER_JOB):
            variables = {"first": max(1, self.shopify_page_size or 2), "after": cursor}
            if since:
                variables["query"] = f"updated_at:>={since}"
            try:
                page = adapter.execute(queries.ORDERS_QUERY, variables)["orders"]
            except RetryableJobError as err:
                if not stored:  # nothing done yet: queue_job retries this job after the delay
                    raise
                # Throttled (or a hiccup) after some pages: keep them, continue from this
                # cursor in a new job once the bucket has refilled, instead of redoing the
                # whole walk (which would be throttled at the same place again).
                new_events._enqueue()
                stream._mark_success(watermark=_naive(watermark) if watermark else None)
                stream.cursor = cursor
                self._shopify_enqueue_pull(cursor=cursor, since=since, eta=err.seconds)
                return _(
                    "%(seen)s order version(s) seen, %(new)s new event(s); paused: %(error)s",
                    seen=stored, new=len(new_events), error=err,
                )
            except ShopifyConnectionError as err:
                # Permanent (token revoked, query refused): retrying will not help. Keep what
                # earlier pages stored, show the error on the stream, end the job.
                new_events._enqueue()
                stream._mark_error(str(err))
                return _("Pull stopped: %s", err)
            vals_list = []
            for node in page["nodes"]:
                updated = parse_datetime(node.get("updatedAt"), "updatedAt")
                watermark = max(watermark, updated) if watermark else updated
                external_id = node["id"].rsplit("/", 1)[-1]
                vals_list.append(
                    {
                        "topic": POLL_TOPIC,
                        "external_id": external_id,
                        "idempotency_key": Event._idempotency_key(
                            self, POLL_TOPIC, f"{external_id}@{node.get('updatedAt')}"
                        ),
                        "payload": json.dumps(node),
                        "channel_updated_at": _naive(updated),
                    }
                )
            new, __known = Event._receive(self, vals_list, source="poll")
            new_events |= new
            stored += len(vals_list)
            cursor = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
            if not cursor:
                break
        new_events._enqueue()
        # Pages come oldest update first: what was stored is older than what is left, so the
        # watermark may advance now; the overlap of the next window covers concurrent edits.
        stream._mark_success(watermark=_naive(watermark) if watermark else None)
        if cursor:  # more pages: continue in a new job, from where this one stopped
            stream.cursor = cursor
            self._shopify_enqueue_pull(cursor=cursor, since=since)
        return _(
            "%(seen)s order version(s) seen, %(new)s new event(s)", seen=stored, new=len(new_events)
        )
