"""Threshold alerts: the daily check raises one activity per crossed threshold for the
backend's responsible, once, and marks it done when the metric is back."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import OmniTestChannelCase, order_payload


class TestAlerts(OmniTestChannelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.failed_type = cls.env.ref("omni_connector_base.mail_activity_omni_alert_failed")
        cls.queue_type = cls.env.ref("omni_connector_base.mail_activity_omni_alert_queue")

    def alerts(self, activity_type):
        return self.backend.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)

    def check(self):
        self.backend.invalidate_recordset()
        self.env["omni.backend"]._cron_check_alerts()

    def failing_order(self, event_id, external_id):
        payload = order_payload(event_id, id=external_id, name=f"#{external_id}")
        payload["order"]["lines"][0]["sku"] = "ALERT-SKU"
        event = self.deliver(payload)
        self.assertEqual(event.state, "failed")
        return event

    def test_failed_events_raised_once_closed_when_back(self):
        self.company.omni_alert_failed_events = 2
        first = self.failing_order("evt-a1", "2001")
        self.check()
        self.assertFalse(self.alerts(self.failed_type))  # 1 < 2
        second = self.failing_order("evt-a2", "2002")
        self.check()
        alert = self.alerts(self.failed_type)
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.user_id, self.backend.responsible_user_id)
        self.assertIn("2 failed", alert.note)
        self.check()  # still over: not raised twice
        self.assertEqual(self.alerts(self.failed_type), alert)

        # mapped and retried: back under the threshold, the activity is done
        self.env["product.product"].create({"name": "Alert", "default_code": "ALERT-SKU"})
        with trap_jobs() as trap:
            (first | second).action_retry()
            trap.perform_enqueued_jobs()
        self.assertEqual((first | second).mapped("state"), ["done", "done"])
        self.check()
        self.assertFalse(self.alerts(self.failed_type))
        done = self.env["mail.message"].search(
            [
                ("model", "=", "omni.backend"),
                ("res_id", "=", self.backend.id),
                ("mail_activity_type_id", "=", self.failed_type.id),
            ]
        )
        self.assertEqual(len(done), 1)
        self.assertIn("Back under its threshold", done.body)

    def test_queue_depth_and_switched_off(self):
        self.company.omni_alert_queue_depth = 2
        for index in range(2):
            self.receive(order_payload(f"evt-q{index}", id=f"30{index}"))
        self.check()
        self.assertEqual(len(self.alerts(self.queue_type)), 1)
        self.assertFalse(self.alerts(self.failed_type))
        # the company turns alerts off: what was raised is closed, nothing new comes
        self.company.omni_alert_queue_depth = 0
        self.check()
        self.assertFalse(self.alerts(self.queue_type))
        self.check()
        self.assertFalse(self.backend.activity_ids)

    def test_no_threshold_no_alert(self):
        self.failing_order("evt-n1", "4001")
        self.receive(order_payload("evt-n2", id="4002"))
        self.check()
        self.assertFalse(self.backend.activity_ids)

    def test_payouts_not_banked_after_n_days(self):
        unbanked_type = self.env.ref("omni_connector_base.mail_activity_omni_alert_unbanked")
        bank = self.env["account.journal"].create(
            {"name": "Alert Bank", "code": "ALB", "type": "bank", "currency_id": self.eur.id}
        )
        self.company.omni_alert_unbanked_days = 5
        now = fields.Datetime.now()
        Payout = self.env["omni.payout"]
        # what the payout pull stores: a paid payout, its arrival date, no bank line yet
        late = Payout.create(
            {
                "backend_id": self.backend.id,
                "external_id": "po_late",
                "amount": 321.09,
                "currency_id": self.eur.id,
                "status": "paid",
                "arrival_date": now - timedelta(days=8),
            }
        )
        Payout.create(
            {
                "backend_id": self.backend.id,
                "external_id": "po_recent",
                "amount": 50.0,
                "currency_id": self.eur.id,
                "status": "paid",
                "arrival_date": now - timedelta(days=2),
            }
        )
        self.check()
        self.assertFalse(self.alerts(unbanked_type))  # no payout journal: nothing to bank into
        self.backend.payout_journal_id = bank
        self.check()
        alert = self.alerts(unbanked_type)
        self.assertEqual(len(alert), 1)
        self.assertIn("1 payouts", alert.note)
        line = self.env["account.bank.statement.line"].create(
            {
                "journal_id": bank.id,
                "date": (now - timedelta(days=7)).date(),
                "amount": 321.09,
                "payment_ref": "PAYOUT po_late",
            }
        )
        late._match_bank_statement_lines()
        self.assertEqual(late.statement_line_id, line)
        self.check()
        self.assertFalse(self.alerts(unbanked_type))

    def test_stalled_streams(self):
        stalled_type = self.env.ref("omni_connector_base.mail_activity_omni_alert_stalled")
        self.company.omni_alert_stalled_streams = 1
        stream = self.backend._stream("orders")
        start = datetime(2026, 11, 2, 9, 0, 0)
        with freeze_time(start):
            stream._mark_error("the channel throttled the request")
            self.check()
            self.assertFalse(self.alerts(stalled_type))  # in trouble, not stalled yet
        with freeze_time(start + timedelta(minutes=self.backend.stall_threshold_minutes + 1)):
            self.env.invalidate_all()
            self.check()
            self.assertEqual(len(self.alerts(stalled_type)), 1)
            stream._mark_success()
            self.env.invalidate_all()
            self.check()
            self.assertFalse(self.alerts(stalled_type))
