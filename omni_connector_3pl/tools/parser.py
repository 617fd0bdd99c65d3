"""ShipBob's webhook payloads (API 2026-01) as dispatch contract documents. Pure functions.

The shipment topics carry the shipment (``Orders.ShipmentViewModel``): its ``reference_id``
is the order's, i.e. Odoo's reference of the delivery Omni sent; its products list what
left, each with the units of its inventory items.
"""

from datetime import date
from decimal import Decimal

from odoo.tools.translate import _lt

from odoo.addons.omni_connector_base.tools.errors import PayloadError
from odoo.addons.omni_connector_base.tools.money import currency_exponent, to_decimal

from ..const import SHIPBOB_BILLING_TOPICS, SHIPBOB_TOPIC_EVENTS
from .contract import CONTRACT_VERSION, Charge

# Which of the shipment's dates is the event's time, per event (the first one set).
_EVENT_DATES = {
    "shipped": ("actual_fulfillment_date", ("tracking", "shipping_date"), "last_update_at"),
    "delivered": ("delivery_date", "last_update_at"),
    "exception": ("last_update_at",),
    "on_hold": ("last_update_at",),
    "cancelled": ("last_update_at",),
}


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise PayloadError(_lt("ShipBob shipment: %(value)r is not an id", value=value))
    return str(value)


def _date(shipment, keys):
    for key in keys:
        value = shipment
        for part in (key,) if isinstance(key, str) else key:
            value = value.get(part) if isinstance(value, dict) else None
        if value:
            return value
    return None


def shipment_document(topic, shipment):
    """The contract document of ShipBob's ``topic`` webhook whose body is ``shipment``."""
    event = SHIPBOB_TOPIC_EVENTS.get(topic)
    if event is None:
        raise PayloadError(_lt("ShipBob topic %(topic)r is not a shipment topic", topic=topic))
    if not isinstance(shipment, dict):
        raise PayloadError(_lt("ShipBob %(topic)s: the body is not a shipment object", topic=topic))
    if not shipment.get("id"):
        raise PayloadError(_lt("ShipBob %(topic)s: the shipment has no id", topic=topic))
    if not shipment.get("reference_id"):
        raise PayloadError(
            _lt(
                "ShipBob shipment %(id)s has no reference_id: it was not sent by Omni",
                id=shipment["id"],
            )
        )
    document = {
        "contract_version": CONTRACT_VERSION,
        "record_type": "shipment",
        "event": event,
        "shipment_id": _text(shipment["id"]),
        "order_reference": _text(shipment["reference_id"]),
        "occurred_at": _date(shipment, _EVENT_DATES[event]),
    }
    if document["occurred_at"] is None:
        raise PayloadError(
            _lt(
                "ShipBob shipment %(id)s gives no date for %(event)s",
                id=shipment["id"],
                event=event,
            )
        )
    if shipment.get("order_id"):
        document["warehouse_order_id"] = _text(shipment["order_id"])
    location = shipment.get("location") or {}
    if isinstance(location, dict) and location.get("id"):
        document["location_id"] = _text(location["id"])
    tracking = shipment.get("tracking") or {}
    if isinstance(tracking, dict):
        for source, target in (
            ("carrier", "carrier"),
            ("carrier_service", "carrier_service"),
            ("tracking_number", "tracking_number"),
            ("tracking_url", "tracking_url"),
        ):
            if tracking.get(source):
                document[target] = str(tracking[source])
    details = [
        " ".join(str(d.get(k) or "") for k in ("name", "description")).strip()
        for d in shipment.get("status_details") or []
        if isinstance(d, dict)
    ]
    if any(details):
        document["status_reason"] = "; ".join(d for d in details if d)
    if event == "shipped" or shipment.get("products"):
        document["lines"] = list(_lines(shipment))
    return document


def _lines(shipment):
    for product in shipment.get("products") or []:
        if not isinstance(product, dict):
            raise PayloadError(
                _lt("ShipBob shipment %(id)s: a product is not an object", id=shipment["id"])
            )
        sku = product.get("sku") or product.get("reference_id")
        if not sku or not isinstance(sku, str):
            raise PayloadError(
                _lt("ShipBob shipment %(id)s: a product has no SKU", id=shipment["id"])
            )
        units = 0
        for item in product.get("inventory_items") or []:
            quantity = item.get("quantity") if isinstance(item, dict) else None
            if isinstance(quantity, bool) or not isinstance(quantity, int):
                raise PayloadError(
                    _lt(
                        "ShipBob shipment %(id)s: quantity %(quantity)r of %(sku)s is not a "
                        "whole number",
                        id=shipment["id"],
                        quantity=quantity,
                        sku=sku,
                    )
                )
            if quantity < 0:
                raise PayloadError(
                    _lt(
                        "ShipBob shipment %(id)s: quantity %(quantity)s of %(sku)s is negative",
                        id=shipment["id"],
                        quantity=quantity,
                        sku=sku,
                    )
                )
            units += quantity
        yield {"sku": sku, "quantity": str(units)}


def charge(topic, transaction):
    """A ShipBob billing transaction (``Billing.TransactionDtoV3``, parsed with Decimal
    numbers) as a :class:`Charge`; a refund or credit lowers the cost whatever its sign."""
    kind = SHIPBOB_BILLING_TOPICS.get(topic)
    if kind is None:
        raise PayloadError(_lt("ShipBob topic %(topic)r is not a billing topic", topic=topic))
    if not isinstance(transaction, dict) or not transaction.get("transaction_id"):
        raise PayloadError(_lt("ShipBob %(topic)s: no transaction_id", topic=topic))
    ref = _text(transaction["transaction_id"])
    currency = transaction.get("currency_code")
    if not currency or not isinstance(currency, str):
        raise PayloadError(_lt("ShipBob transaction %(id)s has no currency", id=ref))
    amount = to_decimal(transaction.get("amount"), f"ShipBob transaction {ref} amount")
    exponent = currency_exponent(currency.upper())
    if amount != amount.quantize(Decimal(1).scaleb(-exponent)):
        raise PayloadError(
            _lt(
                "ShipBob transaction %(id)s: %(amount)s has more decimals than %(currency)s",
                id=ref,
                amount=amount,
                currency=currency,
            )
        )
    try:
        charged_on = date.fromisoformat(str(transaction.get("charge_date") or "")[:10])
    except ValueError:
        raise PayloadError(_lt("ShipBob transaction %(id)s has no charge date", id=ref)) from None
    return Charge(
        transaction_id=ref,
        kind=kind,
        amount=abs(amount) if kind == "charge" else -abs(amount),
        currency=currency.upper(),
        charged_on=charged_on,
        fee_type=str(transaction.get("invoice_type") or ""),
        reference_type=str(transaction.get("reference_type") or ""),
        reference=_text(transaction.get("reference_id")),
    )
