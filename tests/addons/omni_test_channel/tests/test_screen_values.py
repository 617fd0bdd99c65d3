"""What users read on the screens: labels, never the technical values behind them (channel,
stream, source, error class, tender), and latency in seconds."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import OmniTestChannelCase, order_payload


def label(record, field):
    """The label a selection field shows for the record's value, in the user's language."""
    selection = record._fields[field]._description_selection(record.env)
    return dict(selection)[record[field]]


@tagged("post_install", "-at_install")
class TestScreenValues(OmniTestChannelCase):
    def test_channel_order_and_return_names_use_the_channel_label(self):
        event = self.deliver(order_payload())
        order = event.omni_order_id
        self.assertEqual(order.display_name, "[Test Channel] #1001")
        self.assertNotIn("omnitest", order.display_name)

    def test_latency_in_seconds(self):
        event = self.deliver(order_payload())
        self.assertEqual(event.state, "done", event.error_message)
        event.sudo().write({"latency_ms": 2350})  # a latency the clock of a test cannot give
        self.assertEqual(event.latency_seconds, 2.35)
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.latency_p50_ms, 2350)
        self.assertEqual(self.backend.latency_p50_seconds, 2.35)
        self.assertEqual(self.backend.latency_p95_seconds, 2.35)
        self.env.flush_all()
        report = self.env["omni.event.report"].search([("id", "=", event.id)])
        self.assertEqual(report.latency_seconds, 2.35)
        self.assertEqual(
            report._fields["latency_seconds"].string, "Latency (s)", "the column says its unit"
        )

    def test_event_analysis_shows_source_and_error_labels(self):
        payload = order_payload()
        payload["order"]["lines"][0]["sku"] = "NO-SUCH-SKU"
        event = self.deliver(payload)
        self.assertEqual((event.state, event.error_class), ("failed", "mapping"))
        self.env.flush_all()  # the analysis is an SQL view over the events' rows
        report = self.env["omni.event.report"].search([("id", "=", event.id)])
        self.assertEqual(label(report, "source"), "Webhook")
        self.assertEqual(label(report, "error_class"), "Mapping")
        fields = self.env["omni.event.report"].fields_get(["source", "error_class", "channel"])
        for name in ("source", "error_class", "channel"):
            self.assertEqual(fields[name]["type"], "selection", name)
        # grouped as the pivot groups it: by the label
        groups = self.env["omni.event.report"].read_group(
            [("backend_id", "=", self.backend.id)], ["event_count"], ["error_class"]
        )
        self.assertIn("mapping", [group["error_class"] for group in groups])

    def test_stream_labels(self):
        self.assertEqual(self.backend._stream("orders").label, "Orders")
        self.assertEqual(self.backend._stream("orders").display_name, "Orders")
        # a stream no connector names: its name made readable, never left as an identifier
        self.assertEqual(self.backend._stream("balance_transactions").label, "Balance transactions")

    def test_dead_letter_activity_names_the_channel(self):
        self.backend.max_attempts = 1
        payload = order_payload()
        payload["order"]["lines"][0]["sku"] = "MISSING"
        event = self.deliver(payload)
        self.assertEqual(event.state, "dead")
        self.assertEqual(event.activity_ids.summary, "Dead-lettered Test Channel event")

    def test_tender_is_a_labelled_selection(self):
        location = self.env["omni.location"].create(
            {"backend_id": self.backend.id, "external_id": "S1", "name": "Store 1"}
        )
        day = self.env["omni.store.day"].create(
            {
                "backend_id": self.backend.id,
                "location_id": location.id,
                "business_date": "2026-11-02",
                "currency_id": self.eur.id,
            }
        )
        tender = self.env["omni.store.day.tender"].create(
            {"store_day_id": day.id, "tender": "gift_card", "z_amount": 10.0}
        )
        self.assertEqual(label(tender, "tender"), "Gift Card")
        with self.assertRaises(ValueError):  # hostile: a tender no till contract knows
            self.env["omni.store.day.tender"].create(
                {"store_day_id": day.id, "tender": "bitcoin", "z_amount": 1.0}
            )

    def test_waiting_is_not_a_failure(self):
        """An event held up by something temporary (a rate limit, a lock, its parent not here
        yet) is waiting, not failed: it is not red, not in the failure rate, and it is retried
        on its own; only when its attempts run out is it a failure."""
        self.backend.max_attempts = 2
        self.deliver(order_payload())
        waiting, __ = self.receive({"id": "evt-w", "topic": "flaky", "retry_after": 30})
        with trap_jobs() as trap:
            waiting._process_job()
            trap.assert_jobs_count(1)  # its retry
        self.assertEqual((waiting.state, label(waiting, "state")), ("waiting", "Waiting"))
        self.assertTrue(waiting.next_retry_at)
        self.backend.invalidate_recordset()
        self.assertEqual(
            (
                self.backend.event_failed_count,
                self.backend.event_waiting_count,
                self.backend.queue_depth,
                self.backend.failure_rate,
            ),
            (0, 1, 1, 0.0),
        )
        self.env.flush_all()
        report = self.env["omni.event.report"].search([("id", "=", waiting.id)])
        self.assertEqual((report.state, report.failed_count), ("waiting", 0))
        # a retry lost with its job: the cron heals it once it is long overdue
        waiting.sudo().write({"next_retry_at": fields.Datetime.now() - timedelta(hours=1)})
        with trap_jobs() as trap:
            self.env["omni.event"]._cron_enqueue_received()
            self.assertIn(waiting, [job.recordset for job in trap.enqueued_jobs])
        with trap_jobs():
            waiting._process_job()
        self.assertEqual(waiting.state, "dead", "out of attempts: now a failure")
        self.backend.invalidate_recordset()
        self.assertEqual((self.backend.event_dead_count, self.backend.failure_rate), (1, 0.5))
