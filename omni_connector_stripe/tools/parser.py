"""Pure parsers: Stripe JSON (balance transactions, payouts) -> canonical payments/payouts.

Stripe amounts are integers in Stripe's minor units (``currency.py``); they become Decimal
(JPY 3500 -> 3500, USD 1999 -> 19.99, KWD 1234 -> 1.234, ISK 500 -> 5). Nothing here touches
Odoo.
"""

from odoo.tools.translate import _lt

from odoo.addons.omni_connector_base.tools import canonical
from odoo.addons.omni_connector_base.tools.dates import parse_unix
from odoo.addons.omni_connector_base.tools.errors import PayloadError
from odoo.addons.omni_connector_base.tools.money import to_decimal

from .currency import stripe_amount

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
    # Connect: what the platform earns on its accounts' charges is revenue, not a fee.
    "application_fee": "application_fee",
    "application_fee_refund": "application_fee",
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
                object=obj.get("object", "object") if isinstance(obj, dict) else "object",
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
        amount=stripe_amount(_required(txn, "amount"), currency, txn_id),
        fee=stripe_amount(txn.get("fee") or 0, currency, txn_id),
        net=stripe_amount(_required(txn, "net"), currency, txn_id),
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
        amount=stripe_amount(_required(payout, "amount"), currency, payout_id, payout=True),
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


# --------------------------------------------------------------------------------------------
# The balance transactions a webhook's object stands for
# --------------------------------------------------------------------------------------------


def expandable_id(value):
    """An expandable field's id, whether Stripe sent the id or the expanded object."""
    value = value.get("id") if isinstance(value, dict) else value
    if value is not None and not isinstance(value, str):
        raise PayloadError(_lt("Stripe: %(value)r is not an object id", value=value))
    return value


def _unique(ids):
    return list(dict.fromkeys(i for i in ids if i))


def _list_data(obj, key, what):
    """The objects of a Stripe list field (``{"object": "list", "data": [...]}``)."""
    value = obj.get(key)
    data = value.get("data") if isinstance(value, dict) else None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise PayloadError(
            _lt("Stripe %(object)s: %(key)r is not a list of objects", object=what, key=key)
        )
    return data


def dispute_transaction_ids(dispute):
    """A dispute's movements (withdrawal, reinstatement), each once: older API versions carry
    ``balance_transaction`` besides ``balance_transactions``, naming the same movement."""
    dispute_id = _required(dispute, "id")
    listed = dispute.get("balance_transactions")
    if listed is None and not dispute.get("balance_transaction"):
        raise PayloadError(
            _lt(
                "Stripe dispute %(dispute)s: neither balance_transactions nor balance_transaction",
                dispute=dispute_id,
            )
        )
    if listed is not None and not isinstance(listed, list):
        raise PayloadError(
            _lt(
                "Stripe dispute %(dispute)s: balance_transactions is not a list", dispute=dispute_id
            )
        )
    return _unique(
        [expandable_id(dispute.get("balance_transaction"))]
        + [expandable_id(t) for t in listed or []]
    )


def charge_transaction_ids(charge, refunds=()):
    """A charge's movement and those of its refunds."""
    _required(charge, "id")
    ids = [expandable_id(charge.get("balance_transaction"))]
    for refund in refunds:
        ids += refund_transaction_ids(refund)
    return _unique(ids)


def refund_transaction_ids(refund):
    """A refund's movement and, once it failed, the one giving the money back."""
    _required(refund, "id")
    return _unique(
        [
            expandable_id(refund.get("balance_transaction")),
            expandable_id(refund.get("failure_balance_transaction")),
        ]
    )


def payment_intent_charges(intent):
    """The charges of a succeeded payment intent: its ``charges`` list before API version
    2022-11-15, its ``latest_charge`` (an id or the expanded charge) since."""
    intent_id = _required(intent, "id")
    if "charges" in intent:
        return _list_data(intent, "charges", f"payment_intent {intent_id}")
    latest = intent.get("latest_charge")
    return [latest] if latest else []
