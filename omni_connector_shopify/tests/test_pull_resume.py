"""Every Shopify pull throttled in the middle of its walk keeps the pages it stored and its
continuation asks for the page after the last one stored, never the first page again."""

import copy
import json
from datetime import timedelta

from omni_sandboxes.shopify_payments import seed_payouts
from omni_sandboxes.shopify_sandbox import iso, parse_iso

from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from ..const import (
    CUSTOMER_POLL_TOPIC,
    CUSTOMERS_STREAM,
    ORDERS_STREAM,
    PAYOUT_PAGE_SIZE,
    PAYOUT_TOPIC,
    PAYOUTS_STREAM,
    POLL_TOPIC,
    PRODUCT_POLL_TOPIC,
    PRODUCTS_STREAM,
)
from ..tools import queries
from .common import ShopifyCase


@tagged("post_install", "-at_install")
class TestPullResume(ShopifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        payouts, __ = seed_payouts(cls.world, every=2)
        # More payouts than a page (older ones, without balance transactions), so that the
        # payout walk has a second page to be throttled on.
        first = payouts[0]
        for number in range(1, PAYOUT_PAGE_SIZE + 3):
            older = copy.deepcopy(first)
            legacy = str(3200000000 + number)
            older["id"] = f"gid://shopify/ShopifyPaymentsPayout/{legacy}"
            older["legacyResourceId"] = legacy
            older["issuedAt"] = iso(parse_iso(first["issuedAt"]) - timedelta(days=number))
            older["status"] = "PAID"
            cls.world.payouts.append(older)
            cls.world._register(older)

    def setUp(self):
        super().setUp()
        self.backend.shopify_page_size = 2

    def page_afters(self, query):
        """The ``after`` of each page request of ``query`` the shop received, in order."""
        afters = []
        for request in self.sandbox.graphql_requests():
            body = json.loads(request.body)
            if body["query"] == query:
                afters.append((body.get("variables") or {}).get("after"))
        return afters

    def assert_resumes(self, pull, args, stream_name, query, topic, total, answered=1):
        """Throttle ``pull`` once ``answered`` GraphQL requests were answered; its
        continuation asks for the page after the last one stored and reads the rest."""
        self.sandbox.add_fault("throttled", after=answered)
        with trap_jobs() as trap:
            result = getattr(self.backend, pull)(*args)
            (continuation,) = [j for j in trap.enqueued_jobs if j.method_name == pull]
        self.assertIn("paused", result)
        stream = self.backend._stream(stream_name)
        stored = len(self.events(topic=topic))
        self.assertTrue(0 < stored < total, "some pages stored, not all")
        afters = self.page_afters(query)
        self.assertEqual(afters[0], None, "the walk began at the first page")
        self.assertTrue(stream.cursor)
        self.assertEqual(stream.cursor, afters[-1], "the cursor of the page throttled")
        self.assertEqual(continuation.kwargs["cursor"], stream.cursor)
        self.assertTrue(continuation.eta, "the continuation waits for the bucket")
        cursor = stream.cursor
        self.sandbox.requests.clear()
        with trap_jobs():
            continuation.perform()
        afters = self.page_afters(query)
        self.assertEqual(afters[0], cursor, "the page after the last one stored")
        self.assertNotIn(None, afters, "never the first page again")
        self.assertEqual(len(self.events(topic=topic)), total)
        self.assertFalse(stream.cursor, "the walk ended")

    def test_orders_resume_from_their_cursor(self):
        self.assert_resumes(
            "_shopify_pull_orders",
            (),
            ORDERS_STREAM,
            queries.ORDERS_QUERY,
            POLL_TOPIC,
            len(self.world.orders),
        )

    def test_products_resume_from_their_cursor(self):
        self.assert_resumes(
            "_shopify_pull_master",
            (PRODUCTS_STREAM,),
            PRODUCTS_STREAM,
            queries.PRODUCTS_QUERY,
            PRODUCT_POLL_TOPIC,
            len(self.world.products),
        )

    def test_customers_resume_from_their_cursor(self):
        self.assert_resumes(
            "_shopify_pull_master",
            (CUSTOMERS_STREAM,),
            CUSTOMERS_STREAM,
            queries.CUSTOMERS_QUERY,
            CUSTOMER_POLL_TOPIC,
            len(self.world.customers),
        )

    def test_payouts_resume_from_their_cursor(self):
        # a page of payouts and the balance transactions of each, then the next page, whose
        # first payout's balance transactions are throttled: that page is read again
        self.assert_resumes(
            "_shopify_pull_payouts",
            (),
            PAYOUTS_STREAM,
            queries.PAYOUTS_QUERY,
            PAYOUT_TOPIC,
            len(self.world.payouts),
            answered=1 + PAYOUT_PAGE_SIZE + 1,
        )
