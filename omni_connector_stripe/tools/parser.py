"""Pure parsers: Stripe JSON (balance transactions, payouts) -> canonical payments/payouts.

Stripe amounts are integers in minor units; they become Decimal with the currency's exponent
(JPY 3500 -> 3500, USD 1999 -> 19.99, KWD 1234 -> 1.234). Nothing here touches Odoo.
"""

from odoo.tools.translate import _lt

from odoo.addons.omni_connector_base.tools import canonical
from odoo.addons.omni_connector_base.tools.dates import parse_unix
from odoo.addons.omni_connector_base.tools.errors import PayloadError
from odoo.addons.omni_connector_base.tools.money import from_minor_units, to_decimal

# Stripe balance transaction type (and reporting category) -> canonical payment type.
_TYPES = {
    "charge": "charge",
    "payment": "charge",
    "refund": "refund",
    "payment_refund": "refund",
    "refund_failure": "refund",
    "payment_failure_refund": "refund",
    "stripe_fee": "fee",
    "stripe_fx_fee": "fee",
    "tax_fee": "fee",
    "application_fee": "fee",
    "payout": "payout",
    "payout_failure": "payout",
    "payout_cancel": "payout",
    "reserve_transaction": "reserve",
    "reserved_funds": "reserve",
    "adjustment": "adjustment",
}
_CATEGORIES = {"dispute": "dispute", "dispute_reversal": "dispute_reversal"}
# Where Stripe objects carry the channel order they pay for.
ORDER_METADATA_KEYS = ("shopify_order_id", "order_id", "order_ref", "order_reference", "order")


def _required(obj, key):
    if not isinstance(obj, dict) or obj.get(key) is None:
        raise PayloadError(
            _lt(
                "Stripe %(object)s: missing %(key)r",
                object=(obj or {}).get("object", "object"),
                key=key,
            )
        )
    return obj[key]


def _source(txn):
    source = txn.get("source")
    return source if isinstance(source, dict) else {"id": source} if source else {}


def order_reference(source):
    """The channel order a charge (or its payment intent) names in metadata, else ''."""
    for obj in (source, source.get("payment_intent") if isinstance(source, dict) else None):
        if not isinstance(obj, dict):
            continue
        metadata = obj.get("metadata") or {}
        for key in ORDER_METADATA_KEYS:
            if metadata.get(key):
                return str(metadata[key])
    return ""


def charge_id(source):
    """The charge a source belongs to: itself, a refund's or a dispute's charge."""
    if not source:
        return ""
    if source.get("object") in ("refund", "dispute"):
        charge = source.get("charge")
        return charge.get("id", "") if isinstance(charge, dict) else (charge or "")
    return source.get("id", "")


def parse_balance_transaction(txn, payout_id=""):
    txn_id = _required(txn, "id")
    currency = str(_required(txn, "currency")).upper()
    kind = _TYPES.get(_required(txn, "type"), "other")
    kind = _CATEGORIES.get(txn.get("reporting_category"), kind)
    source = _source(txn)
    exchange_rate = txn.get("exchange_rate")
    return canonical.Payment(
        external_id=txn_id,
        payment_type=kind,
        amount=from_minor_units(_required(txn, "amount"), currency),
        fee=from_minor_units(txn.get("fee") or 0, currency),
        net=from_minor_units(_required(txn, "net"), currency),
        currency=currency,
        status=txn.get("status") or "",
        processor="stripe",
        processor_reference=charge_id(source) or source.get("id", ""),
        order_external_id=order_reference(source),
        payout_external_id=payout_id,
        created_at=parse_unix(_required(txn, "created"), "Stripe balance transaction created"),
        available_on=parse_unix(txn.get("available_on"), "Stripe available_on"),
        exchange_rate=to_decimal(str(exchange_rate)) if exchange_rate is not None else None,
        description=txn.get("description") or "",
    )


def parse_payout(payout, balance_transactions=()):
    payout_id = _required(payout, "id")
    currency = str(_required(payout, "currency")).upper()
    trace = payout.get("trace_id") or {}
    payments = tuple(
        parse_balance_transaction(txn, payout_id=payout_id) for txn in balance_transactions
    )
    return canonical.Payout(
        external_id=payout_id,
        amount=from_minor_units(_required(payout, "amount"), currency),
        currency=currency,
        status=_required(payout, "status"),
        created_at=parse_unix(payout.get("created"), "Stripe payout created"),
        arrival_date=parse_unix(payout.get("arrival_date"), "Stripe payout arrival_date"),
        fee=sum((p.fee for p in payments), canonical.ZERO),
        trace=(trace.get("value") if isinstance(trace, dict) else "")
        or payout.get("statement_descriptor")
        or "",
        payments=payments,
    )
