"""Pure helpers: no database needed, but run in the same suite."""

from decimal import Decimal

from odoo.tests import BaseCase, tagged

from ..tools.errors import PayloadError
from ..tools.money import currency_exponent, from_minor_units, to_decimal, to_minor_units


@tagged("post_install", "-at_install")
class TestMoney(BaseCase):
    def test_decimal_from_strings_only(self):
        self.assertEqual(to_decimal("19.99"), Decimal("19.99"))
        self.assertEqual(to_decimal(" -0.10 "), Decimal("-0.10"))
        self.assertEqual(to_decimal(7), Decimal(7))
        for bad in (19.99, None, True, "", "abc", "NaN", "Infinity", "1,50"):
            with self.assertRaises(PayloadError, msg=repr(bad)):
                to_decimal(bad)

    def test_minor_units_follow_the_currency_exponent(self):
        self.assertEqual(from_minor_units(1999, "usd"), Decimal("19.99"))
        self.assertEqual(from_minor_units(500, "JPY"), Decimal("500"))
        self.assertEqual(from_minor_units(1234, "KWD"), Decimal("1.234"))
        self.assertEqual(from_minor_units(-5, "EUR"), Decimal("-0.05"))
        self.assertEqual(currency_exponent("xof"), 0)
        with self.assertRaises(PayloadError):
            from_minor_units("1999", "USD")
        with self.assertRaises(PayloadError):
            from_minor_units(19.99, "USD")

    def test_round_trip_and_refuse_sub_unit_amounts(self):
        for amount, currency in (("19.99", "EUR"), ("500", "JPY"), ("1.234", "BHD")):
            self.assertEqual(
                from_minor_units(to_minor_units(amount, currency), currency), Decimal(amount)
            )
        with self.assertRaises(PayloadError):
            to_minor_units("0.5", "JPY")
        with self.assertRaises(PayloadError):
            to_minor_units("0.001", "USD")
