import json
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import OmniTestChannelCase, order_payload


@tagged("post_install", "-at_install")
class TestOmniTour(HttpCase):
    def test_tour_open_menu_and_event(self):
        backend = self.env["omni.backend"].create({"name": "Tour channel", "channel": "omnitest"})
        self.env["omni.event"]._receive(
            backend,
            [
                {
                    "topic": "order",
                    "external_id": "TOUR-1",
                    "idempotency_key": f"{backend.id}:order:tour-1",
                    "payload": json.dumps({"topic": "order", "order": {"id": "TOUR-1"}}),
                }
            ],
            "manual",
        )
        # An event processed a moment ago: the inbox must show it without any filter removed.
        raw = json.dumps({"id": "evt-done", "topic": "race", "race": {"id": "tour_done"}})
        done, __ = self.env["omni.event"]._receive(
            backend, backend._omni_webhook_events(raw.encode(), {}), "webhook"
        )
        done._process_job()
        self.assertEqual(done.state, "done", done.error_message)
        self.start_tour("/web", "omni_connector_base_tour", login="admin", timeout=180)

    def test_tour_admin_connects_a_channel(self):
        backend = self.env["omni.backend"].create({"name": "Tour setup", "channel": "omnitest"})
        self.start_tour("/web", "omni_connector_base_setup_tour", login="admin", timeout=180)
        self.assertEqual(backend.state, "connected")


@tagged("post_install", "-at_install")
class TestFinanceTour(OmniTestChannelCase, HttpCase):
    """Finance works the exception list end to end (the reconciliation's tour)."""

    def test_tour_fix_uninvoiced_order(self):
        if "omni.recon.run" not in self.env:
            self.skipTest("omni_reconciliation is not installed: its exceptions are not there")
        placed = fields.Datetime.now() - timedelta(days=10)  # past the invoicing SLA
        event = self.deliver(
            order_payload(
                financial_status="paid",
                created_at=placed.strftime("%Y-%m-%dT%H:%M:%SZ"),
                updated_at=(placed + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            )
        )
        self.assertEqual(event.state, "done", event.error_message)
        self.assertFalse(event.sale_order_id.invoice_ids)
        today = fields.Date.today()
        run = self.env["omni.recon.run"].create(
            {
                "backend_id": self.backend.id,
                "date_from": today - timedelta(days=30),
                "date_to": today,
            }
        )
        run.with_context(omni_recon_no_action=True).action_run()
        exc = self.env["omni.recon.exception"].search(
            [("backend_id", "=", self.backend.id), ("exception_type", "=", "uninvoiced")]
        )
        self.assertEqual((len(exc), exc.state, exc.has_fix), (1, "open", True))
        self.start_tour("/web", "omni_reconciliation_finance_tour", login="admin", timeout=180)
        self.env.invalidate_all()
        self.assertNotEqual(exc.state, "open")
        invoice = event.sale_order_id.invoice_ids
        self.assertEqual((len(invoice), invoice.state), (1, "posted"))
        self.assertEqual(invoice.omni_origin_order_ids, event.omni_order_id)
