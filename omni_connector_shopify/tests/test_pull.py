"""A seeded shop imported through the sandbox and the pull job gives exactly the expected sale
orders; replays change nothing; the same run under faults converges to the same result."""

import json
from datetime import timedelta
from decimal import Decimal
from unittest.mock import patch

from omni_sandboxes.shopify_sandbox import iso, parse_iso

from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from ..tools import queries
from ..tools.adapter import ShopifyAdapter
from .common import N_ORDERS, TOKEN, ShopifyCase


def _shop(bag):
    return Decimal(bag["shopMoney"]["amount"])


def _short_timeout_adapter(self):
    return ShopifyAdapter(self.shopify_shop_url, self.sudo().shopify_access_token, timeout=0.5)


@tagged("post_install", "-at_install")
class TestPull(ShopifyCase):
    def pull_until_done(self, backend=None, max_runs=30):
        """Run the pull job (and its continuations) the way queue_job would, retrying after
        retryable errors; returns how many retryable errors happened."""
        backend = backend or self.backend
        retries = 0
        for __ in range(max_runs):
            with trap_jobs() as trap:
                try:
                    with self.env.cr.savepoint():  # a failed job's transaction is rolled back
                        backend._shopify_pull_orders()
                except RetryableJobError:
                    retries += 1
                    continue
                continuations = [
                    job for job in trap.enqueued_jobs if job.method_name == "_shopify_pull_orders"
                ]
                self.assertFalse(continuations, "the pull fits in one job here")
            break
        else:
            self.fail("the pull never converged")
        self.process_all(backend)
        return retries

    def process_all(self, backend=None):
        self.events(backend, state="received")._process_job()

    def expected(self):
        return {
            o["id"].rsplit("/", 1)[-1]: (_shop(o["totalPriceSet"]), _shop(o["totalTaxSet"]))
            for o in self.world.orders
        }

    def test_pull_imports_the_shop_exactly(self):
        self.assertEqual(self.pull_until_done(), 0)
        failed = self.events().filtered(lambda e: e.state != "done")
        self.assertFalse(failed, failed.mapped("error_message"))
        orders = self.sale_orders()
        self.assertEqual(len(orders), N_ORDERS)
        expected = self.expected()
        for so in orders:
            total, tax = expected[so.omni_external_ref]
            self.assertEqual(
                Decimal(str(so.amount_total)).quantize(Decimal("0.01")), total, so.client_order_ref
            )
            self.assertEqual(Decimal(str(so.amount_tax)).quantize(Decimal("0.01")), tax)
            self.assertEqual(so.currency_id, self.eur)
        omni_orders = self.env["omni.order"].search([("backend_id", "=", self.backend.id)])
        by_ext = {o["id"].rsplit("/", 1)[-1]: o for o in self.world.orders}
        for omni in omni_orders:
            node = by_ext[omni.external_id]
            self.assertEqual(omni.presentment_currency_id.name, node["presentmentCurrencyCode"])
            self.assertAlmostEqual(
                omni.amount_total_presentment,
                float(node["totalPriceSet"]["presentmentMoney"]["amount"]),
            )
        refunded = [o for o in self.world.orders if o["refunds"]]
        credit_notes = self.env["account.move"].search(
            [("omni_backend_id", "=", self.backend.id), ("move_type", "=", "out_refund")]
        )
        self.assertEqual(len(credit_notes), len(refunded))
        # the pull brings the transactions too, with the Stripe charge ids
        payments = self.env["omni.payment"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(len(payments), sum(len(o["transactions"]) for o in self.world.orders))
        self.assertTrue(all(p.processor_reference.startswith("ch_") for p in payments))
        self.assertTrue(all(p.order_id for p in payments))
        self.assertEqual(set(payments.mapped("payment_type")), {"charge", "refund"})
        # customers matched by email: one partner per sandbox customer used
        emails = {o["email"] for o in self.world.orders}
        self.assertEqual(set(orders.partner_id.mapped("email")), emails)
        stream = self.backend._stream("orders")
        self.assertEqual(
            stream.watermark.strftime("%Y-%m-%dT%H:%M:%SZ"),
            max(o["updatedAt"] for o in self.world.orders),
        )
        # the calls carried the token and were validated by the sandbox
        requests = self.sandbox.graphql_requests()
        self.assertTrue(requests)
        for request in requests:
            headers = {key.lower(): value for key, value in request.headers.items()}
            self.assertEqual(headers.get("x-shopify-access-token"), TOKEN)

    def test_replays_change_nothing(self):
        self.pull_until_done()
        before = self.snapshot()
        events_before = len(self.events())
        self.backend._stream("orders").watermark = False  # re-read the whole shop
        self.pull_until_done()
        self.assertEqual(len(self.events()), events_before, "unchanged orders: no new event")
        for __ in range(2):
            self.events().sudo().write({"state": "received"})
            self.process_all()
            self.assertEqual(self.snapshot(), before)
        self.assertFalse(self.events().filtered(lambda e: e.state != "done"))

    def test_updated_order_is_pulled_again_within_overlap(self):
        self.pull_until_done()
        order = self.world.orders[0]
        stream = self.backend._stream("orders")
        newer = parse_iso(max(o["updatedAt"] for o in self.world.orders)) + timedelta(minutes=1)
        self.world.touch(order["id"], newer, note="gift wrap")
        self.pull_until_done()
        self.assertEqual(stream.watermark.strftime("%Y-%m-%dT%H:%M:%SZ"), iso(newer))
        latest = self.events(external_id=order["id"].rsplit("/", 1)[-1])
        self.assertEqual(len(latest), 2)
        self.assertTrue(all(e.state == "done" for e in latest))

    def test_two_new_versions_in_one_batch_store_each_movement_once(self):
        """Two updates of an imported order processed in one batch: their movements, imported
        together at the batch's flush, are stored once each, as the later version says, and
        the batch needs no one-by-one retry."""
        self.pull_until_done()
        order_id = self.world.orders[0]["id"].rsplit("/", 1)[-1]
        order = json.loads(self.events(external_id=order_id).payload)  # the node as pulled
        self.assertTrue(order["transactions"])
        Payment = self.env["omni.payment"]
        count = Payment.search_count([("backend_id", "=", self.backend.id)])
        later = parse_iso(max(o["updatedAt"] for o in self.world.orders))
        nodes = []
        for minutes, status in ((1, "PENDING"), (2, "FAILURE")):
            node = json.loads(json.dumps(order))
            node["updatedAt"] = iso(later + timedelta(minutes=minutes))
            node["note"] = f"version {minutes}"
            # a new transaction, seen by both versions, and the known ones changed
            node["transactions"].append(
                {**node["transactions"][0], "id": "gid://shopify/OrderTransaction/987654321"}
            )
            for txn in node["transactions"]:
                txn["status"] = status
            nodes.append(node)
        events, __ = self.env["omni.event"]._receive(
            self.backend,
            [self.backend._shopify_order_event_vals(node) for node in nodes],
            "poll",
        )
        self.assertEqual(len(events), 2)
        redone = AssertionError("the batch failed and was redone event by event")
        with patch.object(type(events), "_process_one", side_effect=redone):
            events._process_job()
        self.assertEqual(set(events.mapped("state")), {"done"})
        self.assertEqual(Payment.search_count([("backend_id", "=", self.backend.id)]), count + 1)
        movements = Payment.search(
            [("backend_id", "=", self.backend.id), ("order_external_ref", "=", order_id)]
        )
        self.assertEqual(len(movements), len(order["transactions"]) + 1)
        self.assertIn("987654321", movements.mapped("external_id"))
        self.assertEqual(set(movements.mapped("status")), {"failure"})
        self.assertEqual(movements.order_id.external_id, order_id)

    def test_faults_converge_to_the_same_result(self):
        self.pull_until_done()
        clean = self.snapshot()
        self.assertEqual(len(clean[0]), N_ORDERS)
        # the same shop on a second backend, pulled under every kind of fault
        faulty_backend = self.backend.copy(
            {"name": "Sandbox shop (faults)", "shopify_access_token": TOKEN}
        )
        self.sandbox.add_fault("429", retry_after=3)
        self.sandbox.add_fault("503")
        self.sandbox.add_fault("throttled")
        self.sandbox.add_fault("drop")
        self.sandbox.add_fault("timeout")
        self.sandbox.timeout_seconds = 1.0
        self.patch(type(self.backend), "_shopify_adapter", _short_timeout_adapter)
        self.assertEqual(self.pull_until_done(faulty_backend), 5)
        self.assertFalse(self.events(faulty_backend).filtered(lambda e: e.state != "done"))
        self.assertEqual(self.snapshot(faulty_backend), clean)

    def test_adapter_errors_are_retryable_with_the_right_delay(self):
        adapter = ShopifyAdapter(self.sandbox.url, TOKEN, timeout=0.5)
        self.sandbox.add_fault("429", retry_after=7)
        with self.assertRaises(RetryableJobError) as ctx:
            adapter.execute("{ shop { name } }")
        self.assertEqual(ctx.exception.seconds, 7)
        self.assertTrue(ctx.exception.ignore_retry, "a rate limit is no failed attempt")
        self.sandbox.add_fault("500")
        with self.assertRaises(RetryableJobError) as ctx:
            adapter.execute("{ shop { name } }")
        self.assertFalse(ctx.exception.ignore_retry, "a server error counts as an attempt")
        self.sandbox.timeout_seconds = 2
        self.sandbox.add_fault("timeout")
        with self.assertRaises(RetryableJobError):
            adapter.execute("{ shop { name } }")
        self.sandbox.add_fault("throttled")
        with self.assertRaises(RetryableJobError) as ctx:
            adapter.execute("{ shop { name } }")
        self.assertGreaterEqual(ctx.exception.seconds, 1)
        self.assertTrue(ctx.exception.ignore_retry, "throttling is no failed attempt")
        self.assertEqual(adapter.execute("{ shop { name } }")["shop"]["name"], "Omni Sandbox Shop")

    def test_connection_test(self):
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "connected", self.backend.connection_message)
        self.assertIn("Omni Sandbox Shop", self.backend.connection_message)
        self.assertIn("EUR", self.backend.connection_message)
        self.backend.shopify_access_token = "wrong"
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "error")
        self.assertNotIn("wrong", self.backend.connection_message)

    def test_order_with_more_refunds_than_fetched_fails_visibly(self):
        adapter = self.backend._shopify_adapter()
        node = adapter.execute(queries.ORDERS_QUERY, {"first": 1})["orders"]["nodes"][0]
        node["refunds"] = [
            dict(r, id=f"gid://shopify/Refund/{i}")
            for i, r in enumerate(
                [{"id": "x", "createdAt": None, "note": None, "refundLineItems": {"nodes": []}}]
                * queries.ORDER_REFUNDS_LIMIT
            )
        ]
        Event = self.env["omni.event"]
        new, __ = Event._receive(
            self.backend,
            [
                {
                    "topic": "orders/graphql",
                    "external_id": "1",
                    "payload": json.dumps(node),
                    "idempotency_key": Event._idempotency_key(
                        self.backend, "orders/graphql", "t-1"
                    ),
                }
            ],
            "poll",
        )
        new._process_job()
        self.assertEqual((new.state, new.error_class), ("failed", "payload"))
        self.assertIn("refunds", new.error_message)
        self.assertFalse(self.sale_orders())

    def test_connection_test_reports_temporary_errors(self):
        self.sandbox.add_fault("503")
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "error")
        self.assertIn("503", self.backend.connection_message)

    def test_revoked_token_stops_the_pull_visibly(self):
        self.backend.shopify_access_token = "revoked"
        result = self.backend._shopify_pull_orders()
        self.assertIn("access token", result)
        stream = self.backend._stream("orders")
        self.assertIn("access token", stream.last_error)
        self.assertFalse(stream.watermark)
        self.assertFalse(self.events())

    def test_cron_only_enqueues(self):
        with trap_jobs() as trap:
            self.env["omni.backend"]._cron_shopify_pull()
            jobs = [j for j in trap.enqueued_jobs if j.recordset == self.backend]
            self.assertEqual(len(jobs), 1)
            self.assertEqual(jobs[0].channel, "root.omni.shopify")
            self.env["omni.backend"]._cron_shopify_pull()  # identity key: not twice
            self.assertEqual(len([j for j in trap.enqueued_jobs if j.recordset == self.backend]), 1)
        self.assertFalse(self.sandbox.graphql_requests())


