"""Real payloads that broke imports: older API versions' shapes, Connect earnings, failures
that come later, events whose payload lags. Every shape is Stripe's (validated against its
OpenAPI spec when the reference data is there) and arrives through the signed webhook or the
pull against the sandbox."""

import copy

from omni_sandboxes.openapi import StripeSchemaValidator
from omni_sandboxes.refdata import has_stripe_refdata, load_stripe_spec

from odoo.tests import tagged

from .common import StripeWebhookCase, major_units


@tagged("post_install", "-at_install")
class TestStripeRealPayloads(StripeWebhookCase):
    world_kwargs = {"days": 10, "charges_per_day": 4}
    _validator = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.revenue_account = cls.env["account.account"].create(
            {"name": "Platform earnings", "code": "706100", "account_type": "income"}
        )
        cls.backend.settlement_revenue_account_id = cls.revenue_account

    def validate(self, obj, schema_name):
        """The object has Stripe's shape (API version 2023-08-16; older versions' extra
        fields are allowed, as Stripe's spec leaves objects open)."""
        if not has_stripe_refdata():
            return
        if TestStripeRealPayloads._validator is None:
            TestStripeRealPayloads._validator = StripeSchemaValidator(load_stripe_spec())
        self._validator.validate(obj, schema_name)

    def payments(self, external_ids):
        return self.env["omni.payment"].search(
            [("backend_id", "=", self.backend.id), ("external_id", "in", list(external_ids))]
        )

    def assert_payload_error(self, event, text):
        self.assertIn(event.state, ("failed", "dead"))
        self.assertEqual(event.error_class, "payload", event.error_message)
        self.assertIn(text, event.error_message)

    def add_transaction(self, txn, payout_id=None):
        """Add a movement to the served account for this test only."""
        self.world.add("balance_transactions", txn, payout_id=payout_id)
        self.addCleanup(self.world.balance_transactions.remove, txn)

    def event_about(self, event_type, object_id):
        return next(
            e
            for e in self.world.events
            if e["type"] == event_type and e["data"]["object"]["id"] == object_id
        )

    def plain_charges(self):
        """Charges neither refunded nor disputed: their one movement is their own."""
        return [c for c in self.world.charges if not c["amount_refunded"] and not c["disputed"]]

    # -- disputes

    def test_dispute_with_both_fields_imports_its_money_once(self):
        dispute = self.world.serve_legacy_dispute(self.world.won_dispute_id)
        self.validate(dispute, "dispute")
        self.assertEqual(dispute["status"], "won")
        expected = [txn["id"] for txn in dispute["balance_transactions"]]
        self.assertEqual(len(expected), 2, "the withdrawal and its reinstatement")
        created = self.event_about("charge.dispute.created", dispute["id"])
        # The event was sent when the dispute opened: its payload knows the withdrawal only.
        self.assertEqual(len(created["data"]["object"]["balance_transactions"]), 1)
        event = self.deliver(created)
        self.assertEqual(event.state, "done", event.error_message)
        payments = self.payments(expected)
        self.assertEqual(sorted(payments.mapped("external_id")), sorted(expected))
        self.assertEqual(sorted(payments.mapped("payment_type")), ["dispute", "dispute_reversal"])
        self.assertEqual(len(payments.move_id), 2, "each movement booked once")
        self.assertEqual(event.omni_payment_id.external_id, expected[-1])

    def test_dispute_without_its_movements_is_a_payload_error(self):
        served = self.world.get(self.world.lost_dispute_id)
        saved = copy.deepcopy(served)
        self.addCleanup(lambda: served.update(saved))
        served.pop("balance_transactions")
        event = self.deliver(self.world.make_event("charge.dispute.updated", served))
        self.assert_payload_error(event, "neither balance_transactions nor balance_transaction")
        served["balance_transactions"] = "txn_not_a_list"
        event = self.deliver(self.world.make_event("charge.dispute.updated", served))
        self.assert_payload_error(event, "balance_transactions is not a list")
        self.assertFalse(self.payments(t["id"] for t in saved["balance_transactions"]))

    # -- refunds

    def test_refund_events_and_a_failed_refund_returning_the_money(self):
        refund = self.world.refunds[0]
        event = self.deliver(self.world.make_event("refund.created", refund))
        self.assertEqual(event.state, "done", event.error_message)
        booked = event.omni_payment_id
        self.assertEqual(
            (booked.external_id, booked.payment_type, booked.amount),
            (
                refund["balance_transaction"],
                "refund",
                -float(major_units(refund["amount"], refund["currency"])),
            ),
        )
        self.assertTrue(booked.account_payment_id.state == "posted", "registered once")

        self.world.fail_refund(refund["id"])
        self.validate(refund, "refund")
        failure_txn = self.world.get(refund["failure_balance_transaction"])
        self.validate(failure_txn, "balance_transaction")
        event = self.deliver(self.world.make_event("refund.failed", refund))
        self.assertEqual(event.state, "done", event.error_message)
        failure = event.omni_payment_id
        self.assertEqual(failure.external_id, failure_txn["id"])
        self.assertEqual(failure.amount, float(major_units(refund["amount"], refund["currency"])))
        self.assertTrue(
            failure.account_payment_id.move_id | failure.move_id,
            "the money back on the balance is booked",
        )

        count = self.env["omni.payment"].search_count([("backend_id", "=", self.backend.id)])
        event = self.deliver(self.world.make_event("refund.updated", refund))
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(
            self.env["omni.payment"].search_count([("backend_id", "=", self.backend.id)]), count
        )

    # -- payment intents

    def test_payment_intent_with_a_charges_list_books_its_charge(self):
        charge = self.plain_charges()[0]
        intent = self.world.legacy_payment_intent(charge["payment_intent"])
        self.validate(intent, "payment_intent")
        event = self.deliver(self.world.make_event("payment_intent.succeeded", intent))
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(event.omni_payment_id.external_id, charge["balance_transaction"])
        self.assertEqual(event.omni_payment_id.payment_type, "charge")

    def test_payment_intent_with_latest_charge_books_its_charge(self):
        charge = self.plain_charges()[1]
        event = self.deliver(self.event_about("payment_intent.succeeded", charge["payment_intent"]))
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(event.omni_payment_id.external_id, charge["balance_transaction"])

    def test_payment_intent_charges_not_a_list_is_a_payload_error(self):
        intent = self.world.legacy_payment_intent(self.plain_charges()[2]["payment_intent"])
        for charges in ("ch_1", {"object": "list", "data": "ch_1"}, {"data": ["ch_1"]}, None):
            with self.subTest(charges=charges):
                intent["charges"] = charges
                event = self.deliver(self.world.make_event("payment_intent.succeeded", intent))
                self.assert_payload_error(event, "'charges' is not a list of objects")

    def test_event_without_an_object_is_a_payload_error(self):
        event = self.world.make_event("charge.succeeded", {})
        event["data"]["object"] = "ch_not_an_object"
        self.assert_payload_error(self.deliver(event), "names no object")

    # -- payouts

    def test_failed_payout_brings_the_money_back(self):
        payout = self.world.get(self.world.failed_payout_id)
        event = self.deliver(self.event_about("payout.failed", payout["id"]))
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(event.omni_payout_id.status, "failed")
        failure = event.omni_payment_id
        self.assertEqual(failure.external_id, payout["failure_balance_transaction"])
        self.assertEqual(failure.amount, float(major_units(payout["amount"], payout["currency"])))
        self.assertTrue(failure.move_id)

    def test_payout_repeating_a_movement_imports_it_once(self):
        """A payout whose transaction list repeats one movement: the movement is stored once
        (a duplicate inside one import would trip the unique key, a bug no retry fixes)."""
        payout = next(p for p in self.world.payouts if p["status"] == "paid")
        txns = self.world.transactions_of_payout(payout["id"])
        self.add_transaction(copy.deepcopy(txns[0]), payout_id=payout["id"])
        event = self.deliver(self.event_about("payout.paid", payout["id"]))
        self.assertEqual(event.state, "done", event.error_message)
        movements = self.payments([txns[0]["id"]])
        self.assertEqual(len(movements), 1)
        self.assertEqual(movements.payout_id, event.omni_payout_id)
        self.assertEqual(
            sorted(event.omni_payout_id.payment_ids.mapped("external_id")),
            sorted({txn["id"] for txn in txns}),
        )

    # -- Connect

    def test_platform_earnings_are_revenue(self):
        earned = self.world.add_application_fee("usd", 250)
        refunded = self.world.add_application_fee("usd", 100, refund=True)
        self.addCleanup(self.world.balance_transactions.remove, earned)
        self.addCleanup(self.world.balance_transactions.remove, refunded)
        self.validate(earned, "balance_transaction")
        self.validate(refunded, "balance_transaction")
        events = self.pull_and_process()
        self.assert_all_done(events)
        payments = self.payments([earned["id"], refunded["id"]])
        self.assertEqual(set(payments.mapped("payment_type")), {"application_fee"})
        revenue = payments.move_id.line_ids.filtered(
            lambda line: line.account_id == self.revenue_account
        )
        self.assertAlmostEqual(sum(revenue.mapped("amount_currency")), -1.50, places=2)
        self.assertFalse(
            payments.move_id.line_ids.filtered(lambda line: line.account_id == self.fee_account),
            "platform earnings are no fee",
        )
