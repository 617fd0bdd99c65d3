"""The app side of the Shopify backend: client-credentials tokens renewed under a lock before
they expire, the connection test reporting plan, currency and scopes, webhook subscriptions
registered idempotently, and every subscribed topic accepted and processed."""

import json
from datetime import timedelta
from decimal import Decimal

from omni_sandboxes.shopify_payments import enable_client_credentials, expire_tokens
from omni_sandboxes.shopify_sandbox import webhook_headers

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from ..const import RETURN_TOPICS, WEBHOOK_TOPICS
from .common import SECRET, ShopifyCase
from .test_parser import load_sample

CLIENT_ID = "omni-dev-dashboard-app"
CLIENT_SECRET = "shpss_client_secret_never_logged"
TOKEN_PATH = "/admin/oauth/access_token"


@tagged("post_install", "-at_install")
class TestClientCredentials(ShopifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cc_backend = cls.backend.copy(
            {
                "name": "Dev Dashboard app",
                "shopify_auth_method": "client_credentials",
                "shopify_client_id": CLIENT_ID,
                "shopify_client_secret": CLIENT_SECRET,
            }
        )
        # the same shop reached by the app: the token backend stands aside (one active
        # backend per shop and company)
        cls.backend.active = False

    def setUp(self):
        super().setUp()
        enable_client_credentials(self.sandbox, CLIENT_ID, CLIENT_SECRET, lifetime=3600)
        self.addCleanup(setattr, self.sandbox, "client_credentials", None)

    def token_requests(self):
        return [r for r in self.sandbox.requests if r.path == TOKEN_PATH]

    def test_connection_gets_a_token_and_reports_plan_currency_scopes(self):
        self.cc_backend.action_test_connection()
        self.assertEqual(self.cc_backend.state, "connected", self.cc_backend.connection_message)
        message = self.cc_backend.connection_message
        for expected in (
            "Omni Sandbox Shop",
            "Advanced",
            "EUR",
            "read_orders",
            "read_shopify_payments_payouts",
        ):
            self.assertIn(expected, message)
        self.assertNotIn("Missing", message)
        self.assertIn("read_orders", self.cc_backend.shopify_granted_scopes)
        (request,) = self.token_requests()
        self.assertIn(b"grant_type=client_credentials", request.body)
        token = self.cc_backend.sudo().shopify_access_token
        self.assertTrue(token.startswith("shpat_cc_"))
        expires = self.cc_backend.sudo().shopify_token_expires_at
        self.assertAlmostEqual(
            expires, fields.Datetime.now() + timedelta(seconds=3600), delta=timedelta(seconds=30)
        )
        # valid for long enough: reused, no second token request
        self.cc_backend.action_test_connection()
        self.assertEqual(len(self.token_requests()), 1)
        self.assertEqual(self.cc_backend.sudo().shopify_access_token, token)

    def test_token_is_renewed_before_expiry(self):
        self.cc_backend._shopify_access_token()
        old = self.cc_backend.sudo().shopify_access_token
        # two minutes left: inside the renewal margin
        self.cc_backend.sudo().shopify_token_expires_at = fields.Datetime.now() + timedelta(
            minutes=2
        )
        expire_tokens(self.sandbox)  # the shop has expired it meanwhile
        with trap_jobs():
            self.cc_backend._shopify_pull_orders()
        self.assertEqual(len(self.token_requests()), 2)
        self.assertNotEqual(self.cc_backend.sudo().shopify_access_token, old)
        self.assertEqual(len(self.events(self.cc_backend)), len(self.world.orders))

    def test_refresh_waits_for_the_lock(self):
        with self.env.registry.cursor() as other:
            other.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"omni:{self.cc_backend.id}:token"]
            )
            with self.assertRaises(RetryableJobError):
                self.cc_backend._shopify_access_token()
        self.assertFalse(self.token_requests(), "no token asked while another job renews it")
        self.assertTrue(self.cc_backend._shopify_access_token())

    def test_bad_client_secret_fails_cleanly_without_leaking_it(self):
        bad = self.cc_backend.copy(
            {
                "name": "Wrong secret",
                "shopify_client_id": CLIENT_ID,
                "shopify_client_secret": "shpss_wrong_secret_value",
            }
        )
        bad.action_test_connection()
        self.assertEqual(bad.state, "error")
        self.assertIn("refused the client credentials", bad.connection_message)
        self.assertNotIn("shpss_wrong_secret_value", bad.connection_message)
        self.assertFalse(bad.sudo().shopify_access_token)

    def test_missing_scopes_are_reported(self):
        self.sandbox.access_scopes = ("read_orders", "write_products")
        self.addCleanup(delattr, self.sandbox, "access_scopes")
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "connected")
        message = self.backend.connection_message
        self.assertIn(
            "Missing scopes: read_returns, read_customers, read_shopify_payments_payouts, "
            "read_locations, "
            "write_inventory, write_merchant_managed_fulfillment_orders",
            message,
        )
        self.assertNotIn("read_products", message.split("Missing")[1], "write_ implies read_")

    def test_secret_fields_are_manager_only_and_not_copied(self):
        Backend = self.env["omni.backend"]
        for name in ("shopify_client_secret", "shopify_token_expires_at", "shopify_client_id"):
            field = Backend._fields[name]
            self.assertEqual(field.groups, "omni_connector_base.group_omni_manager", name)
            self.assertFalse(field.copy, name)


