from decimal import Decimal

from odoo.tests import BaseCase, tagged

from odoo.addons.omni_connector_base.tools.errors import PayloadError

from ..tools.parser import (
    dispute_transaction_ids,
    parse_balance_transaction,
    parse_payout,
    payment_intent_charges,
    refund_transaction_ids,
)

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

    def test_application_fees_are_platform_earnings(self):
        for kind, amount in (("application_fee", 250), ("application_fee_refund", -100)):
            earning = parse_balance_transaction(
                {**TXN, "type": kind, "amount": amount, "fee": 0, "net": amount}
            )
            self.assertEqual(earning.payment_type, "application_fee")

    def test_zero_and_three_decimal_currencies(self):
        jpy = parse_balance_transaction(
            {**TXN, "currency": "jpy", "amount": 3500, "fee": 126, "net": 3374}
        )
        self.assertEqual(jpy.amount, Decimal("3500"))
        kwd = parse_balance_transaction(
            {**TXN, "currency": "kwd", "amount": 12345, "fee": 5, "net": 12340}
        )
        self.assertEqual((kwd.amount, kwd.fee), (Decimal("12.345"), Decimal("0.005")))

    def test_stripe_special_cases_isk_ugx_huf_twd(self):
        """docs.stripe.com/currencies#special-cases, as the API states amounts."""
        for code in ("isk", "ugx"):  # zero-decimal, yet in hundredths, always whole
            with self.subTest(currency=code):
                txn = parse_balance_transaction(
                    {**TXN, "currency": code, "amount": 500000, "fee": 18000, "net": 482000}
                )
                self.assertEqual((txn.amount, txn.fee), (Decimal("5000"), Decimal("180")))
                with self.assertRaisesRegex(PayloadError, "not a whole number"):
                    parse_balance_transaction(
                        {**TXN, "currency": code, "amount": 4010, "fee": 0, "net": 4010}
                    )
        for code in ("huf", "twd"):  # charges with cents, payouts of whole units
            with self.subTest(currency=code):
                txn = {**TXN, "currency": code, "amount": 1045, "fee": 0, "net": 1045}
                self.assertEqual(parse_balance_transaction(txn).amount, Decimal("10.45"))
                payout = {
                    "id": "po_1",
                    "currency": code,
                    "status": "paid",
                    "created": 1790812800,
                }
                self.assertEqual(parse_payout({**payout, "amount": 1000}).amount, Decimal("10.00"))
                with self.assertRaisesRegex(PayloadError, "not a whole number"):
                    parse_payout({**payout, "amount": 1045})

    def test_ids_of_what_an_event_names(self):
        dispute = {"id": "dp_1", "balance_transaction": "txn_1"}
        self.assertEqual(dispute_transaction_ids(dispute), ["txn_1"])
        both = {**dispute, "balance_transactions": [{"id": "txn_1"}, {"id": "txn_2"}]}
        self.assertEqual(dispute_transaction_ids(both), ["txn_1", "txn_2"])
        for bad in ({"id": "dp_1"}, {"id": "dp_1", "balance_transactions": {"id": "txn_1"}}):
            with self.assertRaises(PayloadError):
                dispute_transaction_ids(bad)
        with self.assertRaises(PayloadError):
            dispute_transaction_ids({"id": "dp_1", "balance_transactions": [7]})
        refund = {
            "id": "re_1",
            "balance_transaction": "txn_1",
            "failure_balance_transaction": "txn_3",
        }
        self.assertEqual(refund_transaction_ids(refund), ["txn_1", "txn_3"])
        self.assertEqual(payment_intent_charges({"id": "pi_1", "latest_charge": "ch_1"}), ["ch_1"])
        self.assertEqual(payment_intent_charges({"id": "pi_1", "latest_charge": None}), [])

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
