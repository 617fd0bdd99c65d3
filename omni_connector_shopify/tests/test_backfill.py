"""Initial backfill through a bulk operation: started by a job, polled by a follow-up job that
asks to be retried while the operation runs, JSONL downloaded and parsed into the same order
events as the paginated pull."""

import json

from omni_sandboxes.shopify_payments import bulk_jsonl

from odoo.tests import BaseCase, tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from odoo.addons.omni_connector_base.tools.errors import PayloadError

from ..tools.parser import iter_bulk_orders, parse_order_graphql
from .common import TOKEN, ShopifyCase


@tagged("post_install", "-at_install")
class TestBulkBackfill(ShopifyCase):
    def setUp(self):
        super().setUp()
        self.sandbox.bulk_operations = {}
        self.sandbox.bulk_polls = 1

    def backfill(self, backend=None):
        """Start, then poll until done, the way queue_job runs the jobs; returns the number
        of polls answered "still running" and the poll job's result."""
        backend = backend or self.backend
        with trap_jobs() as trap:
            backend.action_shopify_backfill_orders()
            trap.assert_jobs_count(1, only=backend._shopify_bulk_start)
        with trap_jobs() as trap:
            backend._shopify_bulk_start()
            trap.assert_jobs_count(1, only=backend._shopify_bulk_poll)
            poll = trap.enqueued_jobs[0]
        self.assertTrue(poll.eta, "the first poll waits")
        running = 0
        for __ in range(10):
            try:
                with trap_jobs():
                    return running, backend._shopify_bulk_poll(*poll.args)
            except RetryableJobError as err:
                self.assertTrue(err.ignore_retry, "waiting is not a failed attempt")
                self.assertTrue(err.seconds)
                running += 1
        self.fail("the bulk operation never completed")

    def test_backfill_gives_the_same_result_as_the_paginated_pull(self):
        running, result = self.backfill()
        self.assertEqual(running, 1)
        self.assertIn(f"{len(self.world.orders)} order(s) read", result)
        bulk_events = self.events(topic="orders/bulk")
        self.assertEqual(len(bulk_events), len(self.world.orders))
        self.assertEqual(
            self.backend._stream("orders").watermark.strftime("%Y-%m-%dT%H:%M:%SZ"),
            max(o["updatedAt"] for o in self.world.orders),
        )
        bulk_events._process_job()
        self.assertFalse(
            bulk_events.filtered(lambda e: e.state != "done"), bulk_events.mapped("error_message")
        )
        from_bulk = self.snapshot()
        self.assertEqual(len(from_bulk[0]), len(self.world.orders))

        twin = self.backend.copy({"name": "Twin shop", "shopify_access_token": TOKEN})
        with trap_jobs():
            twin._shopify_pull_orders()
        pulled = self.events(twin, topic="orders/graphql")
        pulled._process_job()
        self.assertFalse(pulled.filtered(lambda e: e.state != "done"))
        self.assertEqual(self.snapshot(twin), from_bulk)
        canonical = {e.external_id: parse_order_graphql(e._payload_json()) for e in bulk_events}
        for event in pulled:
            self.assertEqual(
                parse_order_graphql(event._payload_json()), canonical[event.external_id]
            )
        # the paginated pull of the same backend finds nothing new: same events
        with trap_jobs():
            self.backend._shopify_pull_orders()
        self.assertEqual(self.events(), bulk_events)

    def test_second_backfill_is_idempotent(self):
        self.backfill()
        events = self.events()
        __, result = self.backfill()
        self.assertIn("0 new event(s)", result)
        self.assertEqual(self.events(), events)

    def test_failed_operation_stores_nothing_and_says_why(self):
        with trap_jobs() as trap:
            self.backend._shopify_bulk_start()
            poll = trap.enqueued_jobs[0]
        operation = next(iter(self.sandbox.bulk_operations.values()))
        operation["_fail"] = "TIMEOUT"
        message = self.backend._shopify_bulk_poll(*poll.args)
        self.assertIn("FAILED", message)
        self.assertIn("TIMEOUT", message)
        self.assertFalse(self.events())
        self.assertIn("TIMEOUT", self.backend._stream("shopify_orders_bulk").last_error)

    def test_operation_in_progress_retries_later(self):
        with trap_jobs():
            self.backend._shopify_bulk_start()
        with self.assertRaises(RetryableJobError):
            self.backend._shopify_bulk_start()

    def test_poll_survives_faults(self):
        with trap_jobs() as trap:
            self.backend._shopify_bulk_start()
            poll = trap.enqueued_jobs[0]
        self.sandbox.add_fault("503")
        with self.assertRaises(RetryableJobError) as caught:
            self.backend._shopify_bulk_poll(*poll.args)
        self.assertFalse(caught.exception.ignore_retry, "a server error counts as an attempt")
        self.sandbox.bulk_polls = 0
        with trap_jobs():
            self.backend._shopify_bulk_poll(*poll.args)
        self.assertEqual(len(self.events()), len(self.world.orders))


