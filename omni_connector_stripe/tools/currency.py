"""Stripe's minor units, as its API defines them (https://docs.stripe.com/currencies), which
are not always ISO 4217's: ISK and UGX are zero-decimal currencies that Stripe still counts in
hundredths, and HUF and TWD are paid out in whole units only."""

from odoo.tools.translate import _lt

from odoo.addons.omni_connector_base.tools.errors import PayloadError
from odoo.addons.omni_connector_base.tools.money import from_minor_units

ZERO_DECIMAL = frozenset("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF VND VUV XAF XOF XPF".split())
THREE_DECIMAL = frozenset("BHD JOD KWD OMR TND".split())
# "Special cases": two-decimal in the API for backwards compatibility, the decimals always 00.
WHOLE_UNITS_IN_HUNDREDTHS = frozenset({"ISK", "UGX"})
# "Special cases": two-decimal charges, but payouts in whole units (a multiple of 100).
WHOLE_UNIT_PAYOUTS = frozenset({"HUF", "TWD"}) | WHOLE_UNITS_IN_HUNDREDTHS


def stripe_exponent(currency):
    code = (currency or "").upper()
    if code in ZERO_DECIMAL:
        return 0
    return 3 if code in THREE_DECIMAL else 2


def stripe_amount(value, currency, what, payout=False):
    """A Stripe integer amount -> Decimal in major units (ISK 500 -> 5, HUF 1045 -> 10.45).
    An amount breaking Stripe's whole-unit rules is a payload error, never rounded away."""
    code = (currency or "").upper()
    amount = from_minor_units(value, code, exponent=stripe_exponent(code))
    whole = code in (WHOLE_UNIT_PAYOUTS if payout else WHOLE_UNITS_IN_HUNDREDTHS)
    if whole and value % 100:
        raise PayloadError(
            _lt(
                "Stripe %(what)s: %(value)s is not a whole number of %(currency)s (Stripe "
                "states it in hundredths, always a multiple of 100)",
                what=what,
                value=value,
                currency=code,
            )
        )
    return amount
