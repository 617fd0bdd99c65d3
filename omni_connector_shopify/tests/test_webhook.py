"""Shopify webhooks over real HTTP: HMAC verified over the raw body, fail closed, deduplicated
on X-Shopify-Webhook-Id, parsed without an extra API call; failures never half-write."""

import json

from omni_sandboxes.shopify_sandbox import sign_webhook, webhook_headers

from odoo.tests import HttpCase, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import SECRET, ShopifyCase


@tagged("post_install", "-at_install")
class TestShopifyWebhook(ShopifyCase, HttpCase):
    def post(self, body, headers):
        return self.url_open(
            f"/omni/webhook/shopify/{self.backend.id}", data=body, headers=headers, timeout=20
        )

    def rest_body(self, index=0):
        return json.dumps(self.world.order_rest(self.world.orders[index])).encode()

    def test_signed_order_webhook_is_stored_once_and_imports(self):
        body = self.rest_body(1)
        headers = webhook_headers(body, SECRET, "orders/create", webhook_id="wh-100")
        for __ in range(2):
            response = self.post(body, headers)
            self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json(), {"received": 0, "duplicates": 1})
        event = self.events()
        self.assertEqual(len(event), 1)
        order = self.world.orders[1]
        self.assertEqual(
            (event.topic, event.external_id, event.source),
            ("orders/create", order["id"].rsplit("/", 1)[-1], "webhook"),
        )
        self.assertEqual(event.payload.encode(), body)
        self.assertNotIn("X-Shopify-Hmac-Sha256", event.headers or {})
        self.assertEqual(
            event.channel_updated_at.strftime("%Y-%m-%dT%H:%M:%SZ"), order["updatedAt"]
        )
        jobs = self.env["queue.job"].search(
            [("model_name", "=", "omni.event"), ("method_name", "=", "_process_job")]
        )
        self.assertEqual(jobs.channel, "root.omni.shopify")
        event._process_job()
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(event.sale_order_id.omni_external_ref, event.external_id)
        self.assertEqual(
            str(event.sale_order_id.amount_total),
            str(float(order["totalPriceSet"]["shopMoney"]["amount"])),
        )

    def test_duplicate_and_out_of_order_webhooks_converge_with_the_pull(self):
        deliveries = self.world.webhooks_for_delivery(shuffle_seed=5, duplicates=4)
        for topic, payload, webhook_id in deliveries:
            body = json.dumps(payload).encode()
            response = self.post(body, webhook_headers(body, SECRET, topic, webhook_id))
            self.assertEqual(response.status_code, 200, response.text)
        events = self.events()
        self.assertEqual(len(events), len(self.world.orders))
        events._process_job()
        self.assertFalse(
            events.filtered(lambda e: e.state != "done"), events.mapped("error_message")
        )
        from_webhooks = self.snapshot()
        self.assertEqual(len(from_webhooks[0]), len(self.world.orders))
        self.backend._shopify_pull_orders()
        pulled = self.events(topic="orders/graphql")
        pulled._process_job()
        self.assertTrue(all("Unchanged" in (e.result_note or "") for e in pulled))
        # the pull adds the transactions webhooks bring separately (and registers them);
        # sale orders, invoices and credit notes are identical
        self.assertEqual(self.snapshot()[:2], from_webhooks[:2])
        payments = self.env["omni.payment"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(len(payments), sum(len(o["transactions"]) for o in self.world.orders))

    def test_bad_or_missing_hmac_is_rejected_and_nothing_stored(self):
        body = self.rest_body()
        good = webhook_headers(body, SECRET, "orders/create")
        bad = dict(good, **{"X-Shopify-Hmac-Sha256": sign_webhook(body, "not-the-secret")})
        missing = {k: v for k, v in good.items() if k != "X-Shopify-Hmac-Sha256"}
        tampered = body.replace(b'"#1001"', b'"#6666"')
        self.assertNotEqual(tampered, body)
        with self.assertLogs("odoo.addons.omni_connector_base.controllers.webhook", "WARNING"):
            self.assertEqual(self.post(body, bad).status_code, 401)
            self.assertEqual(self.post(body, missing).status_code, 401)
            self.assertEqual(self.post(tampered, good).status_code, 401)
            self.backend.webhook_secret = False  # fail closed
            self.assertEqual(self.post(body, good).status_code, 401)
        self.assertFalse(self.events())

    def test_webhook_and_pull_of_the_same_order_converge(self):
        body = self.rest_body(4)  # a refunded order
        self.assertEqual(
            self.post(body, webhook_headers(body, SECRET, "orders/updated")).status_code, 200
        )
        self.events()._process_job()
        snapshot = self.snapshot()
        self.backend._shopify_pull_orders()
        self.events(state="received")._process_job()
        pulled = self.events(
            topic="orders/graphql", external_id=self.events(topic="orders/updated").external_id
        )
        self.assertEqual(pulled.state, "done")
        self.assertIn("Unchanged", pulled.result_note or "")
        self.assertEqual(
            [row for row in self.snapshot()[0] if row[0] == pulled.external_id], snapshot[0]
        )


@tagged("post_install", "-at_install")
class TestFailures(ShopifyCase):
    def receive(self, topic, payload, webhook_id):
        new = self.receive_webhook(topic, payload, webhook_id)
        new._process_job()
        return new

    def test_unknown_sku_fails_visibly_and_writes_nothing(self):
        rest = self.world.order_rest(self.world.orders[0])
        rest["line_items"][0]["sku"] = "NOT-IN-ODOO"
        event = self.receive("orders/create", rest, "wh-sku")
        self.assertEqual(event.state, "failed")
        self.assertEqual(event.error_class, "mapping")
        self.assertIn("NOT-IN-ODOO", event.error_message)
        self.assertFalse(self.sale_orders())
        self.assertFalse(self.env["omni.order"].search([("backend_id", "=", self.backend.id)]))

    def test_missing_tax_mapping_fails_visibly_and_writes_nothing(self):
        self.backend.tax_map_ids.unlink()
        partners = self.env["res.partner"].search_count([])
        event = self.receive("orders/create", self.world.order_rest(self.world.orders[0]), "wh-tax")
        self.assertEqual((event.state, event.error_class), ("failed", "mapping"))
        self.assertIn("VAT", event.error_message)
        self.assertFalse(self.sale_orders())
        self.assertEqual(self.env["res.partner"].search_count([]), partners)

    def test_refund_and_transaction_topics(self):
        order = self.world.orders[4]
        rest = self.world.order_rest(order)
        refunds = rest.pop("refunds")
        rest["financial_status"] = "paid"
        self.assertEqual(self.receive("orders/create", rest, "wh-o").state, "done")
        event = self.receive("refunds/create", refunds[0], "wh-r")
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(len(event.omni_order_id.credit_note_ids), 1)
        txn = self.receive(
            "order_transactions/create", self.world.transaction_rest(order, 0), "wh-t"
        )
        self.assertEqual(txn.state, "done", txn.error_message)
        self.assertTrue(txn.omni_payment_id.processor_reference.startswith("ch_"))
        self.assertEqual(txn.omni_payment_id.order_id, event.omni_order_id)

    def test_order_edit_sample_enqueues_a_pull(self):
        from .test_parser import load_sample

        with trap_jobs() as trap:
            event = self.receive("orders/edited", load_sample("orders/edited"), "wh-edit")
            pulls = [j for j in trap.enqueued_jobs if j.method_name == "_shopify_pull_orders"]
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(event.external_id, "820982911946154500")
        self.assertEqual(len(pulls), 1)
        self.assertFalse(self.sale_orders())

    def test_older_update_never_overwrites_newer(self):
        newer = self.world.order_rest(self.world.orders[2])
        older = dict(newer, updated_at="2020-01-01T00:00:00Z", financial_status="pending")
        self.assertEqual(self.receive("orders/updated", newer, "wh-new").state, "done")
        stale = self.receive("orders/updated", older, "wh-old")
        self.assertEqual(stale.state, "done")
        self.assertIn("Stale", stale.result_note)
        self.assertEqual(stale.omni_order_id.financial_status, "paid")
