"""Shopify Payments: payouts, their balance transactions and disputes -> canonical objects."""

from odoo.tools.translate import _lt

from odoo.addons.omni_connector_base.tools import canonical
from odoo.addons.omni_connector_base.tools.dates import parse_iso
from odoo.addons.omni_connector_base.tools.errors import PayloadError
from odoo.addons.omni_connector_base.tools.money import to_decimal

from .shapes import ZERO, _lower, _required, gid_tail, order_ref, rest_id

_BALANCE_TYPES = {
    "CHARGE": "charge",
    "REFUND": "refund",
    "REFUND_FAILURE": "refund",
    "ADJUSTMENT": "adjustment",
    "CHARGE_ADJUSTMENT": "adjustment",
    "REFUND_ADJUSTMENT": "adjustment",
    "DISPUTE_WITHDRAWAL": "dispute",
    "CHARGEBACK_HOLD": "dispute",
    "DISPUTE_REVERSAL": "dispute_reversal",
    "CHARGEBACK_HOLD_RELEASE": "dispute_reversal",
    "CHARGEBACK_FEE": "fee",
    "CHARGEBACK_FEE_REFUND": "fee",
    "STRIPE_FEE": "fee",
    "APPLICATION_FEE_REFUND": "fee",
    "RESERVED_FUNDS": "reserve",
    "RESERVED_FUNDS_REVERSAL": "reserve",
    "RESERVED_FUNDS_WITHDRAWAL": "reserve",
    "TRANSFER": "payout",
    "TRANSFER_FAILURE": "payout",
    "TRANSFER_CANCEL": "payout",
    "TRANSFER_REFUND": "payout",
}
SHOPIFY_PAYMENTS = "shopify_payments"
#: Payout summary pairs whose fee half adds up to the payout's fees.
_PAYOUT_FEES = (
    "chargesFee",
    "refundsFee",
    "adjustmentsFee",
    "reservedFundsFee",
    "retriedPayoutsFee",
    "advanceFees",
)


def _money_v2(money, what):
    """(Decimal amount, currency) of a ``MoneyV2``."""
    if not isinstance(money, dict):
        raise PayloadError(_lt("%(what)s: missing money", what=what))
    currency = str(_required(money, "currencyCode", what))
    return to_decimal(_required(money, "amount", what), what), currency


def balance_transaction_id(node):
    """Balance transactions live in their own id space: prefixed so they never collide with
    the order transactions stored for the same backend."""
    return f"balance:{gid_tail(_required(node, 'id', 'balance transaction'))}"


def parse_balance_transaction(node):
    """``ShopifyPaymentsBalanceTransaction`` -> canonical.Payment (payout currency).

    Tied to the order transaction it settles by ``processor_reference`` (the order
    transaction's id, as stored from the order) and to its order and payout by their ids."""
    external_id = balance_transaction_id(node)
    where = f"balance transaction {external_id}"
    amount, currency = _money_v2(node.get("amount"), f"{where} amount")
    fee, fee_currency = _money_v2(node.get("fee"), f"{where} fee")
    net, net_currency = _money_v2(node.get("net"), f"{where} net")
    if {fee_currency, net_currency} != {currency}:
        raise PayloadError(
            _lt("%(where)s: amount, fee and net in different currencies", where=where)
        )
    if amount - fee != net:
        raise PayloadError(
            _lt(
                "%(where)s: amount %(amount)s - fee %(fee)s != net %(net)s",
                where=where,
                amount=amount,
                fee=fee,
                net=net,
            )
        )
    kind = str(_required(node, "type", where))
    payout = node.get("associatedPayout") or {}
    reason = node.get("adjustmentReason") or ""
    return canonical.Payment(
        external_id=external_id,
        payment_type=_BALANCE_TYPES.get(kind, "other"),
        amount=amount,
        currency=currency,
        fee=fee,
        net=net,
        status=_lower(payout.get("status")),
        processor=SHOPIFY_PAYMENTS,
        processor_reference=str(node.get("sourceOrderTransactionId") or ""),
        order_external_id=gid_tail((node.get("associatedOrder") or {}).get("id")),
        payout_external_id=gid_tail(payout.get("id")),
        created_at=parse_iso(_required(node, "transactionDate", where), f"{where} date"),
        description=" ".join(part for part in (kind.lower(), reason) if part),
    )


def parse_payout(node, transactions=()):
    """``ShopifyPaymentsPayout`` (+ its balance transactions) -> canonical.Payout. The amount
    is the net sent to (deposit) or taken from (withdrawal) the bank; fees are the summary's."""
    payout_id = gid_tail(_required(node, "id", "payout"))
    where = f"payout {payout_id}"
    net, currency = _money_v2(node.get("net"), f"{where} net")
    if node.get("transactionType") == "WITHDRAWAL":
        net = -abs(net)
    summary = node.get("summary") or {}
    fee = ZERO
    for key in _PAYOUT_FEES:
        if summary.get(key):
            value, fee_currency = _money_v2(summary[key], f"{where} {key}")
            if fee_currency != currency:
                raise PayloadError(
                    _lt(
                        "%(where)s: %(key)s in %(fee_currency)s, payout in %(currency)s",
                        where=where,
                        key=key,
                        fee_currency=fee_currency,
                        currency=currency,
                    )
                )
            fee += value
    payments = tuple(parse_balance_transaction(txn) for txn in transactions)
    for payment in payments:
        if payment.currency != currency:
            raise PayloadError(
                _lt(
                    "%(where)s: %(payment)s in %(payment_currency)s, payout in %(currency)s",
                    where=where,
                    payment=payment.external_id,
                    payment_currency=payment.currency,
                    currency=currency,
                )
            )
        if payment.payout_external_id and payment.payout_external_id != payout_id:
            raise PayloadError(
                _lt(
                    "%(where)s: %(external_id)s belongs to another payout",
                    where=where,
                    external_id=payment.external_id,
                )
            )
    issued = parse_iso(_required(node, "issuedAt", where), f"{where} issuedAt")
    return canonical.Payout(
        external_id=payout_id,
        amount=net,
        currency=currency,
        status=_lower(_required(node, "status", where)),
        created_at=issued,
        arrival_date=issued,
        fee=fee,
        trace=node.get("externalTraceId") or "",
        payments=payments,
    )


def parse_dispute_rest(data):
    """REST dispute (``disputes/create`` / ``disputes/update``) -> canonical.Payment of type
    dispute: the disputed amount, withdrawn from the merchant (negative)."""
    dispute_id = rest_id(data, "dispute")
    where = f"dispute {dispute_id}"
    amount = to_decimal(_required(data, "amount", where), f"{where} amount")
    return canonical.Payment(
        external_id=f"dispute:{dispute_id}",
        payment_type="dispute",
        amount=-amount,
        currency=str(_required(data, "currency", where)),
        status=_lower(data.get("status")),
        processor=SHOPIFY_PAYMENTS,
        order_external_id=order_ref(data, where),
        created_at=parse_iso(data.get("initiated_at"), f"{where} initiated_at"),
        description=" ".join(
            str(part)
            for part in (data.get("type"), data.get("reason"), data.get("network_reason_code"))
            if part
        ),
    )
