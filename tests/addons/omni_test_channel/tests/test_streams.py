"""A stream failing or retried without progress for longer than its backend's threshold is
stalled, on the stream and in the backend's overview; progress restarts the clock."""

from contextlib import contextmanager
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import OmniTestChannelCase

T0 = datetime(2026, 11, 2, 9, 0, 0)


@tagged("post_install", "-at_install")
class TestStreamStall(OmniTestChannelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.make_backend("Stall test")
        cls.stream = cls.backend._stream("orders")

    @contextmanager
    def at(self, minutes):
        """The clock ``minutes`` after T0; the stall figures are read again."""
        with freeze_time(T0 + timedelta(minutes=minutes)):
            self.env.invalidate_all()
            yield

    def health(self):
        return self.stream.health, self.stream.is_stalled, self.backend.stream_stalled_count

    def test_error_without_progress_past_the_threshold_is_stalled(self):
        with self.at(0):
            self.stream._mark_success()
        with self.at(60):
            self.stream._mark_error("Shopify throttled the request")
            self.assertEqual(self.health(), ("trouble", False, 0), "in trouble, not stalled yet")
        with self.at(70):
            self.stream._mark_error("Shopify throttled the request")  # retried, same trouble
        with self.at(60 + 21):
            self.assertEqual(self.health(), ("stalled", True, 1))
            self.assertEqual(self.stream.trouble_since, T0 + timedelta(minutes=60))
            Stream = self.env["omni.backend.stream"]
            self.assertIn(self.stream, Stream.search([("is_stalled", "=", True)]))
            self.assertNotIn(self.stream, Stream.search([("is_stalled", "=", False)]))

    def test_progress_is_never_stalled(self):
        with self.at(0):
            self.stream._mark_error("POS API rate limit")
        with self.at(15):
            self.stream._mark_success(watermark=T0)  # a page stored: progress
        with self.at(60 * 24):
            self.assertEqual(self.health(), ("ok", False, 0), "idle, not in trouble")
            self.assertFalse(self.stream.error_since)
        with self.at(60 * 24 + 5):
            self.stream._mark_error("POS API rate limit")
        with self.at(60 * 24 + 20):
            # failing for 15 minutes: the clock started at the error, not the last success
            self.assertEqual(self.health(), ("trouble", False, 0))

    def test_threshold_is_the_backends(self):
        self.backend.stall_threshold_minutes = 60
        other = self.make_backend("Strict").with_context(tracking_disable=True)
        other.stall_threshold_minutes = 5
        other_stream = other._stream("orders")
        with self.at(0):
            (self.stream | other_stream)._mark_error("Stripe unreachable")
        with self.at(30):
            self.assertEqual(self.health(), ("trouble", False, 0))
            self.assertEqual((other_stream.health, other.stream_stalled_count), ("stalled", 1))

    def test_overview_opens_the_stalled_streams(self):
        with self.at(0):
            self.stream._mark_error("Stripe unreachable")
        with self.at(30):
            action = self.backend.action_open_streams()
            self.assertEqual(action["res_model"], "omni.backend.stream")
            self.assertEqual(action["context"], {"search_default_filter_stalled": 1})
            shown = self.env["omni.backend.stream"].search(
                action["domain"] + [("is_stalled", "=", True)]
            )
            self.assertEqual(shown, self.stream)
