from psycopg2.errors import CheckViolation, UniqueViolation

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import ReconScenarioCase


@tagged("post_install", "-at_install")
class TestReconTolerance(ReconScenarioCase):
    """Finance sets, per currency, how far amounts may differ before it is a gap."""

    def mismatch(self, order):
        return self.env["omni.recon.exception"].search(
            [("omni_order_id", "=", order.id), ("exception_type", "=", "amount_mismatch")]
        )

    def test_currency_tolerance_silences_small_gaps_only(self):
        small, large = self.omni_order(100.30), self.omni_order(101.00)
        for order in (small, large):
            self.invoice(self.sale_order(order, 100.0))
            self.payment(order.amount_total, order)
        self.run_recon()
        self.assertAlmostEqual(self.mismatch(small).amount, 0.30)
        self.assertAlmostEqual(self.mismatch(large).amount, 1.00)

        self.env["omni.recon.tolerance"].create({"currency_id": self.currency.id, "amount": 0.5})
        self.run_recon()
        self.assertEqual(
            (self.mismatch(small).state, self.mismatch(small).auto_closed), ("resolved", True)
        )
        self.assertEqual(self.mismatch(large).state, "open")

    def test_one_tolerance_per_currency_and_company_managers_only(self):
        Tolerance = self.env["omni.recon.tolerance"]
        Tolerance.create({"currency_id": self.currency.id, "amount": 0.05})
        with self.assertRaises(UniqueViolation), self.cr.savepoint(), mute_logger("odoo.sql_db"):
            Tolerance.create({"currency_id": self.currency.id, "amount": 0.10})
        with self.assertRaises(CheckViolation), self.cr.savepoint(), mute_logger("odoo.sql_db"):
            Tolerance.create({"currency_id": self.env.ref("base.USD").id, "amount": -1})
        user = new_test_user(
            self.env, "omni_recon_tol_user", groups="omni_connector_base.group_omni_user"
        )
        self.assertEqual(
            Tolerance.with_user(user).search([]),
            Tolerance.search([("company_id", "=", user.company_id.id)]),
        )
        self.assertEqual(len(Tolerance.search([("currency_id", "=", self.currency.id)])), 1)
        with self.assertRaises(AccessError):
            Tolerance.with_user(user).create(
                {"currency_id": self.env.ref("base.USD").id, "amount": 1}
            )
