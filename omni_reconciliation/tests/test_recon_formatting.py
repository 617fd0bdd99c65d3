"""Amounts formatted in SQL (``engine.formatting.money``) read as Odoo's ``formatLang``."""

from odoo.tests import TransactionCase, tagged
from odoo.tools import formatLang

from ..engine.formatting import FORMATS_TABLE, money

# No tie at a currency's decimals: SQL rounds ties away from zero (as ``currency.round``), the
# display of Odoo to even.
AMOUNTS = ["0", "7", "1234.56", "-1234.56", "1234567.891", "0.004", "-0.75", "987654321.12"]


@tagged("post_install", "-at_install")
class TestReconFormatting(TransactionCase):
    def sql_money(self, amount, currency, lang):
        self.env.cr.execute(FORMATS_TABLE, {"lang": lang})  # what a run computes once
        self.env.cr.execute(
            f"SELECT {money('%(amount)s::numeric', '%(currency)s')}",
            {"amount": amount, "currency": currency.id, "lang": lang},
        )
        return self.env.cr.fetchone()[0]

    def test_like_odoo_in_every_currency_and_language(self):
        Currency = self.env["res.currency"].with_context(active_test=False)
        currencies = Currency.search([("name", "in", ("EUR", "USD", "JPY", "KWD"))])
        self.assertEqual(len(currencies), 4)
        self.assertEqual(set(currencies.mapped("position")), {"before", "after"})
        self.assertEqual(set(currencies.mapped("decimal_places")), {0, 2, 3})
        self.env["res.lang"]._activate_lang("fr_FR")
        for lang in ("en_US", "fr_FR"):
            env = self.env(context=dict(self.env.context, lang=lang))
            for currency in currencies:
                for amount in AMOUNTS:
                    with self.subTest(lang=lang, currency=currency.name, amount=amount):
                        self.assertEqual(
                            self.sql_money(amount, currency, lang),
                            formatLang(env, float(amount), currency_obj=currency),
                        )

    def test_unknown_language_reads_as_english_and_zero_has_no_sign(self):
        usd = self.env.ref("base.USD")
        self.assertEqual(self.sql_money("1234.5", usd, "xx_XX"), "$\N{NO-BREAK SPACE}1,234.50")
        self.assertEqual(self.sql_money("-0.001", usd, "en_US"), "$\N{NO-BREAK SPACE}0.00")
        self.assertEqual(self.sql_money("2.675", usd, "en_US"), "$\N{NO-BREAK SPACE}2.68")