@tagged("post_install", "-at_install")
class TestWebhookSubscriptions(ShopifyCase):
    def setUp(self):
        super().setUp()
        self.sandbox.webhook_subscriptions = []

    def test_register_then_check_is_idempotent(self):
        other = "https://other-app.example.com/hooks"
        self.sandbox.webhook_subscriptions.append(
            {
                "__typename": "WebhookSubscription",
                "id": "gid://shopify/WebhookSubscription/9",
                "topic": "ORDERS_CREATE",
                "uri": other,
                "format": "JSON",
            }
        )
        with trap_jobs() as trap:
            self.backend.action_shopify_register_webhooks()
            trap.assert_jobs_count(1, only=self.backend._shopify_sync_webhooks)
        status = self.backend._shopify_sync_webhooks()
        self.assertIn(
            f"{len(WEBHOOK_TOPICS)} subscribed now, 0 already subscribed, 0 refused", status
        )
        ours = [
            s for s in self.sandbox.webhook_subscriptions if s["uri"] == self.backend.webhook_url
        ]
        self.assertEqual(
            sorted(s["topic"] for s in ours),
            sorted(t.upper().replace("/", "_") for t in WEBHOOK_TOPICS),
        )
        self.assertTrue(
            self.backend.webhook_url.endswith(f"/omni/webhook/shopify/{self.backend.id}")
        )
        status = self.backend._shopify_sync_webhooks()
        self.assertIn(f"0 subscribed now, {len(WEBHOOK_TOPICS)} already subscribed", status)
        self.assertEqual(self.backend.shopify_webhook_status, status)
        self.assertEqual(len(self.sandbox.webhook_subscriptions), len(WEBHOOK_TOPICS) + 1)
        self.assertIn(other, [s["uri"] for s in self.sandbox.webhook_subscriptions])

    def test_refused_subscriptions_are_reported(self):
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "not a url")
        self.backend.invalidate_recordset(["webhook_url"])
        status = self.backend._shopify_sync_webhooks()
        self.assertIn(
            f"0 subscribed now, 0 already subscribed, {len(WEBHOOK_TOPICS)} refused", status
        )
        self.assertIn("Address is invalid", status)


PRODUCT_TOPIC = "products/update"


