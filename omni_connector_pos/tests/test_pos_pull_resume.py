"""A POS pull throttled mid-walk keeps its pages and continues from the page after the last one
stored, never from the first; a pull retried without progress shows as stalled."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import PosCase


@tagged("post_install", "-at_install")
class TestPosPullResume(PosCase):
    def record_queries(self):
        return [query for path, query in self.sandbox.requests if path == "/v1/records"]

    def test_throttled_walk_continues_from_its_cursor(self):
        self.backend.pos_page_size = 4
        self.sandbox.add_fault("429", "/v1/records", retry_after=9, after=2)
        with trap_jobs() as trap:
            result = self.backend._pos_pull()
            continuations = [j for j in trap.enqueued_jobs if j.method_name == "_pos_pull"]
        self.assertIn("paused", result)
        self.assertEqual(len(self.events()), 8, "the two pages read are kept")
        stream = self.backend._stream("records")
        self.assertEqual(stream.cursor, "8")
        self.assertEqual(len(continuations), 1)
        self.assertEqual(continuations[0].kwargs["cursor"], "8")
        self.assertTrue(continuations[0].eta, "the continuation waits for the Retry-After")
        self.sandbox.requests.clear()
        continuations[0].perform()
        queries = self.record_queries()
        self.assertEqual(queries[0].get("cursor"), "8", "the page after the last one stored")
        self.assertEqual(len(self.events()), len(self.world.records))
        self.assertFalse(stream.cursor, "the walk ended")

    def test_throttle_before_any_page_retries_the_same_page(self):
        self.backend.pos_page_size = 4
        self.sandbox.add_fault("429", "/v1/records", after=2)
        with trap_jobs() as trap:
            self.backend._pos_pull()
            (continuation,) = [j for j in trap.enqueued_jobs if j.method_name == "_pos_pull"]
        self.sandbox.add_fault("429", "/v1/records")  # the continuation's first page too
        with self.assertRaises(RetryableJobError):
            continuation.perform()
        self.sandbox.requests.clear()
        continuation.perform()  # what queue_job's retry runs: the same job, the same cursor
        self.assertEqual(self.record_queries()[0].get("cursor"), "8")
        self.assertEqual(len(self.events()), len(self.world.records))

    def test_pull_retried_without_progress_is_stalled(self):
        """What the job runner does with a job throttled on its first page, again and again:
        the stream shows as stalled once the threshold has passed without progress."""
        stream = self.backend._stream("records")
        uuid = self.backend._omni_delay("POS: pull")._pos_pull().uuid
        start = fields.Datetime.now()
        for minutes in (0, 10, 25):
            with freeze_time(start + timedelta(minutes=minutes)):
                self.sandbox.add_fault("429", "/v1/records")
                job = Job.load(self.env, uuid)
                job.set_started()
                with self.assertRaises(RetryableJobError) as caught, self.env.cr.savepoint():
                    job.perform()
                job.postpone(result=str(caught.exception), seconds=caught.exception.seconds)
                job.set_pending(reset_retry=False)
                job.store()
                self.env.invalidate_all()
                self.assertEqual(stream.retrying_job_count, 1)
                self.assertEqual(stream.is_stalled, minutes > 20, minutes)
                self.assertEqual(self.backend.stream_stalled_count, int(minutes > 20))
        with freeze_time(start + timedelta(minutes=30)):
            job = Job.load(self.env, uuid)
            job.perform()  # the API is back: progress
            job.set_done()
            job.store()
            self.env.invalidate_all()
            self.assertEqual((stream.health, stream.is_stalled), ("ok", False))
