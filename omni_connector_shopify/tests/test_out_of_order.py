"""Deliveries in any order: a refund, a transaction or a dispute that arrives before its order
waits for it (retried later), the order's arrival brings what waited forward, and what waits
for an order that never comes is dead-lettered with an activity. Signed webhooks over HTTP,
the jobs run as the job runner runs them."""

import json
import random

from omni_sandboxes.shopify_sandbox import webhook_headers

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import SECRET, ShopifyCase
from .test_parser import load_sample
from .test_real_payloads import pending_job, run_job


@tagged("post_install", "-at_install")
class TestOutOfOrder(ShopifyCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.CAD").active = True  # the dispute sample's currency

    def post(self, topic, payload, webhook_id):
        body = json.dumps(payload).encode()
        response = self.url_open(
            f"/omni/webhook/shopify/{self.backend.id}",
            data=body,
            headers=webhook_headers(body, SECRET, topic, webhook_id),
            timeout=20,
        )
        self.assertEqual(response.status_code, 200, response.text)

    def run_due_jobs(self):
        """Run the event jobs that are due, as the job runner does, until none is."""
        QueueJob = self.env["queue.job"]
        for __ in range(20):
            due = QueueJob.search(
                [
                    ("model_name", "=", "omni.event"),
                    ("state", "=", "pending"),
                    "|",
                    ("eta", "=", False),
                    ("eta", "<=", fields.Datetime.now()),
                ],
                order="id",
            )
            if not due:
                return
            for job in due:
                run_job(job)
        self.fail("jobs kept coming")

    def facts_of(self, index):
        """The webhooks of the world's order ``index``: the order, its refund, its first
        transaction and a dispute of it."""
        rest = self.world.order_rest(self.world.orders[index])
        rest["financial_status"] = "paid"
        refund = rest.pop("refunds")[0]
        txn = self.world.transaction_rest(self.world.orders[index], 0)
        dispute = dict(load_sample("disputes/create"), order_id=rest["id"])
        return [
            ("orders/create", rest, f"wh-o-{index}"),
            ("refunds/create", refund, f"wh-r-{index}"),
            ("order_transactions/create", txn, f"wh-t-{index}"),
            ("disputes/create", dispute, f"wh-d-{index}"),
        ]

    def test_shuffled_deliveries_wait_for_their_order_and_converge(self):
        deliveries = self.facts_of(4)
        order_id = str(deliveries[0][1]["id"])
        shuffler = random.Random(7)
        shuffler.shuffle(deliveries)
        # the order comes last but one: what came before waits, what comes after does not
        order = deliveries.pop(next(i for i, d in enumerate(deliveries) if d[0] == "orders/create"))
        deliveries.insert(len(deliveries) - 1, order)
        for topic, payload, webhook_id in deliveries[:-2]:
            self.post(topic, payload, webhook_id)
        self.run_due_jobs()
        early = self.events().filtered(lambda e: e.topic != "orders/create")
        self.assertEqual(len(early), 2)
        for event in early:
            self.assertEqual((event.state, event.error_class), ("waiting", "retryable"))
            self.assertIn(order_id, event.error_message)
            self.assertGreater(pending_job(event).eta, fields.Datetime.now(), "retried later")
        self.assertFalse(self.env["omni.payment"].search([("backend_id", "=", self.backend.id)]))
        for topic, payload, webhook_id in deliveries[-2:]:
            self.post(topic, payload, webhook_id)
        self.run_due_jobs()  # the order's arrival made the waiting ones due
        events = self.events()
        self.assertEqual(len(events), 4)
        self.assertEqual(set(events.mapped("state")), {"done"}, events.mapped("error_message"))
        omni_order = events.filtered(lambda e: e.topic == "orders/create").omni_order_id
        self.assertEqual(omni_order.external_id, order_id)
        self.assertEqual(len(omni_order.credit_note_ids), 1)
        txn = events.filtered(lambda e: e.topic == "order_transactions/create").omni_payment_id
        self.assertEqual(txn.order_id, omni_order)
        dispute = events.filtered(lambda e: e.topic == "disputes/create").omni_payment_id
        self.assertEqual(dispute.order_external_ref, order_id)
        # delivered again, in another order: nothing changes
        moves = self.env["account.move"].search_count([("omni_backend_id", "=", self.backend.id)])
        shuffler.shuffle(deliveries)
        for topic, payload, webhook_id in deliveries:
            self.post(topic, payload, webhook_id)
        self.run_due_jobs()
        self.assertEqual(self.events(), events)
        self.assertEqual(
            self.env["account.move"].search_count([("omni_backend_id", "=", self.backend.id)]),
            moves,
        )

    def test_what_waits_for_an_order_that_never_comes_is_dead_lettered(self):
        self.backend.max_attempts = 3
        order, *deliveries = self.facts_of(4)
        for topic, payload, webhook_id in deliveries:
            self.post(topic, payload, webhook_id)
        waiting = self.events()
        self.assertEqual(len(waiting), 3)
        for __ in range(3):  # each attempt, whenever its retry is due
            for event in waiting.filtered(lambda e: e.state != "dead"):
                run_job(pending_job(event))
        for event in waiting:
            self.assertEqual((event.state, event.attempts), ("dead", 3), event.topic)
            self.assertIn(str(order[1]["id"]), event.error_message)
            self.assertTrue(event.activity_ids, "someone is told")
        self.assertFalse(self.env["omni.payment"].search([("backend_id", "=", self.backend.id)]))
        # another order's arrival wakes none of them
        self.post("orders/create", self.world.order_rest(self.world.orders[0]), "wh-o-0")
        self.run_due_jobs()
        self.assertEqual(set(waiting.mapped("state")), {"dead"})
