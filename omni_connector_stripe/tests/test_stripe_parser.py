from decimal import Decimal

from odoo.tests import BaseCase, tagged

from odoo.addons.omni_connector_base.tools.errors import PayloadError

from ..tools.parser import parse_balance_transaction, parse_payout

TXN = {
    "id": "txn_1",
    "object": "balance_transaction",
    "amount": 1999,
    "fee": 88,
    "net": 1911,
    "currency": "usd",
    "type": "charge",
    "reporting_category": "charge",
    "status": "available",
    "created": 1790812800,
    "available_on": 1790985600,
    "exchange_rate": None,
    "source": {"id": "ch_1", "object": "charge", "metadata": {"order_ref": "#1001"}},
}


@tagged("post_install", "-at_install")
class TestStripeParser(BaseCase):
    def test_charge(self):
        payment = parse_balance_transaction(TXN)
        self.assertEqual(
            (payment.amount, payment.fee, payment.net),
            (Decimal("19.99"), Decimal("0.88"), Decimal("19.11")),
        )
        self.assertEqual((payment.payment_type, payment.currency), ("charge", "USD"))
        self.assertEqual(
            (payment.processor_reference, payment.order_external_id), ("ch_1", "#1001")
        )
        self.assertEqual(payment.created_at.isoformat(), "2026-10-01T00:00:00+00:00")

    def test_zero_and_three_decimal_currencies(self):
        jpy = parse_balance_transaction(
            {**TXN, "currency": "jpy", "amount": 3500, "fee": 126, "net": 3374}
        )
        self.assertEqual(jpy.amount, Decimal("3500"))
        kwd = parse_balance_transaction(
            {**TXN, "currency": "kwd", "amount": 12345, "fee": 5, "net": 12340}
        )
        self.assertEqual((kwd.amount, kwd.fee), (Decimal("12.345"), Decimal("0.005")))

    def test_refund_and_dispute_point_at_their_charge(self):
        refund = parse_balance_transaction(
            {
                **TXN,
                "type": "refund",
                "amount": -500,
                "fee": 0,
                "net": -500,
                "source": {"id": "re_1", "object": "refund", "charge": "ch_9"},
            }
        )
        self.assertEqual((refund.payment_type, refund.processor_reference), ("refund", "ch_9"))
        dispute = parse_balance_transaction(
            {
                **TXN,
                "type": "adjustment",
                "reporting_category": "dispute",
                "source": {"id": "dp_1", "object": "dispute", "charge": {"id": "ch_7"}},
            }
        )
        self.assertEqual((dispute.payment_type, dispute.processor_reference), ("dispute", "ch_7"))

    def test_hostile_input(self):
        for bad in (
            {**TXN, "amount": 19.99},
            {**TXN, "amount": "1999"},
            {**TXN, "net": None},
            {k: v for k, v in TXN.items() if k != "currency"},
            {**TXN, "created": "x"},
        ):
            with self.assertRaises(PayloadError):
                parse_balance_transaction(bad)

    def test_payout(self):
        payout = parse_payout(
            {
                "id": "po_1",
                "amount": 1911,
                "currency": "usd",
                "status": "paid",
                "created": 1790812800,
                "arrival_date": 1790899200,
                "trace_id": {"value": "TR1"},
            },
            [TXN],
        )
        self.assertEqual(
            (payout.amount, payout.trace, payout.fee), (Decimal("19.11"), "TR1", Decimal("0.88"))
        )
        self.assertEqual(payout.payments[0].payout_external_id, "po_1")
