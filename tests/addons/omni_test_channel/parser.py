"""Pure parser of the test channel's JSON (a deliberately simple, REST-like shape)."""

from odoo.tools.translate import _lt

from odoo.addons.omni_connector_base.tools import canonical
from odoo.addons.omni_connector_base.tools.dates import parse_iso
from odoo.addons.omni_connector_base.tools.errors import PayloadError
from odoo.addons.omni_connector_base.tools.money import to_decimal, to_quantity


def _required(data, key, where):
    if not isinstance(data, dict) or data.get(key) in (None, ""):
        raise PayloadError(_lt("%(where)s: missing %(key)r", where=where, key=key))
    return data[key]


def parse_order(data):
    where = "order"
    order_id = str(_required(data, "id", where))
    lines = []
    for index, line in enumerate(data.get("lines") or []):
        line_where = f"order {order_id} line {index + 1}"
        lines.append(
            canonical.OrderLine(
                external_id=str(_required(line, "id", line_where)),
                name=line.get("name") or "",
                sku=line.get("sku") or "",
                barcode=line.get("barcode") or "",
                product_external_id=str(line.get("product_id") or ""),
                quantity=to_quantity(
                    _required(line, "quantity", line_where), f"{line_where} quantity"
                ),
                price_unit=to_decimal(_required(line, "price", line_where), f"{line_where} price"),
                discount_amount=to_decimal(line.get("discount") or "0", f"{line_where} discount"),
                taxes=tuple(
                    canonical.TaxLine(
                        title=tax.get("title") or "",
                        rate=to_decimal(_required(tax, "rate", line_where), "tax rate"),
                        amount=to_decimal(tax.get("amount") or "0", "tax amount"),
                    )
                    for tax in line.get("taxes") or []
                ),
            )
        )
    for shipping in data.get("shipping") or []:
        lines.append(
            canonical.OrderLine(
                external_id=str(_required(shipping, "id", "shipping line")),
                name=shipping.get("title") or "Shipping",
                quantity=to_decimal("1"),
                price_unit=to_decimal(_required(shipping, "price", "shipping line"), "shipping"),
                line_type="shipping",
            )
        )
    customer = data.get("customer")
    return canonical.Order(
        external_id=order_id,
        name=str(data.get("name") or order_id),
        currency=str(_required(data, "currency", where)),
        updated_at=parse_iso(_required(data, "updated_at", where), "updated_at"),
        created_at=parse_iso(data.get("created_at"), "created_at"),
        customer=customer
        and canonical.Customer(
            external_id=str(customer.get("id") or ""),
            email=customer.get("email") or "",
            phone=customer.get("phone") or "",
            name=customer.get("name") or "",
        ),
        lines=tuple(lines),
        taxes_included=bool(data.get("taxes_included")),
        amount_total=to_decimal(data.get("total") or "0", "total"),
        presentment_currency=str(data.get("presentment_currency") or ""),
        amount_total_presentment=None
        if data.get("presentment_total") in (None, "")
        else to_decimal(data["presentment_total"], "presentment_total"),
        financial_status=data.get("financial_status") or "",
        fulfillment_status=data.get("fulfillment_status") or "",
        cancelled_at=parse_iso(data.get("cancelled_at"), "cancelled_at"),
        refunds=tuple(parse_refund(refund, order_id) for refund in data.get("refunds") or []),
        payments=tuple(parse_payment(payment, order_id) for payment in data.get("payments") or []),
        location_external_id=str(data.get("location_id") or ""),
    )


def _amount(data, key, where, default=None):
    value = data.get(key)
    if value in (None, ""):
        if default is None:
            raise PayloadError(_lt("%(where)s: missing %(key)r", where=where, key=key))
        value = default
    return to_decimal(value, f"{where} {key}")


