import copy
from datetime import timedelta
from decimal import Decimal

from omni_sandboxes.amazon_sandbox import DE, US, generate_month

from odoo.tests import BaseCase, tagged

from odoo.addons.omni_connector_base.tools.errors import PayloadError

from ..const import FEE_MOVEMENTS, FULFILLED_BY_AMAZON, FULFILLED_BY_MERCHANT
from ..tools.parser import movement_type, parse_amount, parse_order, parse_settlement


@tagged("post_install", "-at_install")
class TestAmazonParser(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.world = generate_month()

    def _orders(self, marketplace, fulfilled_by):
        return [
            o
            for o in self.world.orders
            if o["salesChannel"]["marketplaceId"] == marketplace.marketplace_id
            and o["fulfillment"]["fulfilledBy"] == fulfilled_by
        ]

    def test_local_amounts_are_exact(self):
        for text, expected in (
            ("95,00", "95.00"),
            ("1.234,56", "1234.56"),
            ("-1.234,56", "-1234.56"),
            ("1,234.56", "1234.56"),
            ("1234.56", "1234.56"),
            ("-0,5", "-0.5"),
            ("1.234.567,89", "1234567.89"),
            ("1 234,56", "1234.56"),
            ("12", "12"),
        ):
            self.assertEqual(parse_amount(text), Decimal(expected), text)

    def test_malformed_amounts(self):
        for text in ("", "1,234,56", "1.234.56", "1.23.456,00", "abc", "12,345,6", "1e3", "--1"):
            with self.assertRaises(PayloadError, msg=text):
                parse_amount(text)

    def test_merchant_order_with_seller_tax(self):
        raw = self._orders(DE, "MERCHANT")[0]
        order = parse_order(raw)
        self.assertEqual(order.external_id, raw["orderId"])
        self.assertEqual(order.currency, "EUR")
        self.assertEqual(order.location_external_id, FULFILLED_BY_MERCHANT)
        self.assertEqual(order.customer.email, raw["buyer"]["buyerEmail"])
        self.assertEqual(order.customer.shipping_address.country_code, "DE")
        products = [line for line in order.lines if line.line_type == "product"]
        shipping = [line for line in order.lines if line.line_type == "shipping"]
        self.assertTrue(products and shipping)
        tax = sum((t.amount for line in products for t in line.taxes), Decimal(0))
        self.assertEqual(tax, order.amount_tax)
        self.assertTrue(all(t.rate == Decimal("0.200") for line in products for t in line.taxes))
        self.assertEqual(order.amount_total, Decimal(raw["proceeds"]["grandTotal"]["amount"]))
        self.assertEqual(
            sum((line.price_unit * line.quantity for line in order.lines), Decimal(0)) + tax,
            order.amount_total,
        )
        self.assertEqual((order.financial_status, order.fulfillment_status), ("paid", "shipped"))

    def test_fba_order_with_facilitator_tax(self):
        raw = self._orders(US, "AMAZON")[0]
        order = parse_order(raw)
        self.assertEqual(order.location_external_id, FULFILLED_BY_AMAZON)
        self.assertIsNone(order.customer)  # FBA: no buyer data, the walk-in customer
        self.assertFalse(any(line.taxes for line in order.lines))
        self.assertEqual(order.amount_tax, 0)
        collected = sum(
            Decimal(b["subtotal"]["amount"])
            for item in raw["orderItems"]
            for b in item["proceeds"]["breakdowns"]
            if b["type"] == "TAX"
        )
        self.assertTrue(collected)
        self.assertEqual(
            order.amount_total, Decimal(raw["proceeds"]["grandTotal"]["amount"]) - collected
        )
        self.assertIn("Marketplace facilitator tax", order.note)
        self.assertIn(str(collected), order.note)

    def test_float_amounts_are_refused(self):
        """Amazon's Decimal is a string: a float has already lost the cents."""
        raw = copy.deepcopy(self.world.orders[0])
        raw["orderItems"][0]["product"]["price"]["unitPrice"]["amount"] = 12.5
        with self.assertRaises(PayloadError):
            parse_order(raw)

    def test_cancelled_order(self):
        raw = next(
            o for o in self.world.orders if o["fulfillment"]["fulfillmentStatus"] == "CANCELLED"
        )
        order = parse_order(raw)
        self.assertTrue(order.cancelled_at)
        self.assertEqual(order.fulfillment_status, "cancelled")

    def test_order_missing_fields(self):
        with self.assertRaises(PayloadError):
            parse_order({"orderId": "1"})
        raw = dict(self.world.orders[0], lastUpdatedTime=None)
        with self.assertRaises(PayloadError):
            parse_order(raw)

    def test_settlement_adds_up_and_maps_movements(self):
        for settlement in self.world.settlements:
            payout = parse_settlement(settlement.text())
            self.assertEqual(payout.external_id, settlement.settlement_id)
            self.assertEqual(payout.currency, settlement.marketplace.currency)
            self.assertEqual(payout.amount, settlement.total)
            self.assertEqual(sum((p.net for p in payout.payments), Decimal(0)), payout.amount)
            self.assertEqual(len(payout.payments), len(settlement.rows))
            self.assertEqual(payout.arrival_date, settlement.end + timedelta(days=2))
            movements = {p.description.partition(":")[0] for p in payout.payments}
            self.assertLessEqual(
                {
                    "principal",
                    "tax",
                    "commission",
                    "refund",
                    "refund_commission",
                    "promotion",
                    "advertising",
                    "service_fee",
                    "reimbursement",
                    "reserve_held",
                    "reserve_released",
                },
                movements,
            )
            for payment in payout.payments:
                self.assertEqual(payment.net, payment.amount - payment.fee)
                self.assertEqual(payment.payout_external_id, settlement.settlement_id)
        us = parse_settlement(self.world.settlements[0].text())
        self.assertIn("fba_fee", {p.description.partition(":")[0] for p in us.payments})
        fee_rows = [
            row["amount"]
            for row in self.world.settlements[0].rows
            if movement_type(row["transaction-type"], row["amount-type"], row["amount-description"])
            in FEE_MOVEMENTS
        ]
        self.assertEqual(us.fee, -sum(fee_rows, Decimal(0)))
        self.assertTrue(us.fee > 0)

    def test_local_settlement_file(self):
        settlement = next(s for s in self.world.settlements if s.marketplace is DE)
        text = settlement.text()
        self.assertIn("1.234,56", text)  # the lamp, written the German way
        payout = parse_settlement(text)
        self.assertIn(Decimal("1234.56"), [p.amount for p in payout.payments])
        self.assertEqual(payout.created_at, settlement.end)

    def test_settlement_not_adding_up(self):
        settlement = self.world.settlements[0]
        with self.assertRaises(PayloadError) as caught:
            parse_settlement(settlement.text(total=settlement.total + Decimal("0.01")))
        message = str(caught.exception)
        self.assertIn("add up to", message)
        self.assertIn(str(settlement.total), message)

    def test_not_a_settlement(self):
        for text in ("", "a\tb\n1\t2\n", "settlement-id\n"):
            with self.assertRaises(PayloadError):
                parse_settlement(text)

    def test_movement_types(self):
        self.assertEqual(movement_type("Order", "ItemPrice", "Principal"), "principal")
        self.assertEqual(movement_type("Refund", "ItemPrice", "Principal"), "refund")
        self.assertEqual(movement_type("Order", "ItemFees", "FBAPerUnitFulfillmentFee"), "fba_fee")
        self.assertEqual(
            movement_type("Refund", "ItemFees", "RefundCommission"), "refund_commission"
        )
        self.assertEqual(movement_type("whatever", "Unknown", "Thing"), "adjustment")