@tagged("post_install", "-at_install")
class TestBulkParser(BaseCase):
    lines = [
        {"id": "gid://shopify/Order/1", "updatedAt": "2026-10-01T00:00:00Z"},
        {"id": "gid://shopify/LineItem/11", "sku": "A", "__parentId": "gid://shopify/Order/1"},
        {"id": "gid://shopify/ShippingLine/12", "__parentId": "gid://shopify/Order/1"},
        {"id": "gid://shopify/Order/2", "updatedAt": "2026-10-01T01:00:00Z"},
    ]

    def jsonl(self, lines):
        return [json.dumps(line).encode() for line in lines]

    def test_grouped_lines_make_orders(self):
        orders = list(iter_bulk_orders(self.jsonl(self.lines) + [b""]))
        self.assertEqual(
            [o["id"] for o in orders], ["gid://shopify/Order/1", "gid://shopify/Order/2"]
        )
        self.assertEqual(
            orders[0]["lineItems"], {"nodes": [{"id": "gid://shopify/LineItem/11", "sku": "A"}]}
        )
        self.assertEqual(len(orders[0]["shippingLines"]["nodes"]), 1)
        self.assertEqual(orders[1]["lineItems"], {"nodes": []})

    def test_sandbox_writes_what_the_parser_reads(self):
        data = {
            "orders": {
                "edges": [
                    {
                        "node": {
                            "id": "gid://shopify/Order/1",
                            "lineItems": {"edges": [{"node": {"id": "gid://shopify/LineItem/11"}}]},
                            "refunds": [
                                {
                                    "id": "gid://shopify/Refund/3",
                                    "refundLineItems": {"nodes": [{"quantity": 1}]},
                                }
                            ],
                        }
                    }
                ]
            }
        }
        grouped = bulk_jsonl(data).splitlines()
        self.assertEqual(json.loads(grouped[1])["__parentId"], "gid://shopify/Order/1")
        (order,) = iter_bulk_orders(grouped)
        self.assertEqual(order["refunds"][0]["refundLineItems"], {"nodes": [{"quantity": 1}]})

    def test_hostile_lines_are_refused(self):
        ungrouped = [self.lines[0], self.lines[3], self.lines[1]]
        cases = {
            "ungrouped": self.jsonl(ungrouped),
            "orphan child": self.jsonl(self.lines[1:2]),
            "not json": [b"{not json"],
            "no id": [b'{"name": "x"}'],
            "unknown child": self.jsonl(
                [
                    self.lines[0],
                    {"id": "gid://shopify/Metafield/5", "__parentId": "gid://shopify/Order/1"},
                ]
            ),
            "array line": [b"[1, 2]"],
        }
        for name, lines in cases.items():
            with self.assertRaises(PayloadError, msg=name):
                list(iter_bulk_orders(lines))
