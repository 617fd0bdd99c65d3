"""Exact money helpers: Decimal from strings, minor units with the currency's exponent."""

from decimal import Decimal, InvalidOperation

from odoo.tools.translate import _lt

from .errors import PayloadError

# ISO 4217 exponents that differ from 2. A channel whose API counts differently (Stripe: ISK and
# UGX in hundredths) passes its own ``exponent``.
_EXPONENTS = {
    **dict.fromkeys(
        "BIF CLP DJF GNF ISK JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split(), 0
    ),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
}


def currency_exponent(code):
    return _EXPONENTS.get((code or "").upper(), 2)


def to_decimal(value, what="amount"):
    """Parse a channel amount. Strings and ints only: a float has already lost the cents."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or value is None or isinstance(value, float):
        raise PayloadError(
            _lt("%(what)s: expected a decimal string, got %(value)r", what=what, value=value)
        )
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise PayloadError(
            _lt("%(what)s: %(value)r is not a number", what=what, value=value)
        ) from None
    if not result.is_finite():
        raise PayloadError(
            _lt("%(what)s: %(value)r is not a finite number", what=what, value=value)
        )
    return result


def to_quantity(value, what="quantity"):
    """A sold quantity: a number, never negative (what comes back is a refund or a return,
    never a negative sale)."""
    result = to_decimal(value, what)
    if result < 0:
        raise PayloadError(
            _lt(
                "%(what)s: a sale of quantity %(value)s (negative quantities are refunds or "
                "returns, not sales)",
                what=what,
                value=result,
            )
        )
    return result


def from_minor_units(value, currency, exponent=None):
    """Integer minor units -> Decimal major units: JPY 500 -> 500, USD 500 -> 5.00; ``exponent``
    overrides the ISO 4217 one (as Odoo's ``arbitrary_decimal_number``)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError(_lt("minor-unit amount must be an integer, got %(value)r", value=value))
    return Decimal(value).scaleb(-(currency_exponent(currency) if exponent is None else exponent))


def to_minor_units(amount, currency, exponent=None):
    exponent = currency_exponent(currency) if exponent is None else exponent
    scaled = to_decimal(amount).scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise PayloadError(
            _lt(
                "%(amount)s %(currency)s has more decimals than the currency allows",
                amount=amount,
                currency=currency,
            )
        )
    return int(scaled)
