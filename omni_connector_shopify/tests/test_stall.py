"""A Shopify order pull throttled again and again makes no progress: past the backend's
threshold its stream shows as stalled (a throttle does not count as a try in queue_job)."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from ..const import ORDERS_STREAM
from .common import ShopifyCase


@tagged("post_install", "-at_install")
class TestShopifyStall(ShopifyCase):
    def test_a_throttled_order_pull_stalls_its_stream_past_the_threshold(self):
        stream = self.backend._stream(ORDERS_STREAM)
        self.backend._shopify_enqueue("_shopify_pull_orders")
        job = self.env["queue.job"].search([("method_name", "=", "_shopify_pull_orders")])
        uuid = job.uuid
        start = fields.Datetime.now()
        for minutes in (0, 10, 25):
            with freeze_time(start + timedelta(minutes=minutes)):
                self.sandbox.add_fault("throttled")
                job = Job.load(self.env, uuid)
                job.set_started()
                with self.assertRaises(RetryableJobError) as caught, self.env.cr.savepoint():
                    job.perform()
                job.postpone(result=str(caught.exception), seconds=caught.exception.seconds)
                job.set_pending(reset_retry=False)
                job.store()
                self.env.invalidate_all()
                self.assertEqual(job.retry, 0, "THROTTLED does not count as a try")
                self.assertEqual(stream.is_stalled, minutes > 20, minutes)
                self.assertEqual(self.backend.stream_stalled_count, int(minutes > 20))
