"""Currencies as Stripe's API counts them (docs.stripe.com/currencies#special-cases), pulled
from the sandbox: ISK and UGX are zero-decimal currencies Stripe states in hundredths (500 is
ISK 5), HUF and TWD charge with decimals but pay out whole units."""

from collections import Counter

from odoo.tests import tagged

from .common import StripeCase, major_units

SPECIAL = ("isk", "huf", "twd", "ugx")


@tagged("post_install", "-at_install")
class TestStripeSpecialCurrencies(StripeCase):
    world_kwargs = {"days": 8, "charges_per_day": 8, "currencies": SPECIAL}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code, rate in (("ISK", 138.0), ("HUF", 360.0), ("TWD", 32.0), ("UGX", 3700.0)):
            cls.activate_currency(code, rate=rate)
        # Stripe charges TWD with cents; Odoo's TWD keeps none unless told to.
        cls.env.ref("base.TWD").rounding = 0.01
        cls.pulled = cls.pull_and_process(cls)

    def payments(self):
        return self.env["omni.payment"].search([("backend_id", "=", self.backend.id)])

    def test_every_movement_imported_in_major_units(self):
        self.assert_all_done(self.pulled)
        stored = self.stored_amounts("omni.payment", ["amount", "fee_amount", "net_amount"])
        self.assertEqual(set(stored), {t["id"] for t in self.world.balance_transactions})
        for txn in self.world.balance_transactions:
            code = txn["currency"].upper()
            self.assertEqual(
                stored[txn["id"]],
                tuple(major_units(txn[k], code) for k in ("amount", "fee", "net")),
            )
        self.assertEqual(
            Counter(p.currency_id.name for p in self.payments()),
            Counter(t["currency"].upper() for t in self.world.balance_transactions),
        )

    def test_isk(self):
        """Zero-decimal, yet stated in hundredths: 500 is ISK 5, never ISK 500."""
        self._assert_whole_units_in_hundredths("isk")

    def test_ugx(self):
        """As ISK: zero-decimal, stated in hundredths (500 is UGX 5)."""
        self._assert_whole_units_in_hundredths("ugx")

    def _assert_whole_units_in_hundredths(self, code):
        charge = next(c for c in self.world.charges if c["currency"] == code)
        payment = self.payments().filtered(lambda p: p.external_id == charge["balance_transaction"])
        self.assertEqual(payment.amount, charge["amount"] / 100)
        self.assertTrue(all(p.amount == int(p.amount) for p in payment), "whole units")

    def test_huf(self):
        """Two-decimal charges (1045 is HUF 10.45), payouts of whole forints."""
        self._assert_cents_charged_whole_units_paid_out("huf")

    def test_twd(self):
        """Two-decimal charges, payouts of whole dollars."""
        self._assert_cents_charged_whole_units_paid_out("twd")

    def _assert_cents_charged_whole_units_paid_out(self, code):
        charges = [c for c in self.world.charges if c["currency"] == code]
        stored = self.stored_amounts("omni.payment", ["amount"])
        fractional = [c for c in charges if c["amount"] % 100]
        self.assertTrue(fractional)
        for charge in fractional:
            self.assertEqual(
                stored[charge["balance_transaction"]][0], major_units(charge["amount"], code)
            )
        payouts = self.env["omni.payout"].search(
            [("backend_id", "=", self.backend.id), ("currency_id.name", "=", code.upper())]
        )
        self.assertTrue(payouts)
        self.assertTrue(all(p.amount == int(p.amount) for p in payouts), "whole units")

    def test_journal_balance_equals_stripe_balance_in_every_currency(self):
        self.assertEqual(self.journal_balance(), self.sandbox_balance())


@tagged("post_install", "-at_install")
class TestStripeCurrencyOdooCannotHold(StripeCase):
    """Odoo's TWD keeps no decimals: a TWD charge with cents fails visibly, never rounded."""

    world_kwargs = {"days": 4, "charges_per_day": 6, "currencies": ("twd",)}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_currency("TWD", rate=32.0)
        cls.pulled = cls.pull_and_process(cls)

    def test_cents_odoo_cannot_hold_are_a_mapping_error(self):
        failed = self.pulled.filtered(lambda e: e.state != "done")
        self.assertTrue(failed)
        self.assertEqual(set(failed.mapped("error_class")), {"mapping"})
        self.assertIn("rounding to 0.01", failed[0].error_message)
        with_cents = {t["id"] for t in self.world.balance_transactions if t["amount"] % 100}
        self.assertTrue(with_cents)
        stored = self.env["omni.payment"].search([("backend_id", "=", self.backend.id)])
        self.assertFalse(with_cents & set(stored.mapped("external_id")), "nothing rounded away")
