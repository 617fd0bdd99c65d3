import base64
import hashlib
import hmac
import json
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError

from odoo.addons.omni_connector_base.models.omni_backend import MANAGER_GROUP
from odoo.addons.omni_connector_base.tools.errors import (
    MappingError,
    PayloadError,
    SignatureError,
)

from ..tools import queries
from ..tools.adapter import (
    ShopifyAdapter,
    ShopifyConnectionError,
    download_lines,
    request_client_credentials_token,
)
from ..tools.parser import (
    iter_bulk_orders,
    order_return_status,
    parse_balance_transaction,
    parse_customer_graphql,
    parse_datetime,
    parse_dispute_rest,
    parse_order_graphql,
    parse_order_rest,
    parse_payout,
    parse_product_graphql,
    parse_product_rest,
    parse_refund_rest,
    parse_return_graphql,
    parse_transaction_graphql,
    parse_transaction_rest,
    rest_id,
    return_gid_of_webhook,
)

ORDERS_STREAM = "orders"
POLL_TOPIC = "orders/graphql"  # an order node fetched by the pull (GraphQL shape)
# The same node read from a bulk operation's JSONL: shares the pull's idempotency keys, but
# holds up to BULK_REFUNDS_LIMIT refunds.
BULK_TOPIC = "orders/bulk"
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
DISPUTE_TOPICS = ("disputes/create", "disputes/update")
#: A return changed: the return is read again through the API (RETURN_QUERY) and imported.
RETURN_TOPICS = (
    "returns/request",
    "returns/approve",
    "returns/decline",
    "returns/cancel",
    "returns/close",
    "returns/reopen",
    "returns/process",
    "returns/update",
)
#: A return node read with its order (GraphQL shape): one event per return and version.
RETURN_POLL_TOPIC = "returns/graphql"
WAIT_FOR_ORDER = 60  # seconds a return waits (per attempt) for its order to be imported
#: Every topic the backend subscribes to. fulfillments/* and inventory_levels/update are
#: processed by the stock synchronisation (omni_backend_stock.py).
WEBHOOK_TOPICS = (
    *ORDER_TOPICS,
    EDIT_TOPIC,
    "refunds/create",
    "order_transactions/create",
    "fulfillments/create",
    "fulfillments/update",
    *DISPUTE_TOPICS,
    *RETURN_TOPICS,
    "inventory_levels/update",
    "products/update",
    "app/uninstalled",
)
#: Scopes the connector needs; ``write_x`` grants ``read_x`` too.
REQUIRED_SCOPES = (
    "read_orders",
    "read_returns",
    "read_products",
    "read_customers",
    "read_shopify_payments_payouts",
    "read_locations",
    "write_inventory",
    "write_merchant_managed_fulfillment_orders",
)
TOKEN_REFRESH_MARGIN = timedelta(minutes=5)  # refresh a client-credentials token this early

PRODUCT_POLL_TOPIC = "products/graphql"
CUSTOMER_POLL_TOPIC = "customers/graphql"
#: Master data pulls: stream -> (query, connection field, event topic).
MASTER_PULLS = {
    "shopify_products": ("PRODUCTS_QUERY", "products", PRODUCT_POLL_TOPIC),
    "shopify_customers": ("CUSTOMERS_QUERY", "customers", CUSTOMER_POLL_TOPIC),
}
MASTER_PAGE_SIZE = 5

PAYOUTS_STREAM = "shopify_payouts"
PAYOUT_TOPIC = "shopify_payments/payout"  # a payout and its balance transactions (GraphQL)
BALANCE_TOPIC = "shopify_payments/balance_transaction"  # one not paid out yet
PAYOUT_OVERLAP = timedelta(days=3)  # payouts stay scheduled / in transit for days
PAYOUT_PAGE_SIZE = 10
BALANCE_PAGE_SIZE = 100
FINAL_PAYOUT_STATES = ("PAID", "FAILED", "CANCELED")

