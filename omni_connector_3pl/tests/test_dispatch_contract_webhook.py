"""A warehouse without a native adapter speaks the dispatch contract v1 to the webhook."""

import json

from omni_sandboxes.shipbob_sandbox import new_secret

from odoo.tests import HttpCase, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import ShipBobCase

SECRET = new_secret("contract warehouse")


@tagged("post_install", "-at_install")
class TestContractWarehouse(ShipBobCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract_warehouse = cls.env["stock.warehouse"].create(
            {"name": "Acme 3PL", "code": "ACM", "company_id": cls.company.id}
        )
        cls.contract_backend = cls.make_backend(
            "Acme 3PL", tpl_provider="contract", webhook_secret=SECRET
        )
        cls.env["omni.location"].create(
            {
                "backend_id": cls.contract_backend.id,
                "external_id": "ACME-1",
                "name": "Acme Leeds",
                "warehouse_id": cls.contract_warehouse.id,
                "tpl_send_deliveries": True,
            }
        )

    def post(self, document):
        raw, headers = self.sandbox.signed("shipment", document, secret=SECRET)
        return self.url_open(
            f"/omni/webhook/3pl/{self.contract_backend.id}", data=raw, headers=headers, timeout=60
        )

    def document(self, picking, **values):
        return {
            "contract_version": "1",
            "record_type": "shipment",
            "event": "shipped",
            "shipment_id": "ACME-S1",
            "order_reference": picking.name,
            "location_id": "ACME-1",
            "occurred_at": "2026-11-03T09:15:00+01:00",
            "carrier": "DPD",
            "tracking_number": "DPD123",
            "lines": [{"sku": "SB-MUG", "quantity": "1"}],
            **values,
        }

    def test_shipped_document_validates_the_delivery(self):
        order, trap = self.sell({self.mug: 3}, warehouse=self.contract_warehouse)
        picking = order.picking_ids
        self.assertEqual(picking.omni_dispatch_id.backend_id, self.contract_backend)
        trap.assert_jobs_count(0)  # no native API to send it to
        self.assertEqual(self.post(self.document(picking)).status_code, 200)
        events = self.process(self.contract_backend)
        self.assert_all_done(events)
        self.assertEqual(picking.state, "done")
        self.assertEqual(str(picking.date_done), "2026-11-03 08:15:00")
        self.assertEqual(
            (picking.omni_tracking_ref, picking.omni_tracking_company), ("DPD123", "DPD")
        )
        self.assertEqual(picking.backorder_ids.move_ids.product_uom_qty, 2)
        self.assertEqual(picking.omni_dispatch_id.state, "partial")
        # a document breaking the contract fails visibly, with the contract's words
        bad = self.document(
            picking.backorder_ids, shipment_id="ACME-S2", lines=[{"sku": "SB-MUG", "quantity": 2}]
        )
        self.post(bad)
        failed = self.process(self.contract_backend)
        self.assertEqual((failed.state, failed.error_class), ("failed", "payload"))
        self.assertIn("Dispatch contract v1: lines/0/quantity", failed.error_message)
        self.assertEqual(picking.backorder_ids.state, "assigned")

    def test_unsigned_or_unknown_event_and_cancellation(self):
        order, __ = self.sell({self.mug: 1}, warehouse=self.contract_warehouse)
        picking = order.picking_ids
        response = self.url_open(
            f"/omni/webhook/3pl/{self.contract_backend.id}",
            data=json.dumps(self.document(picking)).encode(),
            headers={"Content-Type": "application/json"},
            timeout=60,
        )
        self.assertEqual(response.status_code, 401)
        self.assertFalse(self.events(self.contract_backend))
        self.post(self.document(picking, event="teleported"))
        event = self.events(self.contract_backend)
        self.assertEqual(event.state, "failed")
        self.assertIn("unknown event 'teleported'", event.error_message)
        with trap_jobs() as trap:
            order._action_cancel()
        trap.assert_jobs_count(0)
        self.assertEqual(picking.omni_dispatch_id.state, "cancelled")
