"""REST pull from a POS API serving the contract: pagination, watermark, faults."""

from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from odoo.addons.omni_connector_base.tools.dates import parse_iso, to_odoo

from ..tools.adapter import PosApiError
from .common import PosCase


@tagged("post_install", "-at_install")
class TestPosPull(PosCase):
    def test_connection(self):
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "connected", self.backend.connection_message)
        self.backend.pos_api_key = "wrong"
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "error")
        self.assertNotIn("wrong", self.backend.connection_message)

    def test_pull_paginates_and_overlaps_its_watermark(self):
        self.backend.pos_page_size = 4
        self.backend._pos_pull()
        pages = [query for path, query in self.sandbox.requests if path == "/v1/records"]
        self.assertEqual(len(pages), -(-len(self.world.records) // 4))
        self.assertNotIn("since", pages[0])
        self.assertEqual(
            [p.get("cursor") for p in pages[1:]], [str(4 * n) for n in range(1, len(pages))]
        )
        self.assertEqual(len(self.events()), len(self.world.records))
        stream = self.backend._stream("records")
        newest = max(parse_iso(self.world.stamp(record)) for record in self.world.records)
        self.assertEqual(stream.watermark, to_odoo(newest))
        self.sandbox.requests.clear()
        self.backend._pos_pull()
        pages = [query for path, query in self.sandbox.requests if path == "/v1/records"]
        stamps = sorted(self.world.stamp(r) for r in self.world.records)
        # Only the last minutes again (the overlap), not the whole history.
        self.assertTrue(stamps[0] < pages[0]["since"] < stamps[-1], pages[0])
        self.assertEqual(len(pages), 1)
        self.assertEqual(len(self.events()), len(self.world.records), "overlap: duplicates only")

    def test_faults_are_retryable(self):
        self.sandbox.add_fault("429", retry_after=7)
        with self.assertRaises(RetryableJobError) as caught:
            self.backend._pos_pull()
        self.assertEqual(caught.exception.seconds, 7)
        for kind in ("500", "drop", "timeout"):
            self.sandbox.add_fault(kind)
            with self.assertRaises(RetryableJobError, msg=kind):
                self.backend._pos_pull()
        self.assertFalse(self.events())
        self.backend._pos_pull()  # the API is back
        self.assertEqual(len(self.events()), len(self.world.records))

    def test_refusal_is_permanent(self):
        self.backend.pos_api_key = "wrong-key"
        with self.assertRaises(PosApiError) as caught:
            self.backend._pos_pull()
        self.assertNotIn("wrong-key", str(caught.exception))
        self.assertIn("401", str(caught.exception))

    def test_cron_enqueues_only(self):
        idle = self.make_backend("Webhook only", pos_api_url=False)
        with trap_jobs() as trap:
            self.env["omni.backend"]._cron_pos_pull()
        methods = [(job.recordset, job.method_name) for job in trap.enqueued_jobs]
        self.assertIn((self.backend, "_pos_pull"), methods)
        self.assertNotIn(idle, [records for records, __ in methods])
        self.assertFalse(self.sandbox.requests)
