"""Readable amounts: every total is in one currency, and says at which rates it was
converted."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools.misc import format_date

from .common import ReconScenarioCase


@tagged("post_install", "-at_install")
class TestReconAmounts(ReconScenarioCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend_b = cls.make_backend("Recon channel B")
        cls.missing_a = cls.omni_order(50.0, days_ago=3)
        cls.missing_b = cls.omni_order(70.0, backend=cls.backend_b, days_ago=3)
        cls.today = fields.Date.context_today(cls.env["omni.recon.run"])

    def dashboard(self):
        self.env.flush_all()
        Dashboard = self.env["omni.recon.dashboard"]
        Dashboard.invalidate_model()
        return Dashboard.browse(self.company.id)

    def test_dashboard_says_at_which_rates_its_amounts_are(self):
        self.assertFalse(self.dashboard().conversion_note)
        yesterday = self.today - timedelta(days=1)
        self.run_recon(backend=self.backend, date_to=yesterday)
        exc_a = self.env["omni.recon.exception"].search([("omni_order_id", "=", self.missing_a.id)])
        self.assertEqual((exc_a.amount, exc_a.rate_date), (50.0, yesterday))
        currency = self.company.currency_id.name
        self.assertEqual(
            self.dashboard().conversion_note,
            f"Amounts in {currency}, converted at the rates of {format_date(self.env, yesterday)}.",
        )
        self.run_recon(backend=self.backend_b)
        note = self.dashboard().conversion_note
        self.assertIn(f"from {format_date(self.env, yesterday)}", note)
        self.assertIn(f"to {format_date(self.env, self.today)}", note)
        self.assertEqual(self.dashboard().open_amount, 120.0)

    def test_variance_analysis_converts_at_the_company_rates_it_states(self):
        foreign = next(code for code in ("EUR", "CHF") if code != self.company.currency_id.name)
        currency = self.activate_currency(foreign, rate=2.0)  # the company's own rate
        # a later rate of no company: Odoo keeps the company's own, and so does the analysis
        self.env["res.currency.rate"].create(
            {"currency_id": currency.id, "rate": 4.0, "name": self.today, "company_id": False}
        )
        order = self.omni_order(100.0, backend=self.backend_b, currency_id=currency.id)
        self.env.flush_all()
        rows = self.env["omni.recon.variance.report"].search(
            [("backend_id", "=", self.backend_b.id), ("date", "=", order.channel_created_at.date())]
        )
        expected = currency._convert(100.0, self.company.currency_id, self.company, self.today)
        self.assertEqual(expected, 50.0)
        self.assertAlmostEqual(sum(rows.mapped("channel_amount")), expected, places=2)
        self.assertEqual(rows.rate_date, fields.Date.to_date("2026-01-01"))