BULK_STREAM = "shopify_orders_bulk"
BULK_POLL_DELAY = 10  # seconds between two polls of a running bulk operation
BULK_MAX_FAILURES = 20  # polls that fail (network...) before the job gives up
BULK_CHUNK = 200  # events stored per chunk while reading the JSONL


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
    state = fields.Selection(
        selection_add=[("disconnected", "Disconnected")],
        ondelete={"disconnected": "set default"},
    )
    shopify_auth_method = fields.Selection(
        [
            ("token", "Admin API access token"),
            ("client_credentials", "Dev Dashboard app (client credentials)"),
        ],
        string="Authentication",
        default="token",
        required=True,
    )
    shopify_access_token = fields.Char(
        string="Admin API Access Token", groups=MANAGER_GROUP, copy=False
    )
    shopify_client_id = fields.Char(string="Client ID", groups=MANAGER_GROUP, copy=False)
    shopify_client_secret = fields.Char(string="Client Secret", groups=MANAGER_GROUP, copy=False)
    shopify_token_expires_at = fields.Datetime(
        string="Token Expires At",
        groups=MANAGER_GROUP,
        copy=False,
        readonly=True,
        help="Expiry of the token obtained with the client credentials; it is renewed "
        "automatically a few minutes before.",
    )
    shopify_granted_scopes = fields.Char(string="Granted Scopes", readonly=True, copy=False)
    shopify_webhook_status = fields.Text(string="Webhook Subscriptions", readonly=True, copy=False)
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
            self._shopify_access_token(),
            self.shopify_api_version or queries.API_VERSION,
        )

    def _shopify_access_token(self):
        """The token to call the Admin API with: the stored Admin API token, or for a Dev
        Dashboard app the client-credentials token, renewed before it expires."""
        self.ensure_one()
        backend = self.sudo()
        if backend.shopify_auth_method != "client_credentials":
            return backend.shopify_access_token
        expires_at = backend.shopify_token_expires_at
        if backend.shopify_access_token and expires_at and (
            expires_at - TOKEN_REFRESH_MARGIN > fields.Datetime.now()
        ):
            return backend.shopify_access_token
        return backend._shopify_refresh_token()

    def _shopify_refresh_token(self):
        """Client-credentials grant under a lock: one refresh per backend at a time. A job
        finding the lock taken retries shortly (and then finds the new token)."""
        self.ensure_one()
        cr = self.env.cr
        cr.execute(
            "SELECT pg_try_advisory_xact_lock(hashtext(%s))", [f"omni:{self.id}:shopify_token"]
        )
        if not cr.fetchone()[0]:
            raise RetryableJobError("another job is renewing the Shopify token", seconds=5)
        try:
            # The row too: a refresh committed since this transaction began makes this fail
            # (serialization) instead of renewing the token twice.
            with cr.savepoint(flush=False):
                cr.execute("SELECT id FROM omni_backend WHERE id = %s FOR UPDATE NOWAIT", [self.id])
        except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
            raise RetryableJobError(
                "the backend is being updated by another job", seconds=5
            ) from None
        backend = self.sudo()
        now = fields.Datetime.now()
        token, scopes, lifetime = request_client_credentials_token(
            backend.shopify_shop_url, backend.shopify_client_id, backend.shopify_client_secret
        )
        backend.write(
            {
                "shopify_access_token": token,
                # no lifetime announced: treat it as short-lived
                "shopify_token_expires_at": now + timedelta(seconds=lifetime or 600),
                "shopify_granted_scopes": ", ".join(sorted(filter(None, scopes.split(","))))
                or backend.shopify_granted_scopes,
            }
        )
        return token

    def _omni_test_connection(self):
        if self.channel != "shopify":
            return super()._omni_test_connection()
        try:
            data = self._shopify_adapter().execute(queries.SHOP_SCOPES_QUERY)
        except RetryableJobError as err:  # a user is waiting: report it, do not retry
            raise ShopifyConnectionError(_("Shopify is not available now: %s", err)) from None
        shop = data["shop"]
        granted = sorted(
            scope["handle"] for scope in (data.get("currentAppInstallation") or {}).get(
                "accessScopes"
            ) or []
        )
        self.shopify_granted_scopes = ", ".join(granted)
        covered = set(granted) | {"read_" + g[len("write_"):] for g in granted
                                  if g.startswith("write_")}
        missing = [scope for scope in REQUIRED_SCOPES if scope not in covered]
        message = _(
            "Connected to %(name)s (%(domain)s): plan %(plan)s, currency %(currency)s. "
            "Granted scopes: %(scopes)s.",
            name=shop["name"],
            domain=shop["myshopifyDomain"],
            plan=shop["plan"]["publicDisplayName"],
            currency=shop["currencyCode"],
            scopes=", ".join(granted) or _("none"),
        )
        if missing:
            message += " " + _("Missing scopes: %s.", ", ".join(missing))
        return message

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
        if topic in (POLL_TOPIC, BULK_TOPIC):
            limit = (
                queries.BULK_REFUNDS_LIMIT if topic == BULK_TOPIC else queries.ORDER_REFUNDS_LIMIT
            )
            if len(data.get("refunds") or []) >= limit:
                raise PayloadError(
                    f"order {event.external_id} has {limit} refunds or "
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
            # idempotent: unchanged movements are left alone; in a batch, at its flush
            importer.import_order_payments(self, [] if stale else payments, omni_order)
            if not stale:
                self._shopify_import_order_returns(omni_order, data)
            return links
        if topic in ORDER_TOPICS:
            order = parse_order_rest(data)
            links = importer.import_order(self, order)
            omni_order = self.env["omni.order"].browse(links.get("omni_order_id"))
            importer.import_order_payments(self, [], omni_order)
            if not (
                omni_order.channel_updated_at
                and omni_order.channel_updated_at > _naive(order.updated_at)
            ):
                self._shopify_import_order_returns(omni_order, data)
            return links
        if topic in RETURN_TOPICS:
            return_gid = return_gid_of_webhook(data)
            node = self._shopify_adapter().execute(queries.RETURN_QUERY, {"id": return_gid})
            if not node.get("return"):
                raise MappingError(
                    _("The shop does not know return %s.", return_gid), "return", return_gid
                )
            return self._shopify_import_return(event, node["return"])
        if topic == RETURN_POLL_TOPIC:
            return self._shopify_import_return(event, data)
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
        if topic == PAYOUT_TOPIC:
            payout = parse_payout(data.get("payout"), data.get("balance_transactions") or [])
            record = importer.import_payout(self, payout)
            return {"omni_payout_id": record.id}
        if topic == BALANCE_TOPIC:
            payments = importer.import_payments(self, [parse_balance_transaction(data)])
            return {"omni_payment_id": payments[:1].id}
        if topic in DISPUTE_TOPICS:
            payments = importer.import_payments(self, [parse_dispute_rest(data)])
            return {"omni_payment_id": payments[:1].id}
        if topic == "products/update":
            return self._shopify_match_variants(parse_product_rest(data), strict=False)
        if topic == PRODUCT_POLL_TOPIC:
            return self._shopify_match_variants(parse_product_graphql(data), strict=True)
        if topic == CUSTOMER_POLL_TOPIC:
            partner = importer._match_partner(self, parse_customer_graphql(data))
            return {"result_note": _("Customer bound to %s", partner.display_name)}
        if topic == "app/uninstalled":
            return self._shopify_uninstalled()
        raise PayloadError(f"Shopify topic {topic!r} is not handled")

    def _shopify_import_order_returns(self, omni_order, data):
        """An order that has returns (its ``returnStatus``), or had some in Odoo (a declined
        request leaves the order without return status): read its returns and import each
        right after the order, as an event of its own (``returns/graphql``, one per return
        and version), so that a return that cannot be imported fails visibly on its own
        without holding its order back. Unchanged returns are known events: skipped."""
        if not omni_order or not (order_return_status(data) or omni_order.return_ids):
            return
        node = self._shopify_adapter().execute(
            queries.ORDER_RETURNS_QUERY, {"id": f"gid://shopify/Order/{omni_order.external_id}"}
        ).get("order")
        returns = (node or {}).get("returns") or {}
        if (returns.get("pageInfo") or {}).get("hasNextPage"):
            raise PayloadError(
                f"order {omni_order.external_id} has more returns than the connector reads at "
                "once: import them from their returns/* webhooks"
            )
        vals_list = []
        for return_node in returns.get("nodes") or []:
            # the order's id, in case the node does not repeat it
            return_node = {**return_node, "order": {"id": node["id"]}}
            payload = json.dumps(return_node, sort_keys=True)
            external_id = str(return_node.get("id") or "").rsplit("/", 1)[-1]
            if not external_id:
                raise PayloadError(f"order {omni_order.external_id}: a return without id")
            vals_list.append(
                {
                    "topic": RETURN_POLL_TOPIC,
                    "external_id": external_id,
                    "idempotency_key": self.env["omni.event"]._idempotency_key(
                        self,
                        RETURN_POLL_TOPIC,
                        f"{external_id}@{hashlib.sha256(payload.encode()).hexdigest()[:16]}",
                    ),
                    "payload": payload,
                    "omni_order_id": omni_order.id,
                }
            )
        new, __ = self.env["omni.event"]._receive(self, vals_list, source="poll")
        if new:
            # The order's sale order first, outside the returns' savepoints: a return that
            # fails must not roll back the sale order of a batch flushed inside it.
            self.env["omni.importer"]._flush_batch()
        for return_event in new:
            return_event._process_one()

    def _shopify_import_return(self, event, node):
        """A return as the shop shows it now. One whose order is not imported yet waits for
        it a few attempts, then fails visibly naming the order."""
        for field in ("returnLineItems", "exchangeLineItems"):
            if (((node or {}).get(field) or {}).get("pageInfo") or {}).get("hasNextPage"):
                raise PayloadError(
                    f"return {node.get('name') or node.get('id')} has more {field} than the "
                    "connector reads: it is not imported in part"
                )
        ret = parse_return_graphql(node)
        omni_order = self.env["omni.order"].search(
            [("backend_id", "=", self.id), ("external_id", "=", ret.order_external_id)], limit=1
        )
        if not omni_order and event and event.attempts + 2 < self.max_attempts:
            raise RetryableJobError(
                f"return {ret.external_id}: order {ret.order_external_id} not imported yet",
                seconds=WAIT_FOR_ORDER,
            )
        record = self.env["omni.importer"].import_return(self, ret, omni_order=omni_order or None)
        links = {"omni_order_id": record.omni_order_id.id}
        if record.sync_note:
            links["result_note"] = record.sync_note
        return links

    def _shopify_match_variants(self, variants, strict):
        """Bind each variant to the Odoo product its SKU (else barcode) designates now; an
        ambiguous SKU is a mapping error. ``strict`` (the product pull) applies the backend's
        governance to unknown variants: create them where allowed, else a mapping error;
        otherwise (products/update) they are only reported."""
        from odoo.addons.omni_connector_base.models.omni_importer_master_data import ProductRef

        importer = self.env["omni.importer"]
        Binding = self.env["omni.external.id"]
        bound = Binding._lookup(self, "product", {v["external_id"] for v in variants})
        refs = {
            variant["external_id"]: ProductRef(variant["sku"], variant["barcode"], variant["name"])
            for variant in variants
        }
        # the importer's governance: SKU -> barcode -> create where the backend allows it
        found, ambiguous = importer._products_by_code(self, refs.values())
        if strict and self.create_products:
            missing = [ref for ref in refs.values() if ref not in found and ref not in ambiguous]
            found.update(importer._create_products([ref for ref in missing if ref.key]))
        rebound, unchanged, unknown, problems = 0, 0, [], []
        for variant in variants:
            ref = refs[variant["external_id"]]
            product = found.get(ref)
            if ref in ambiguous:
                problems.append(ambiguous[ref])
            elif not product:
                unknown.append(variant["sku"] or variant["barcode"] or variant["external_id"])
            elif bound.get(variant["external_id"]) == product:
                unchanged += 1
            else:
                Binding._bind(self, "product", variant["external_id"], product)
                rebound += 1
        if strict and unknown:
            problems.append(
                _(
                    "no Odoo product for %(refs)s and backend %(backend)s may not create products",
                    refs=", ".join(unknown),
                    backend=self.name,
                )
            )
        if problems:
            raise MappingError(
                _("Cannot map the product's variants: %s.", "; ".join(problems)), "product"
            )
        note = _("%(rebound)s variant(s) bound, %(same)s unchanged", rebound=rebound,
                 same=unchanged)
        if unknown:
            note += "; " + _("no Odoo product for %s", ", ".join(unknown))
        return {"result_note": note}

    def _shopify_uninstalled(self):
        """app/uninstalled: the token is dead. Mark the backend disconnected (crons skip it)
        and tell its responsible, once per uninstall."""
        if self.state == "disconnected":
            return {"result_note": _("Already marked disconnected.")}
        message = _(
            "The app was uninstalled from the shop: its token no longer works. Reinstall the "
            "app, update the credentials and test the connection."
        )
        self.write(
            {
                "state": "disconnected",
                "connection_message": message,
                "connection_checked_at": fields.Datetime.now(),
            }
        )
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=(self.responsible_user_id or self.env.ref("base.user_admin")).id,
            summary=_("Shopify app uninstalled from %s", self.name),
            note=message,
        )
        return {"result_note": message}

    # ------------------------------------------------------------------------------------
    # Pull (jobs; crons only enqueue)
    # ------------------------------------------------------------------------------------

    def action_shopify_pull_orders(self):
        for backend in self:
            backend._shopify_enqueue_pull()
        return True

    def _shopify_enqueue_pull(self, cursor=None, since=None, eta=None):
        self.ensure_one()
        return self._omni_delay(
            _("Shopify: pull orders of %s", self.name),
            eta=eta,
        )._shopify_pull_orders(cursor=cursor, since=since)

    @api.model
    def _cron_shopify_pull(self):
        for backend in self._shopify_active_backends():
            backend._shopify_enqueue_pull()

    @api.model
    def _shopify_active_backends(self):
        return self.search(
            [
                ("channel", "=", "shopify"),
                ("shopify_shop_url", "!=", False),
                ("state", "!=", "disconnected"),
            ]
        )

    def _shopify_search_since(self, stream_name, overlap):
        """The ``updated_at:>=`` bound of a search query: the stream's watermark less the
        overlap, as Shopify's search syntax writes it ("" for a first full pull)."""
        start = self._poll_window_start(stream_name, overlap)
        return start.strftime("%Y-%m-%dT%H:%M:%SZ") if start else ""

    def _shopify_pull_orders(self, cursor=None, since=None):
        """Job: page through the orders updated since the watermark minus an overlap; store
        each version as an omni.event (source "poll", one per order and ``updatedAt``) and
        enqueue their processing. Throttling and server errors raise RetryableJobError (the
        whole page walk is redone later: storing is idempotent)."""
        self.ensure_one()
        stream = self._stream(ORDERS_STREAM)
        if since is None:
            since = self._shopify_search_since(ORDERS_STREAM, POLL_OVERLAP)
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
                vals_list.append(self._shopify_order_event_vals(node))
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

    # ------------------------------------------------------------------------------------
    # Shopify Payments: payouts and their balance transactions
    # ------------------------------------------------------------------------------------

    def action_shopify_pull_payouts(self):
        for backend in self:
            backend._shopify_enqueue_payouts()
        return True

    @api.model
    def _cron_shopify_pull_payouts(self):
        for backend in self._shopify_active_backends():
            backend._shopify_enqueue_payouts()

    def _shopify_enqueue_payouts(self, cursor=None, since=None):
        self.ensure_one()
        return self._omni_delay(
            _("Shopify: pull Shopify Payments payouts of %s", self.name),
        )._shopify_pull_payouts(cursor=cursor, since=since)

    def _shopify_pull_payouts(self, cursor=None, since=None):
        """Job: payouts issued since the watermark minus an overlap, each stored with all its
        balance transactions as one event (a new event only when the payout or one of its
        transactions changed). Retryable errors redo the job later: storing is idempotent.
        The watermark never passes a payout still scheduled or in transit."""
        self.ensure_one()
        stream = self._stream(PAYOUTS_STREAM)
        if since is None:
            since = self._shopify_search_since(PAYOUTS_STREAM, PAYOUT_OVERLAP)
        adapter = self._shopify_adapter()
        Event = self.env["omni.event"]
        new_events = Event.browse()
        newest = oldest_open = None
        seen = 0
        try:
            for __ in range(MAX_PAGES_PER_JOB):
                variables = {"first": PAYOUT_PAGE_SIZE, "after": cursor}
                if since:
                    variables["query"] = f"issued_at:>={since}"
                account = adapter.execute(queries.PAYOUTS_QUERY, variables)[
                    "shopifyPaymentsAccount"
                ]
                if not account:
                    stream._mark_error(_("Shopify Payments is not activated on this shop."))
                    return _("Shopify Payments is not activated on this shop.")
                page = account["payouts"]
                vals_list = []
                for payout in page["nodes"]:
                    issued = _naive(parse_datetime(payout.get("issuedAt"), "issuedAt"))
                    newest = max(newest, issued) if newest else issued
                    if payout.get("status") not in FINAL_PAYOUT_STATES:
                        oldest_open = min(oldest_open, issued) if oldest_open else issued
                    txns = self._shopify_balance_transactions(
                        adapter, f"payments_transfer_id:{payout['legacyResourceId']}"
                    )
                    vals_list.append(
                        self._shopify_balance_event_vals(
                            PAYOUT_TOPIC,
                            payout["id"],
                            {"payout": payout, "balance_transactions": txns},
                            payout.get("issuedAt"),
                        )
                    )
                new, __known = Event._receive(self, vals_list, source="poll")
                new_events |= new
                seen += len(vals_list)
                cursor = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
                if not cursor:
                    break
            if not cursor:  # the walk is over: the movements no payout holds yet
                pending = self._shopify_balance_transactions(adapter, "payout_status:pending")
                vals_list = [
                    self._shopify_balance_event_vals(BALANCE_TOPIC, txn["id"], txn)
                    for txn in pending
                ]
                new_events |= Event._receive(self, vals_list, source="poll")[0]
        except ShopifyConnectionError as err:
            # Permanent (scope missing, token revoked): keep what was stored, show the error.
            new_events._enqueue()
            stream._mark_error(str(err))
            return _("Payout pull stopped: %s", err)
        new_events._enqueue()
        stream._mark_success(watermark=min(filter(None, (newest, oldest_open)), default=None))
        if cursor:  # more pages than one job walks: continue in a new job
            self._shopify_enqueue_payouts(cursor=cursor, since=since)
        return _("%(seen)s payout(s) seen, %(new)s new event(s)", seen=seen, new=len(new_events))

    def _shopify_balance_transactions(self, adapter, search):
        """Every balance transaction matching a search (one payout's, or the pending ones)."""
        txns, after = [], None
        while True:
            data = adapter.execute(
                queries.BALANCE_TRANSACTIONS_QUERY,
                {"first": BALANCE_PAGE_SIZE, "after": after, "query": search},
            )
            page = data["shopifyPaymentsAccount"]["balanceTransactions"]
            txns.extend(page["nodes"])
            if not page["pageInfo"]["hasNextPage"]:
                return txns
            after = page["pageInfo"]["endCursor"]

    def _shopify_balance_event_vals(self, topic, gid, data, when=None):
        payload = json.dumps(data, sort_keys=True)
        external_id = gid.rsplit("/", 1)[-1]
        digest = hashlib.sha256(payload.encode()).hexdigest()[:16]
        return {
            "topic": topic,
            "external_id": external_id,
            # same record, same content -> same event; a status change gives a new one
            "idempotency_key": self.env["omni.event"]._idempotency_key(
                self, topic, f"{external_id}:{digest}"
            ),
            "payload": payload,
            "channel_updated_at": _naive(parse_datetime(when, "issuedAt")),
        }

    # ------------------------------------------------------------------------------------
    # Initial backfill through a bulk operation
    # ------------------------------------------------------------------------------------

    def action_shopify_backfill_orders(self):
        for backend in self:
            backend._omni_delay(
                _("Shopify: start the bulk backfill of %s", backend.name),
            )._shopify_bulk_start()
        return True

    def _shopify_bulk_start(self):
        """Job: start a bulk query of every order; a follow-up job polls it."""
        self.ensure_one()
        stream = self._stream(BULK_STREAM)
        try:
            result = self._shopify_adapter().execute(
                queries.BULK_RUN_QUERY, {"query": queries.BULK_ORDERS_QUERY}
            )["bulkOperationRunQuery"]
        except ShopifyConnectionError as err:
            stream._mark_error(str(err))
            return _("Backfill not started: %s", err)
        errors = result.get("userErrors") or []
        if any(error.get("code") == "OPERATION_IN_PROGRESS" for error in errors):
            # one bulk query per app and shop at a time: wait for the other to end
            raise RetryableJobError("another bulk operation is running on the shop", seconds=60)
        if errors or not result.get("bulkOperation"):
            message = "; ".join(str(error.get("message")) for error in errors)
            stream._mark_error(message)
            return _("Backfill not started: %s", message)
        operation_id = result["bulkOperation"]["id"]
        stream.cursor = operation_id
        self._shopify_enqueue_bulk_poll(operation_id)
        return _("Bulk operation %s started", operation_id)

    def _shopify_enqueue_bulk_poll(self, operation_id):
        return self._omni_delay(
            _("Shopify: collect the bulk backfill of %s", self.name),
            eta=BULK_POLL_DELAY,
            max_retries=BULK_MAX_FAILURES,
        )._shopify_bulk_poll(operation_id)

    def _shopify_bulk_poll(self, operation_id):
        """Job: while the operation runs, ask queue_job to come back later (the wait does not
        count as a failed attempt); once completed, read its JSONL and store each order as the
        same event the paginated pull stores (so the two never duplicate each other)."""
        self.ensure_one()
        stream = self._stream(BULK_STREAM)
        adapter = self._shopify_adapter()
        try:
            operation = adapter.execute(queries.BULK_OPERATION_QUERY, {"id": operation_id})[
                "bulkOperation"
            ]
        except ShopifyConnectionError as err:
            stream._mark_error(str(err))
            return _("Backfill stopped: %s", err)
        if not operation:
            stream._mark_error(_("Bulk operation %s is unknown to the shop.", operation_id))
            return _("Bulk operation %s is unknown to the shop.", operation_id)
        status = operation["status"]
        if status in ("CREATED", "RUNNING", "CANCELING"):
            raise RetryableJobError(
                f"bulk operation {status.lower()}", seconds=BULK_POLL_DELAY, ignore_retry=True
            )
        if status != "COMPLETED":
            message = _(
                "Bulk operation %(id)s ended %(status)s (%(code)s)",
                id=operation_id,
                status=status,
                code=operation.get("errorCode") or "-",
            )
            stream._mark_error(message)
            return message
        Event = self.env["omni.event"]
        stored = new_count = 0
        watermark = None
        vals_list = []

        def store():
            nonlocal new_count
            new, __ = Event._receive(self, vals_list, source="poll")
            new._enqueue()
            new_count += len(new)
            vals_list.clear()

        if operation.get("url"):
            for node in iter_bulk_orders(download_lines(operation["url"])):
                vals = self._shopify_order_event_vals(node, BULK_TOPIC)
                watermark = max(watermark, vals["channel_updated_at"]) if watermark else (
                    vals["channel_updated_at"]
                )
                vals_list.append(vals)
                stored += 1
                if len(vals_list) >= BULK_CHUNK:
                    store()
        if vals_list:
            store()
        stream._mark_success()
        # The incremental pull continues from where the backfill ends.
        self._stream(ORDERS_STREAM)._mark_success(watermark=watermark)
        return _("%(seen)s order(s) read, %(new)s new event(s)", seen=stored, new=new_count)

    def _shopify_order_event_vals(self, node, topic=POLL_TOPIC):
        """Event values of one order node (pull or bulk): one event per order and update,
        whichever of the two reads it first."""
        updated = parse_datetime(node.get("updatedAt"), "updatedAt")
        external_id = str(node.get("id") or "").rsplit("/", 1)[-1]
        if not external_id:
            raise PayloadError("order node without id")
        return {
            "topic": topic,
            "external_id": external_id,
            "idempotency_key": self.env["omni.event"]._idempotency_key(
                self, POLL_TOPIC, f"{external_id}@{node.get('updatedAt')}"
            ),
            "payload": json.dumps(node),
            "channel_updated_at": _naive(updated),
        }

    # ------------------------------------------------------------------------------------
    # Webhook subscriptions
    # ------------------------------------------------------------------------------------

    def action_shopify_register_webhooks(self):
        for backend in self:
            backend._omni_delay(
                _("Shopify: check the webhook subscriptions of %s", backend.name),
            )._shopify_sync_webhooks()
        return True

    def _shopify_sync_webhooks(self):
        """Job: subscribe this backend's webhook URL to every topic of WEBHOOK_TOPICS that is
        not subscribed yet (other subscriptions of the shop are left alone); the outcome is
        kept on the backend."""
        self.ensure_one()
        uri = self.webhook_url
        adapter = self._shopify_adapter()
        existing, after = set(), None
        while True:
            page = adapter.execute(
                queries.WEBHOOK_SUBSCRIPTIONS_QUERY, {"first": 100, "after": after, "uri": uri}
            )["webhookSubscriptions"]
            existing.update(sub["topic"] for sub in page["nodes"] if sub.get("uri") == uri)
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        created, present, failed = [], [], []
        for topic in WEBHOOK_TOPICS:
            enum = topic.upper().replace("/", "_")
            if enum in existing:
                present.append(topic)
                continue
            result = adapter.execute(
                queries.WEBHOOK_CREATE_QUERY,
                {"topic": enum, "subscription": {"uri": uri, "format": "JSON"}},
            )["webhookSubscriptionCreate"]
            errors = result.get("userErrors") or []
            if errors or not result.get("webhookSubscription"):
                failed.append(f"{topic}: " + "; ".join(str(e.get("message")) for e in errors))
            else:
                created.append(topic)
        status = _(
            "%(uri)s: %(created)s subscribed now, %(present)s already subscribed, "
            "%(failed)s refused.",
            uri=uri,
            created=len(created),
            present=len(present),
            failed=len(failed),
        )
        if failed:
            status += "\n" + "\n".join(failed)
        self.shopify_webhook_status = status
        return status

    # ------------------------------------------------------------------------------------
    # Master data: products and customers
    # ------------------------------------------------------------------------------------

    def action_shopify_pull_master_data(self):
        for backend in self:
            for stream_name in MASTER_PULLS:
                backend._shopify_enqueue_master(stream_name)
        return True

    @api.model
    def _cron_shopify_pull_master_data(self):
        self._shopify_active_backends().action_shopify_pull_master_data()

    def _shopify_enqueue_master(self, stream_name, cursor=None, since=None):
        self.ensure_one()
        return self._omni_delay(
            _("Shopify: pull %(what)s of %(name)s", what=stream_name, name=self.name),
        )._shopify_pull_master(stream_name, cursor=cursor, since=since)

    def _shopify_pull_master(self, stream_name, cursor=None, since=None):
        """Job: products (with their variants) or customers updated since the watermark minus
        an overlap, one event per record and update; processing matches them under the
        backend's governance (mapping, SKU / barcode or email / phone, create if allowed)."""
        self.ensure_one()
        query_name, field, topic = MASTER_PULLS[stream_name]
        stream = self._stream(stream_name)
        if since is None:
            since = self._shopify_search_since(stream_name, POLL_OVERLAP)
        adapter = self._shopify_adapter()
        Event = self.env["omni.event"]
        new_events = Event.browse()
        watermark, seen = None, 0
        try:
            for __ in range(MAX_PAGES_PER_JOB):
                variables = {"first": MASTER_PAGE_SIZE, "after": cursor}
                if since:
                    variables["query"] = f"updated_at:>={since}"
                page = adapter.execute(getattr(queries, query_name), variables)[field]
                vals_list = []
                for node in page["nodes"]:
                    updated = _naive(parse_datetime(node.get("updatedAt"), "updatedAt"))
                    watermark = max(watermark, updated) if watermark else updated
                    external_id = node["id"].rsplit("/", 1)[-1]
                    vals_list.append(
                        {
                            "topic": topic,
                            "external_id": external_id,
                            "idempotency_key": Event._idempotency_key(
                                self, topic, f"{external_id}@{node.get('updatedAt')}"
                            ),
                            "payload": json.dumps(node),
                            "channel_updated_at": updated,
                        }
                    )
                new, __known = Event._receive(self, vals_list, source="poll")
                new_events |= new
                seen += len(vals_list)
                cursor = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
                if not cursor:
                    break
        except ShopifyConnectionError as err:
            new_events._enqueue()
            stream._mark_error(str(err))
            return _("Pull stopped: %s", err)
        new_events._enqueue()
        # sorted by update: what was stored is older than what is left
        stream._mark_success(watermark=watermark)
        if cursor:
            self._shopify_enqueue_master(stream_name, cursor=cursor, since=since)
        return _("%(seen)s record(s) seen, %(new)s new event(s)", seen=seen, new=len(new_events))
