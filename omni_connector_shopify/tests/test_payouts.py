"""Shopify Payments payouts and balance transactions pulled through the sandbox into
omni.payout / omni.payment: imported exactly once, tied to the seeded orders' transactions to
the cent, re-runs and faults change nothing."""

from decimal import Decimal

from omni_sandboxes.shopify_payments import seed_payouts

from odoo.tests import BaseCase, tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from odoo.addons.omni_connector_base.tools.errors import PayloadError

from ..tools.parser_payouts import parse_balance_transaction, parse_payout
from .common import ShopifyCase

CENT = Decimal("0.01")


def dec(value):
    """An Odoo monetary float back to the exact cents it stores."""
    return Decimal(str(value)).quantize(CENT)


def tail(gid):
    return gid.rsplit("/", 1)[-1]


@tagged("post_install", "-at_install")
class TestShopifyPayouts(ShopifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payouts, cls.txns = seed_payouts(cls.world, every=2)

    def run_job(self, method, max_runs=20, **kwargs):
        """Run a pull job the way queue_job would, retrying after retryable errors; returns
        the number of retries."""
        retries = 0
        for __ in range(max_runs):
            with trap_jobs():
                try:
                    with self.env.cr.savepoint():  # a failed job's transaction is rolled back
                        getattr(self.backend, method)(**kwargs)
                except RetryableJobError:
                    retries += 1
                    continue
            return retries
        self.fail(f"{method} never converged")

    def import_all(self):
        self.run_job("_shopify_pull_orders")
        self.run_job("_shopify_pull_payouts")
        events = self.events(state="received")
        # payouts first: their movements must find their orders whatever the order of arrival
        events.sorted(lambda e: e.topic != "shopify_payments/payout")._process_job()
        failed = self.events().filtered(lambda e: e.state != "done")
        self.assertFalse(failed, failed.mapped("error_message"))

    def state(self):
        Payout = self.env["omni.payout"]
        payouts = Payout.search([("backend_id", "=", self.backend.id)])
        return sorted(
            (
                p.external_id,
                p.status,
                str(p.amount),
                str(p.fee_amount),
                p.trace or "",
                tuple(
                    sorted(
                        (
                            m.external_id,
                            str(m.amount),
                            str(m.fee_amount),
                            str(m.net_amount),
                            m.order_id.external_id or "",
                        )
                        for m in p.payment_ids
                    )
                ),
            )
            for p in payouts
        ), self.env["omni.payment"].search_count([("backend_id", "=", self.backend.id)])

    def test_payouts_are_imported_exactly_and_tie_to_the_orders(self):
        self.import_all()
        payouts = self.env["omni.payout"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(len(payouts), len(self.payouts))
        self.assertGreater(len(self.payouts), 1)
        by_ext = {p.external_id: p for p in payouts}
        Payment = self.env["omni.payment"]
        for seeded in self.payouts:
            record = by_ext[tail(seeded["id"])]
            self.assertEqual(record.currency_id, self.eur)
            self.assertEqual(dec(record.amount), Decimal(seeded["net"]["amount"]))
            self.assertEqual(record.status, seeded["status"].lower())
            members = [t for t in self.txns if t["associatedPayout"]["id"] == seeded["id"]]
            self.assertEqual(len(record.payment_ids), len(members))
            # the payout is exactly the sum of its balance transactions, gross - fee = net
            self.assertEqual(
                sum((dec(p.net_amount) for p in record.payment_ids), Decimal(0)), dec(record.amount)
            )
            self.assertEqual(
                sum((dec(p.fee_amount) for p in record.payment_ids), Decimal(0)),
                dec(record.fee_amount),
            )
            for txn in members:
                payment = record.payment_ids.filtered(
                    lambda p, t=txn: p.external_id == f"balance:{tail(t['id'])}"
                )
                self.assertEqual(len(payment), 1)
                self.assertEqual(dec(payment.amount), Decimal(txn["amount"]["amount"]))
                self.assertEqual(dec(payment.fee_amount), Decimal(txn["fee"]["amount"]))
                self.assertEqual(dec(payment.net_amount), Decimal(txn["net"]["amount"]))
                self.assertEqual(payment.processor, "shopify_payments")
                self.assertEqual(payment.payment_type, txn["type"].lower())
                # tied to its order and to the order transaction it settles
                self.assertEqual(payment.order_id.external_id, tail(txn["associatedOrder"]["id"]))
                order_txn = Payment.search(
                    [
                        ("backend_id", "=", self.backend.id),
                        ("external_id", "=", str(txn["sourceOrderTransactionId"])),
                    ]
                )
                self.assertEqual(order_txn.order_id, payment.order_id)
                self.assertEqual(payment.processor_reference, order_txn.external_id)
                # shop money of the order transaction = balance transaction gross (EUR shop);
                # the order transaction itself keeps the presentment currency
                order = self.world.order_by_gid[txn["associatedOrder"]["id"]]
                seeded_txn = next(
                    t for t in order["transactions"] if tail(t["id"]) == order_txn.external_id
                )
                self.assertEqual(
                    abs(Decimal(txn["amount"]["amount"])),
                    Decimal(seeded_txn["amountSet"]["shopMoney"]["amount"]),
                )
                self.assertEqual(
                    order_txn.currency_id.name,
                    seeded_txn["amountSet"]["presentmentMoney"]["currencyCode"],
                )
        refunds = Payment.search(
            [
                ("backend_id", "=", self.backend.id),
                ("external_id", "=like", "balance:%"),
                ("payment_type", "=", "refund"),
            ]
        )
        self.assertTrue(refunds, "the seeded shop has refunds paid out through Shopify Payments")
        self.assertEqual(
            set(refunds.mapped("external_id")),
            {f"balance:{tail(t['id'])}" for t in self.txns if t["type"] == "REFUND"},
        )
        self.assertTrue(all(p.amount < 0 and p.fee_amount == 0 for p in refunds))
        self.assertEqual(self.backend._stream("shopify_payouts").last_error, False)

    def test_rerun_and_replay_change_nothing(self):
        self.import_all()
        before = self.state()
        with trap_jobs() as trap:
            self.backend._shopify_pull_payouts()
        self.assertFalse(self.events(state="received"), "an unchanged payout is no new event")
        self.assertFalse([j for j in trap.enqueued_jobs if j.method_name == "_process_job"])
        for event in self.events(topic="shopify_payments/payout"):
            event.action_replay()
            event._process_one()
            self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(self.state(), before)

    def test_status_change_updates_the_payout_without_duplicates(self):
        self.import_all()
        scheduled = next(p for p in self.payouts if p["status"] == "SCHEDULED")
        before = self.state()
        try:
            scheduled["status"] = "PAID"
            scheduled["externalTraceId"] = "TRACE-NOW-PAID"
            self.run_job("_shopify_pull_payouts")
            new = self.events(state="received")
            self.assertEqual(len(new), 1)
            new._process_job()
            self.assertEqual(new.state, "done", new.error_message)
        finally:
            scheduled["status"] = "SCHEDULED"
            scheduled["externalTraceId"] = None
        record = self.env["omni.payout"].search(
            [("backend_id", "=", self.backend.id), ("external_id", "=", tail(scheduled["id"]))]
        )
        self.assertEqual((record.status, record.trace), ("paid", "TRACE-NOW-PAID"))
        after = self.state()
        self.assertEqual(after[1], before[1], "no payment added")
        self.assertEqual(len(after[0]), len(before[0]))

    def test_faults_converge_to_the_same_result(self):
        self.import_all()
        clean = self.state()
        self.env["omni.payment"].search([("backend_id", "=", self.backend.id)]).unlink()
        self.env["omni.payout"].search([("backend_id", "=", self.backend.id)]).unlink()
        self.events().unlink()
        self.backend.stream_ids.unlink()
        for kind in ("429", "500", "throttled", "drop", "503"):
            self.sandbox.add_fault(kind)
        self.backend.invalidate_recordset()
        self.assertGreaterEqual(
            self.run_job("_shopify_pull_orders") + self.run_job("_shopify_pull_payouts"), 5
        )
        self.events(state="received")._process_job()
        self.assertFalse(self.events().filtered(lambda e: e.state != "done"))
        self.assertEqual(self.state(), clean)

    def test_movements_not_paid_out_yet_then_their_payout(self):
        scheduled = next(p for p in self.payouts if p["status"] == "SCHEDULED")
        members = [t for t in self.txns if t["associatedPayout"]["id"] == scheduled["id"]]
        self.assertTrue(members)
        ids = [f"balance:{tail(t['id'])}" for t in members]
        Payment = self.env["omni.payment"]
        self.world.payouts.remove(scheduled)  # not issued yet: its movements are pending
        for txn in members:
            txn["associatedPayout"] = {"id": None, "status": "PENDING"}
        try:
            self.import_all()
        finally:
            self.world.payouts.append(scheduled)
            for txn in members:
                txn["associatedPayout"] = {"id": scheduled["id"], "status": "SCHEDULED"}
        pending = Payment.search([("backend_id", "=", self.backend.id), ("external_id", "in", ids)])
        self.assertEqual(len(pending), len(members))
        self.assertFalse(pending.payout_id)
        self.assertEqual(set(pending.mapped("status")), {"pending"})
        self.assertTrue(all(pending.mapped("order_id")))
        count = Payment.search_count([("backend_id", "=", self.backend.id)])
        # issued now: the same movements join their payout, nothing is added
        self.run_job("_shopify_pull_payouts")
        self.events(state="received")._process_job()
        self.assertFalse(self.events().filtered(lambda e: e.state != "done"))
        payout = self.env["omni.payout"].search(
            [("backend_id", "=", self.backend.id), ("external_id", "=", tail(scheduled["id"]))]
        )
        self.assertEqual(payout.payment_ids, pending)
        self.assertEqual(set(pending.mapped("status")), {"scheduled"})
        self.assertEqual(Payment.search_count([("backend_id", "=", self.backend.id)]), count)

    def test_watermark_stays_before_an_open_payout(self):
        self.import_all()
        stream = self.backend._stream("shopify_payouts")
        scheduled = next(p for p in self.payouts if p["status"] == "SCHEDULED")
        self.assertEqual(stream.watermark.strftime("%Y-%m-%dT%H:%M:%SZ"), scheduled["issuedAt"])
        # the next pull asks for payouts issued since the watermark minus the overlap
        self.sandbox.reset()
        self.backend._shopify_pull_payouts()
        body = self.sandbox.graphql_requests()[0].body.decode()
        self.assertIn("issued_at:>=", body)

    def test_shop_without_shopify_payments(self):
        account = self.world.payments_account
        self.world.payments_account = None
        try:
            message = self.backend._shopify_pull_payouts()
        finally:
            self.world.payments_account = account
        self.assertEqual(message, "Pull stopped: Shopify Payments is not activated on this shop.")
        self.assertFalse(self.events(topic="shopify_payments/payout"))
        self.assertEqual(
            self.backend._stream("shopify_payouts").last_error,
            "Shopify Payments is not activated on this shop.",
        )


def _txn(**overrides):
    node = {
        "id": "gid://shopify/ShopifyPaymentsBalanceTransaction/77",
        "type": "CHARGE",
        "transactionDate": "2026-10-01T10:00:00Z",
        "sourceOrderTransactionId": 555,
        "amount": {"amount": "100.00", "currencyCode": "EUR"},
        "fee": {"amount": "3.15", "currencyCode": "EUR"},
        "net": {"amount": "96.85", "currencyCode": "EUR"},
        "associatedOrder": {"id": "gid://shopify/Order/9", "name": "#1009"},
        "associatedPayout": {"id": "gid://shopify/ShopifyPaymentsPayout/1", "status": "PAID"},
    }
    node.update(overrides)
    return node


def _payout(**overrides):
    money = {"amount": "96.85", "currencyCode": "EUR"}
    node = {
        "id": "gid://shopify/ShopifyPaymentsPayout/1",
        "legacyResourceId": "1",
        "issuedAt": "2026-10-03T08:00:00Z",
        "status": "PAID",
        "transactionType": "DEPOSIT",
        "externalTraceId": "T1",
        "net": money,
        "summary": {"chargesFee": {"amount": "3.15", "currencyCode": "EUR"}},
    }
    node.update(overrides)
    return node


@tagged("post_install", "-at_install")
class TestPayoutParser(BaseCase):
    def test_exact_decimals_and_links(self):
        payment = parse_balance_transaction(_txn())
        self.assertEqual(
            (payment.amount, payment.fee, payment.net),
            (Decimal("100.00"), Decimal("3.15"), Decimal("96.85")),
        )
        self.assertEqual(
            (
                payment.external_id,
                payment.order_external_id,
                payment.payout_external_id,
                payment.processor_reference,
            ),
            ("balance:77", "9", "1", "555"),
        )
        payout = parse_payout(_payout(), [_txn()])
        self.assertEqual(
            (payout.amount, payout.fee, payout.status, payout.trace),
            (Decimal("96.85"), Decimal("3.15"), "paid", "T1"),
        )

    def test_zero_decimal_currency(self):
        jpy = {"currencyCode": "JPY"}
        payment = parse_balance_transaction(
            _txn(
                amount=dict(jpy, amount="1500.0"),
                fee=dict(jpy, amount="59.0"),
                net=dict(jpy, amount="1441.0"),
            )
        )
        self.assertEqual((payment.currency, payment.net), ("JPY", Decimal("1441")))

    def test_withdrawal_is_negative(self):
        payout = parse_payout(_payout(transactionType="WITHDRAWAL"))
        self.assertEqual(payout.amount, Decimal("-96.85"))

    def test_hostile_inputs_are_refused(self):
        cases = [
            _txn(net={"amount": "96.84", "currencyCode": "EUR"}),  # gross - fee != net
            _txn(fee={"amount": "3.15", "currencyCode": "USD"}),  # mixed currencies
            _txn(amount={"amount": "NaN", "currencyCode": "EUR"}),
            _txn(amount={"amount": 100.0, "currencyCode": "EUR"}),  # a float, not a string
            _txn(amount=None),
            _txn(id=None),
        ]
        for node in cases:
            with self.assertRaises(PayloadError, msg=node):
                parse_balance_transaction(node)
        with self.assertRaises(PayloadError):  # a transaction of another payout
            parse_payout(
                _payout(),
                [
                    _txn(
                        associatedPayout={
                            "id": "gid://shopify/ShopifyPaymentsPayout/2",
                            "status": "PAID",
                        }
                    )
                ],
            )
        with self.assertRaises(PayloadError):  # a transaction in another currency
            usd = {"currencyCode": "USD"}
            parse_payout(
                _payout(),
                [
                    _txn(
                        amount=dict(usd, amount="1.00"),
                        fee=dict(usd, amount="0.00"),
                        net=dict(usd, amount="1.00"),
                    )
                ],
            )
        with self.assertRaises(PayloadError):
            parse_payout(_payout(issuedAt="yesterday"))