@tagged("post_install", "-at_install")
class TestTopics(ShopifyCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.CAD").active = True  # the dispute samples are in CAD

    def post(self, topic, payload, webhook_id=None):
        body = json.dumps(payload).encode()
        return self.url_open(
            f"/omni/webhook/shopify/{self.backend.id}",
            data=body,
            headers=webhook_headers(body, SECRET, topic, webhook_id),
            timeout=20,
        )

    def product_payload(self, sku, barcode=None, index=0):
        product, variants = self.world.products[index]
        variant = variants[0]
        return {
            "id": int(product["id"].rsplit("/", 1)[-1]),
            "admin_graphql_api_id": product["id"],
            "title": product["title"],
            "updated_at": "2026-10-05T10:00:00-04:00",
            "variants": [
                {
                    "id": int(variant["id"].rsplit("/", 1)[-1]),
                    "admin_graphql_api_id": variant["id"],
                    "product_id": int(product["id"].rsplit("/", 1)[-1]),
                    "title": "Default Title",
                    "sku": sku,
                    "barcode": barcode,
                    "price": variant["price"],
                }
            ],
        }

    def samples(self):
        payloads = {
            topic: load_sample(topic)
            for topic in WEBHOOK_TOPICS
            if topic
            not in (
                "products/update",
                "app/uninstalled",
                "inventory_levels/update",
                *RETURN_TOPICS[1:],
            )
        }
        # The reference set documents returns/request only; every returns/* topic carries
        # the same return record, in its new status.
        for topic in RETURN_TOPICS[1:]:
            payloads[topic] = dict(payloads["returns/request"], status=topic.split("/")[1])
        # Topics without a documented sample in the reference set: Shopify's documented shape.
        payloads["inventory_levels/update"] = {
            "inventory_item_id": 271878346596884000,
            "location_id": 24826418,
            "available": 3,
            "updated_at": "2026-10-05T10:00:00-04:00",
            "admin_graphql_api_id": "gid://shopify/InventoryLevel/24826418?inventory_item_id=271878346596884015",
        }
        payloads[PRODUCT_TOPIC] = self.product_payload(self.world.products[0][1][0]["sku"])
        payloads["app/uninstalled"] = {
            "id": 548380009,
            "name": "Omni Sandbox Shop",
            "email": "owner@example.com",
            "domain": None,
            "myshopify_domain": "omni-sandbox.myshopify.com",
            "currency": "EUR",
            "plan_name": "advanced",
            "updated_at": "2026-10-05T10:00:00Z",
        }
        return payloads

    def test_every_subscribed_topic_is_accepted(self):
        for topic, payload in self.samples().items():
            response = self.post(topic, payload)
            self.assertEqual(response.status_code, 200, f"{topic}: {response.text}")
            self.assertEqual(response.json(), {"received": 1, "duplicates": 0}, topic)
            self.assertEqual(len(self.events(topic=topic)), 1, topic)
        mine = self.events().filtered(
            lambda e: e.topic.split("/")[0] not in ("fulfillments", "inventory_levels")
        )
        mine._process_job()
        for event in mine:
            # the documented samples are of another shop (USD, unknown SKUs): an order may
            # fail to map, a refund, a transaction or a dispute waits for its order, but
            # every payload must be understood
            waits = event.error_class == "retryable" and (
                event.topic in ("refunds/create", "order_transactions/create")
                or event.topic.startswith("disputes/")
            )
            self.assertTrue(
                event.state == "done" or event.error_class in ("mapping", "currency") or waits,
                f"{event.topic}: {event.error_class} {event.error_message}",
            )
        for topic in ("disputes/create", "disputes/update"):
            event = self.events(topic=topic)
            self.assertEqual((event.state, event.error_class), ("waiting", "retryable"), topic)
            self.assertIn("not imported yet", event.error_message)
        for topic in (
            PRODUCT_TOPIC,
            "app/uninstalled",
            "orders/edited",
        ):
            event = self.events(topic=topic)
            self.assertEqual(event.state, "done", f"{topic}: {event.error_message}")

    def test_disputes_become_dispute_payments(self):
        self.env.ref(f"base.{load_sample('disputes/create')['currency']}").active = True
        rest = self.world.order_rest(self.world.orders[0])
        self.post("orders/create", rest, "wh-order-1")
        self.events()._process_job()  # the order first: a dispute waits for its order
        sample = dict(load_sample("disputes/create"), order_id=rest["id"])
        self.post("disputes/create", sample, "wh-dispute-1")
        self.post("disputes/update", dict(sample, status="won"), "wh-dispute-2")
        events = self.events().filtered(lambda e: e.topic.startswith("disputes/"))
        events.sorted("id")._process_job()
        self.assertEqual(set(events.mapped("state")), {"done"}, events.mapped("error_message"))
        payment = self.env["omni.payment"].search(
            [("backend_id", "=", self.backend.id), ("payment_type", "=", "dispute")]
        )
        self.assertEqual(len(payment), 1, "create and update are one movement")
        self.assertEqual(payment.external_id, f"dispute:{sample['id']}")
        self.assertEqual(payment.payment_type, "dispute")
        self.assertEqual(Decimal(str(payment.amount)), -Decimal(sample["amount"]))
        self.assertEqual(payment.currency_id.name, sample["currency"])
        self.assertEqual(payment.status, "won")
        self.assertEqual(payment.order_external_ref, str(sample["order_id"]))
        self.assertEqual(events.mapped("omni_payment_id"), payment)

    def test_products_update_rematches_the_binding(self):
        variant_id = self.world.products[0][1][0]["id"].rsplit("/", 1)[-1]
        Binding = self.env["omni.external.id"]

        def bound():
            return Binding._lookup(self.backend, "product", [variant_id]).get(variant_id)

        def receive(payload, webhook_id):
            self.post(PRODUCT_TOPIC, payload, webhook_id)
            event = self.events(topic=PRODUCT_TOPIC).sorted("id")[-1]
            event._process_one()
            return event

        event = receive(self.product_payload(self.products[0].default_code), "wh-p1")
        self.assertEqual((event.state, bound()), ("done", self.products[0]))
        # the merchant gives the variant another product's SKU: the binding follows it
        event = receive(self.product_payload(self.products[1].default_code), "wh-p2")
        self.assertEqual((event.state, bound()), ("done", self.products[1]))
        # barcode when no SKU matches
        self.products[2].barcode = "4006381333931"
        event = receive(self.product_payload("", barcode="4006381333931"), "wh-p3")
        self.assertEqual(bound(), self.products[2])
        # an unknown SKU creates nothing and keeps the binding
        count = self.env["product.product"].search_count([])
        event = receive(self.product_payload("NOT-IN-ODOO"), "wh-p4")
        self.assertEqual(event.state, "done")
        self.assertIn("no Odoo product for NOT-IN-ODOO", event.result_note)
        self.assertEqual(self.env["product.product"].search_count([]), count)
        self.assertEqual(bound(), self.products[2])
        # an ambiguous SKU is a visible mapping error, never a guess
        self.products[3].default_code = self.products[4].default_code
        event = receive(self.product_payload(self.products[4].default_code), "wh-p5")
        self.assertEqual((event.state, event.error_class), ("failed", "mapping"))
        self.assertEqual(bound(), self.products[2])

    def test_app_uninstalled_disconnects_and_tells_the_responsible(self):
        payload = self.samples()["app/uninstalled"]
        self.post("app/uninstalled", payload, "wh-uninstall")
        event = self.events(topic="app/uninstalled")
        event._process_one()
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(self.backend.state, "disconnected")
        activities = self.backend.activity_ids.filtered(lambda a: "uninstalled" in a.summary)
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.backend.responsible_user_id)
        # replaying changes nothing; crons leave a disconnected backend alone
        event.action_replay()
        event._process_one()
        self.assertEqual(
            len(self.backend.activity_ids.filtered(lambda a: "uninstalled" in a.summary)), 1
        )
        with trap_jobs() as trap:
            self.env["omni.backend"]._cron_shopify_pull()
            self.env["omni.backend"]._cron_shopify_pull_payouts()
        self.assertFalse([job for job in trap.enqueued_jobs if job.recordset == self.backend])
        # reconnecting: a successful connection test makes it connected again
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "connected")