def parse_payment(data, order_id=None):
    """A money movement: a charge, a refund, a fee... as a processor reports it."""
    payment_id = str(_required(data, "id", "payment"))
    where = f"payment {payment_id}"
    amount = _amount(data, "amount", where)
    fee = _amount(data, "fee", where, "0")
    return canonical.Payment(
        external_id=payment_id,
        payment_type=str(data.get("type") or "charge"),
        amount=amount,
        currency=str(_required(data, "currency", where)),
        fee=fee,
        net=None if data.get("net") in (None, "") else _amount(data, "net", where),
        status=str(data.get("status") or "succeeded"),
        processor=str(data.get("processor") or "omnitest"),
        processor_reference=str(data.get("processor_reference") or ""),
        order_external_id=str(order_id or data.get("order_id") or ""),
        payout_external_id=str(data.get("payout_id") or ""),
        created_at=parse_iso(data.get("created_at"), f"{where} created_at"),
        available_on=parse_iso(data.get("available_on"), f"{where} available_on"),
        exchange_rate=None
        if data.get("exchange_rate") in (None, "")
        else _amount(data, "exchange_rate", where),
    )


def parse_payout(data):
    """A payout to the bank with the movements it settles."""
    payout_id = str(_required(data, "id", "payout"))
    where = f"payout {payout_id}"
    return canonical.Payout(
        external_id=payout_id,
        amount=_amount(data, "amount", where),
        currency=str(_required(data, "currency", where)),
        status=str(data.get("status") or "paid"),
        created_at=parse_iso(data.get("created_at"), f"{where} created_at"),
        arrival_date=parse_iso(data.get("arrival_date"), f"{where} arrival_date"),
        fee=_amount(data, "fee", where, "0"),
        trace=str(data.get("trace") or ""),
        payments=tuple(parse_payment(payment) for payment in data.get("payments") or []),
    )


def parse_inventory(data):
    """The quantities a location shows: (location id, time, ((sku, quantity), ...))."""
    where = "inventory"
    return (
        str(_required(data, "location_id", where)),
        parse_iso(_required(data, "updated_at", where), f"{where} updated_at"),
        tuple(
            (
                str(_required(level, "sku", where)),
                to_quantity(_required(level, "available", where), f"{where} available"),
            )
            for level in data.get("levels") or []
        ),
    )


def parse_refund(data, order_id=None):
    refund_id = str(_required(data, "id", "refund"))
    return canonical.Refund(
        external_id=refund_id,
        order_external_id=str(order_id or _required(data, "order_id", "refund")),
        currency=data.get("currency") or "",
        amount=to_decimal(_required(data, "amount", f"refund {refund_id}"), "refund amount"),
        shipping_amount=to_decimal(data.get("shipping") or "0", "refund shipping"),
        lines=tuple(
            canonical.RefundLine(
                order_line_external_id=str(_required(line, "line_id", f"refund {refund_id}")),
                quantity=to_decimal(_required(line, "quantity", f"refund {refund_id}"), "quantity"),
                restock=bool(line.get("restock")),
            )
            for line in data.get("lines") or []
        ),
        created_at=parse_iso(data.get("created_at"), "refund created_at"),
        return_external_id=str(data.get("return_id") or ""),
    )


def parse_return(data):
    return_id = str(_required(data, "id", "return"))
    where = f"return {return_id}"
    return canonical.Return(
        external_id=return_id,
        order_external_id=str(_required(data, "order_id", where)),
        name=data.get("name") or return_id,
        status=str(_required(data, "status", where)),
        lines=tuple(
            canonical.ReturnLine(
                external_id=str(_required(line, "id", where)),
                order_line_external_id=str(_required(line, "line_id", where)),
                quantity=to_decimal(_required(line, "quantity", where), f"{where} quantity"),
                processed_quantity=to_decimal(line.get("processed") or "0", f"{where} processed"),
            )
            for line in data.get("lines") or []
        ),
        refund_external_ids=tuple(str(ref) for ref in data.get("refund_ids") or []),
        created_at=parse_iso(data.get("created_at"), "return created_at"),
        closed_at=parse_iso(data.get("closed_at"), "return closed_at"),
    )