@tagged("post_install", "-at_install")
class TestThrottledPull(ShopifyCase):
    sandbox_kwargs = {"restore_rate": 1.0, "maximum_available": 1000.0}

    def test_empty_bucket_defers_the_job_with_the_restore_delay(self):
        self.sandbox.set_bucket(10)
        with self.assertRaises(RetryableJobError) as ctx:
            self.backend._shopify_pull_orders()
        # about (requested cost - 10) / 1 point per second
        self.assertGreater(ctx.exception.seconds, 400)
        self.assertFalse(self.events())

    def test_throttle_after_some_pages_keeps_them_and_continues_later(self):
        self.sandbox.set_bucket(1000)  # one page, then the bucket is empty
        with trap_jobs() as trap:
            result = self.backend._shopify_pull_orders()
            pulls = [j for j in trap.enqueued_jobs if j.method_name == "_shopify_pull_orders"]
        self.assertIn("paused", result)
        page = self.backend.shopify_page_size
        self.assertEqual(len(self.events()), page, "the first page is kept")
        self.assertEqual(len(pulls), 1, "one continuation")
        stream = self.backend._stream("orders")
        self.assertTrue(stream.cursor)
        self.assertEqual(pulls[0].kwargs["cursor"], stream.cursor)
        self.assertTrue(pulls[0].eta, "the continuation waits for the bucket")
        process = [j for j in trap.enqueued_jobs if j.method_name == "_process_job"]
        self.assertEqual(len(process), 1)
