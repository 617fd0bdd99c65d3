"""The amounts of the exceptions' titles and details are written in their own currency, with its
rounding and symbol, in the company's language."""

from odoo.tests import tagged

from .common import ReconScenarioCase

NBSP = "\N{NO-BREAK SPACE}"


@tagged("post_install", "-at_install")
class TestReconTitles(ReconScenarioCase):
    currency_codes = ("EUR", "JPY")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.env.ref("base.EUR")
        cls.jpy = cls.env.ref("base.JPY")
        cls.eur_charge = cls.payment(1234.5, currency=cls.eur)
        cls.jpy_charge = cls.payment(1200.0, currency=cls.jpy)
        store = cls.location("Recon Store", warehouse=cls.warehouse)
        cls.day = cls.store_day(store, 1, {"cash": (1200.0, 1000.0)}, currency=cls.jpy)

    def exception(self, run, field, record):
        exc = run.exception_ids.filtered(lambda e: e[field] == record)
        self.assertEqual(len(exc), 1, f"one exception of {record.display_name}")
        return exc

    def assert_texts(self, run, field, record, name, explanation):
        exc = self.exception(run, field, record)
        self.assertEqual(exc.name, name)
        self.assertEqual(exc.explanation, explanation)

    def test_amounts_in_their_currency(self):
        self.assertEqual(self.eur.position, "after")
        self.assertEqual(self.jpy.position, "before")
        run = self.run_recon()
        eur, jpy = self.eur_charge.external_id, self.jpy_charge.external_id
        self.assert_texts(
            run,
            "omni_payment_id",
            self.eur_charge,
            f"Charge {eur} of 1,234.50{NBSP}€ has no order",
            f"Charge {eur} (1,234.50{NBSP}€, order reference none) matches no channel order "
            "of the company.",
        )
        self.assert_texts(
            run,
            "omni_payment_id",
            self.jpy_charge,
            f"Charge {jpy} of ¥{NBSP}1,200 has no order",
            f"Charge {jpy} (¥{NBSP}1,200, order reference none) matches no channel order "
            "of the company.",
        )
        date = self.day.business_date
        self.assert_texts(
            run,
            "store_day_id",
            self.day,
            f"Recon Store {date}: cash Z report ¥{NBSP}1,200, transactions ¥{NBSP}1,000",
            f"The Z report of Recon Store for {date} declares ¥{NBSP}1,200 in cash but the 0 "
            f"transaction(s) received for that tender add up to ¥{NBSP}1,000 "
            f"(gap ¥{NBSP}200).",
        )

    def test_amounts_in_the_company_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.company.partner_id.lang = "fr_FR"
        run = self.run_recon()
        eur, jpy = self.eur_charge.external_id, self.jpy_charge.external_id
        name = self.exception(run, "omni_payment_id", self.eur_charge).name
        self.assertEqual(name, f"Charge {eur} of 1{NBSP}234,50{NBSP}€ has no order")
        name = self.exception(run, "omni_payment_id", self.jpy_charge).name
        self.assertEqual(name, f"Charge {jpy} of ¥{NBSP}1{NBSP}200 has no order")
