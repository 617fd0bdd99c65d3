"""The dispatch contract and ShipBob's parser: pure functions, no database."""

import unittest
from datetime import datetime, timezone
from decimal import Decimal

from odoo.addons.omni_connector_base.tools.errors import PayloadError

from ..tools import contract
from ..tools.parser import charge, shipment_document


def shipment(**overrides):
    return {
        "id": 501,
        "order_id": 900,
        "reference_id": "SBC/OUT/00007",
        "status": "Completed",
        "actual_fulfillment_date": "2026-11-03T15:30:00Z",
        "last_update_at": "2026-11-04T08:00:00Z",
        "location": {"id": 10, "name": "Cicero (IL)"},
        "tracking": {"carrier": "UPS", "tracking_number": "1Z9", "shipping_date": None},
        "products": [
            {"sku": "SB-MUG", "inventory_items": [{"quantity": 2}, {"quantity": 1}]},
            {"reference_id": "SB-TEE", "inventory_items": [{"quantity": 4}]},
        ],
        "status_details": [],
        **overrides,
    }


class TestDispatchContract(unittest.TestCase):
    def test_shipped_shipment_becomes_a_valid_document(self):
        document = shipment_document("order.shipped", shipment())
        self.assertEqual(
            document,
            {
                "contract_version": "1",
                "record_type": "shipment",
                "event": "shipped",
                "shipment_id": "501",
                "order_reference": "SBC/OUT/00007",
                "occurred_at": "2026-11-03T15:30:00Z",
                "warehouse_order_id": "900",
                "location_id": "10",
                "carrier": "UPS",
                "tracking_number": "1Z9",
                "lines": [{"sku": "SB-MUG", "quantity": "3"}, {"sku": "SB-TEE", "quantity": "4"}],
            },
        )
        parsed = contract.parse(document)
        self.assertEqual(parsed.occurred_at, datetime(2026, 11, 3, 15, 30, tzinfo=timezone.utc))
        self.assertEqual(parsed.quantities(), {"SB-MUG": Decimal(3), "SB-TEE": Decimal(4)})

    def test_event_times_follow_the_event(self):
        delivered = shipment(delivery_date="2026-11-06T09:00:00Z")
        self.assertEqual(
            shipment_document("order.shipment.delivered", delivered)["occurred_at"],
            "2026-11-06T09:00:00Z",
        )
        held = shipment(status_details=[{"name": "OutOfStock", "description": "none left"}])
        document = shipment_document("order.shipment.on_hold", held)
        self.assertEqual(document["occurred_at"], "2026-11-04T08:00:00Z")
        self.assertEqual(document["status_reason"], "OutOfStock none left")
        no_date = shipment(actual_fulfillment_date=None, last_update_at=None)
        with self.assertRaisesRegex(PayloadError, "gives no date for shipped"):
            shipment_document("order.shipped", no_date)

    def test_contract_refuses_what_it_does_not_define(self):
        good = shipment_document("order.shipped", shipment())
        for change, words in (
            ({"lines": []}, "lines"),
            ({"lines": [{"sku": "X", "quantity": "-1"}]}, "lines/0/quantity"),
            ({"lines": [{"sku": "X", "quantity": 1}]}, "is not of type 'string'"),
            ({"contract_version": "2"}, "contract_version"),
            ({"occurred_at": "yesterday"}, "occurred_at"),
            ({"surprise": True}, "surprise"),
        ):
            with self.subTest(change=change), self.assertRaisesRegex(PayloadError, words):
                contract.parse({**good, **change})

    def test_hostile_shipments(self):
        for body, words in (
            (
                shipment(products=[{"sku": "A", "inventory_items": [{"quantity": -2}]}]),
                "quantity -2 of A is negative",
            ),
            (
                shipment(products=[{"sku": "A", "inventory_items": [{"quantity": 1.5}]}]),
                "not a whole number",
            ),
            (shipment(products=[{"inventory_items": []}]), "has no SKU"),
            (shipment(reference_id=None), "no reference_id"),
            (shipment(id={"nested": 1}), "is not an id"),
        ):
            with self.subTest(words=words), self.assertRaisesRegex(PayloadError, words):
                shipment_document("order.shipped", body)
        with self.assertRaisesRegex(PayloadError, "not a shipment topic"):
            shipment_document("return.created", shipment())

    def test_charges_are_exact_and_signed_as_cost(self):
        body = {
            "transaction_id": "tx-1",
            "amount": Decimal("4.10"),
            "currency_code": "usd",
            "charge_date": "2026-11-04",
            "invoice_type": "Shipping",
            "reference_type": "Shipment",
            "reference_id": "501",
        }
        parsed = charge("billing.charge.created", body)
        self.assertEqual((parsed.amount, parsed.currency), (Decimal("4.10"), "USD"))
        self.assertEqual(charge("billing.refund.created", body).amount, Decimal("-4.10"))
        self.assertEqual(
            charge("billing.credit.created", {**body, "amount": Decimal("-2")}).amount,
            Decimal("-2"),
        )
        with self.assertRaisesRegex(PayloadError, "expected a decimal string"):
            charge("billing.charge.created", {**body, "amount": 4.1})
        with self.assertRaisesRegex(PayloadError, "more decimals than JPY"):
            charge("billing.charge.created", {**body, "currency_code": "JPY"})
        with self.assertRaisesRegex(PayloadError, "no charge date"):
            charge("billing.charge.created", {**body, "charge_date": None})
