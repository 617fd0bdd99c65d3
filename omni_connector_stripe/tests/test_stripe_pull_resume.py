"""A Stripe pull throttled in the middle of a list keeps what it stored and its continuation
asks for the object after the last one stored (``starting_after``), never the first page; the
resumed walk imports what an uninterrupted one does."""

from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from odoo.addons.omni_connector_base.tools.dates import parse_unix, to_odoo

from ..const import BALANCE_TRANSACTION_TOPIC, PAYOUT_TOPIC
from ..tools.adapter import PAGE_SIZE
from .common import StripeCase


@tagged("post_install", "-at_install")
class TestStripePullResume(StripeCase):
    world_kwargs = {"days": 45, "charges_per_day": 6}  # more payouts than a page

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payouts = cls.world.collection("payouts")
        assert len(cls.payouts) > PAGE_SIZE

    def setUp(self):
        super().setUp()
        self.sandbox.reset()

    def list_pages(self, path):
        """The queries of the list requests of ``path`` (not one payout's transactions)."""
        return [
            r.query for r in self.sandbox.requests if r.path == path and "payout" not in r.query
        ]

    def pull_throttled(self, path, after, stream_name):
        self.sandbox.add_fault("429", path, retry_after=5, after=after)
        with trap_jobs() as trap:
            result = self.backend._stripe_pull()
            (continuation,) = [j for j in trap.enqueued_jobs if j.method_name == "_stripe_pull"]
        self.assertIn("paused", result)
        stream = self.backend._stream(stream_name)
        pages = self.list_pages(path)
        self.assertNotIn("starting_after", pages[0], "the walk began at the first page")
        self.assertTrue(stream.cursor)
        self.assertEqual(pages[-1]["starting_after"], stream.cursor, "the page throttled")
        self.assertEqual(continuation.kwargs["cursor"], stream.cursor)
        self.assertEqual(continuation.kwargs["stream_name"], stream_name)
        self.assertTrue(continuation.eta, "the continuation waits for the Retry-After")
        self.assertFalse(stream.watermark, "a newest-first walk moves its watermark at its end")
        cursor = stream.cursor
        self.sandbox.requests.clear()
        with trap_jobs():
            continuation.perform()
        pages = self.list_pages(path)
        self.assertEqual(pages[0]["starting_after"], cursor, "the object after the last stored")
        self.assertTrue(all("starting_after" in page for page in pages), "never page 1 again")
        self.assertFalse(stream.cursor, "the walk ended")
        return stream

    def test_payouts_resume_from_their_cursor(self):
        stream = self.pull_throttled("/v1/payouts", 1, "payouts")
        self.assertEqual(len(self.events(topic=PAYOUT_TOPIC)), len(self.payouts))
        newest = max(payout["created"] for payout in self.payouts)
        self.assertEqual(stream.watermark, to_odoo(parse_unix(newest, "created")))
        self.assertEqual(len(self.list_pages("/v1/payouts")), 1, "only the page left")

    def test_balance_transactions_resume_and_import_the_same(self):
        # every payout's transactions (one request each), the first page of the balance
        # transactions, then the second page is throttled
        self.pull_throttled(
            "/v1/balance_transactions", len(self.payouts) + 1, "balance_transactions"
        )
        self.assertEqual(
            len(self.events(topic=PAYOUT_TOPIC)), len(self.payouts), "payouts read once"
        )
        self.assertTrue(self.events(topic=BALANCE_TRANSACTION_TOPIC))
        self.process()
        self.assertEqual(self.journal_balance(), self.sandbox_balance())
        self.assertEqual(
            self.env["omni.payment"].search_count([("backend_id", "=", self.backend.id)]),
            len(self.world.balance_transactions),
        )
