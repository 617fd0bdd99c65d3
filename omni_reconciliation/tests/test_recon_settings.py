"""The settings of the reconciliation are configuration: the company's (Invoicing settings),
or a channel's own; every run applies those in force, and closes only what it checked."""

from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ReconScenarioCase


@tagged("post_install", "-at_install")
class TestReconSettings(ReconScenarioCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend_b = cls.make_backend("Recon channel B")
        # confirmed five days ago, still to invoice: late for a 3-day SLA, not for a 10-day one
        cls.order_a = cls.omni_order(90.0)
        cls.sale_order(cls.order_a, 90.0, age_days=5)
        cls.order_a2 = cls.omni_order(40.0)
        cls.sale_order(cls.order_a2, 40.0, age_days=5)
        cls.order_b = cls.omni_order(60.0, backend=cls.backend_b)
        cls.sale_order(cls.order_b, 60.0, age_days=5)

    def setUp(self):
        super().setUp()
        self.Exc = self.env["omni.recon.exception"]

    def uninvoiced(self, order):
        return self.Exc.search(
            [("exception_type", "=", "uninvoiced"), ("omni_order_id", "=", order.id)]
        )

    def set_company_invoice_sla(self, days):
        self.env["res.config.settings"].create({"omni_recon_invoice_sla_days": days}).execute()
        self.assertEqual(self.company.omni_recon_invoice_sla_days, days)

    def test_company_settings_and_backend_override(self):
        self.assertEqual(self.company.omni_recon_invoice_sla_days, 3)
        run = self.run_recon()
        for order in (self.order_a, self.order_b):
            self.assertEqual(self.uninvoiced(order).state, "open")
        self.assertIn("invoicing SLA 3 day(s)", run.settings_used)

        self.set_company_invoice_sla(10)
        # channel B takes its own settings: they start from the company's, then its own
        self.backend_b.omni_recon_own_settings = True
        self.assertEqual(self.backend_b.omni_recon_invoice_sla_days, 10)
        self.backend_b.omni_recon_invoice_sla_days = 3
        # a later change of the company's settings leaves the channel's own as they are
        self.set_company_invoice_sla(12)
        self.assertEqual(self.backend_b.omni_recon_invoice_sla_days, 3)

        run = self.run_recon()
        self.assertEqual(self.uninvoiced(self.order_a).state, "resolved")
        self.assertTrue(self.uninvoiced(self.order_a).auto_closed)
        self.assertEqual(self.uninvoiced(self.order_b).state, "open")
        self.assertIn("after 3 day(s)", self.uninvoiced(self.order_b).name)
        lines = dict(line.split(" (", 1) for line in run.settings_used.splitlines())
        self.assertIn("invoicing SLA 12 day(s)", lines[self.backend.name])
        self.assertIn("own settings", lines["Recon channel B"])
        self.assertIn("invoicing SLA 3 day(s)", lines["Recon channel B"])

        # back to the company's: channel B follows the company again
        self.backend_b.omni_recon_own_settings = False
        self.run_recon()
        self.assertEqual(self.uninvoiced(self.order_b).state, "resolved")

    def test_narrower_runs_leave_what_they_did_not_check(self):
        missing_b = self.omni_order(30.0, backend=self.backend_b)
        self.run_recon()
        missing = self.Exc.search([("omni_order_id", "=", missing_b.id)])
        self.assertEqual(missing.exception_type, "missing_in_odoo")
        # none of them holds any more under the new settings / data
        self.set_company_invoice_sla(10)
        self.sale_order(missing_b, 30.0, confirm=False)

        # a run of channel A closes A's only
        run_a = self.run_recon(backend=self.backend)
        self.assertEqual(
            (self.uninvoiced(self.order_a).state, self.uninvoiced(self.order_a2).state),
            ("resolved", "resolved"),
        )
        self.assertEqual(run_a.closed_count, 2)
        self.assertEqual(self.uninvoiced(self.order_b).state, "open")
        self.assertEqual(missing.state, "open")

        # a run of another period (today only; the orders are of yesterday) closes nothing
        today = fields.Date.context_today(self.env["omni.recon.run"])
        run_today = self.run_recon(date_from=today, date_to=today)
        self.assertEqual(run_today.closed_count, 0)
        self.assertEqual(self.uninvoiced(self.order_b).state, "open")

        # a run of one check closes the exceptions of that check only
        run_check = self.run_recon(check_types=["uninvoiced"])
        self.assertEqual(run_check.closed_count, 1)
        self.assertEqual(self.uninvoiced(self.order_b).state, "resolved")
        self.assertEqual(missing.state, "open")

        # the full run closes the rest; the open list is what holds, whatever ran last
        self.run_recon()
        self.assertEqual(missing.state, "resolved")
        self.run_recon(backend=self.backend, date_from=today - timedelta(days=2), date_to=today)
        self.assertFalse(
            self.Exc.search([("state", "=", "open"), ("company_id", "=", self.company.id)])
        )

    def test_fix_rechecks_with_the_current_settings(self):
        self.run_recon()
        exc_a = self.uninvoiced(self.order_a)
        # the settings change after the run that raised the exceptions
        self.set_company_invoice_sla(10)
        exc_a.action_create_invoice()
        self.assertEqual(exc_a.state, "resolved")
        recheck = self.env["omni.recon.run"].search([], limit=1)
        self.assertEqual(recheck.backend_id, self.backend)
        self.assertEqual((recheck.date_from, recheck.date_to), (exc_a.date, exc_a.date))
        self.assertIn("invoicing SLA 10 day(s)", recheck.settings_used)
        # the checks over the same scope: the other order of that day and channel is no longer
        # late under the settings in force; the other channel's is not re-checked
        self.assertEqual(self.uninvoiced(self.order_a2).state, "resolved")
        self.assertEqual(self.uninvoiced(self.order_b).state, "open")

    def test_no_setting_is_negative(self):
        for write in (
            lambda: self.env["res.config.settings"].create({"omni_recon_bank_days": -1}).execute(),
            lambda: self.backend_b.write(
                {"omni_recon_own_settings": True, "omni_recon_tolerance": -0.5}
            ),
        ):
            with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
                with self.env.cr.savepoint():
                    write()
                    self.env.flush_all()
            self.env.invalidate_all()
        self.assertEqual(self.company.omni_recon_bank_days, 3)
        self.assertEqual(self.backend_b.omni_recon_tolerance, 0.0)
