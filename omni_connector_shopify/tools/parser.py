"""Pure parsers of Shopify JSON into the canonical objects of ``omni_connector_base``.

Two shapes carry the same order: the REST JSON of webhooks (``orders/*``, ``refunds/create``,
``order_transactions/create``) and the GraphQL ``Order`` node the pull fetches with
:data:`..queries.ORDERS_QUERY`. Both give the same :class:`canonical.Order` for the same order,
except its ``payments``: the node carries the order's transactions, which webhooks bring one
by one (``order_transactions/create``):

- ids are the numeric tail of the GraphQL id (``gid://shopify/Order/123`` -> ``"123"``); REST
  records carry it in ``admin_graphql_api_id`` (their numeric ``id`` is used only when that is
  absent); shipping lines are ``"shipping:<id>"`` so they never collide with line items;
- money is ``Decimal`` from the decimal strings of the ``shop_money`` / ``shopMoney`` half of
  every money set, with the ``presentment`` half kept beside it;
- statuses are the REST words, lower case (``PARTIALLY_FULFILLED`` -> ``partial``, no
  fulfilment -> ``unfulfilled``);
- times are aware UTC datetimes;
- transaction amounts are the presentment money (what the customer paid and what a payment
  processor such as Stripe charged); the Stripe charge id found in the receipt (or, REST only,
  in ``authorization``) goes into ``processor_reference``.
"""

import dataclasses
import json
from decimal import ROUND_HALF_UP, Decimal

from odoo.tools.translate import _lt

from odoo.addons.omni_connector_base.tools import canonical
from odoo.addons.omni_connector_base.tools.dates import parse_iso
from odoo.addons.omni_connector_base.tools.errors import PayloadError
from odoo.addons.omni_connector_base.tools.money import to_decimal, to_quantity

from .shapes import (
    GRAPHQL,
    REST,
    ZERO,
    _address,
    _discount,
    _gql_money,
    _lower,
    _name,
    _nodes,
    _required,
    _rest_money,
    _taxes,
    gid_tail,
    order_ref,
    rest_id,
)

_FULFILLMENT = {
    "FULFILLED": "fulfilled",
    "PARTIALLY_FULFILLED": "partial",
    "UNFULFILLED": "unfulfilled",
    "RESTOCKED": "restocked",
}
_PAYMENT_TYPE = {"sale": "charge", "capture": "charge", "refund": "refund"}


def _tip_and_duty_lines(tip, duties, duties_presentment):
    """Tips and import duties are part of the order's total: they become lines of their own
    (untaxed). A webhook gives the tip in shop money only, so no presentment amount is kept."""
    lines = []
    if tip:
        lines.append(
            canonical.OrderLine(
                external_id="tip", name="Tip", quantity=Decimal(1), price_unit=tip, line_type="tip"
            )
        )
    if duties:
        lines.append(
            canonical.OrderLine(
                external_id="duties",
                name="Duties",
                quantity=Decimal(1),
                price_unit=duties,
                price_unit_presentment=duties_presentment,
                line_type="duty",
            )
        )
    return lines


def _balanced(order, where):
    """The order with its lines adding up to its total, else a PayloadError.

    An order-level discount Shopify did not allocate to lines (``total_discounts`` above the
    lines' allocations: an app's or a legacy discount) is spread over the product lines in
    proportion to their net amount, the last one taking the cents left; then the lines (net
    of discount, plus their tax when prices exclude it) must make the order's total exactly.
    An order whose Odoo total could not equal the channel's is refused rather than imported
    with a wrong total: its event fails naming both amounts."""
    lines = list(order.lines)
    unallocated = order.amount_discount - sum((line.discount_amount for line in lines), ZERO)
    products = [
        index
        for index, line in enumerate(lines)
        if line.line_type == "product" and line.quantity * line.price_unit > line.discount_amount
    ]
    if unallocated > 0 and products:
        cent = Decimal(1).scaleb(min(order.amount_discount.as_tuple().exponent, -2))
        base = sum(
            (lines[i].quantity * lines[i].price_unit - lines[i].discount_amount for i in products),
            ZERO,
        )
        left = unallocated
        for position, index in enumerate(products):
            line = lines[index]
            net = line.quantity * line.price_unit - line.discount_amount
            share = (
                left
                if position == len(products) - 1
                else min(left, (unallocated * net / base).quantize(cent, ROUND_HALF_UP))
            )
            left -= share
            lines[index] = dataclasses.replace(line, discount_amount=line.discount_amount + share)
    total = sum(
        (
            line.quantity * line.price_unit
            - line.discount_amount
            + (ZERO if order.taxes_included else sum((t.amount for t in line.taxes), ZERO))
            for line in lines
        ),
        ZERO,
    )
    if total != order.amount_total:
        raise PayloadError(
            _lt(
                "%(where)s: its lines, discounts and taxes make %(lines)s but its total is "
                "%(total)s; the sale order could not match the channel's total",
                where=where,
                lines=total,
                total=order.amount_total,
            )
        )
    return dataclasses.replace(order, lines=tuple(lines))


def _refund(shape, data, refund_id, order_id, taxes_included):
    """A refund in either shape -> canonical.Refund.

    ``amount`` is what the refunded lines, shipping and adjustments add up to in shop money
    (line subtotals, plus their tax when prices exclude tax)."""
    where = f"refund {refund_id}"
    lines, amount, currency = [], ZERO, ""
    for item in shape.items(data, "refund_line_items", f"{where} lines"):
        subtotal, __, cur, __ = shape.money(item, "subtotal", f"{where} subtotal")
        tax = shape.money(item, "total_tax", f"{where} tax")[0]
        currency = currency or cur
        line_amount = subtotal + (ZERO if taxes_included else tax)
        amount += line_amount
        lines.append(
            canonical.RefundLine(
                order_line_external_id=shape.refund_line_id(item, where),
                quantity=to_decimal(_required(item, "quantity", where), f"{where} quantity"),
                amount=line_amount,
                restock=_lower(item.get(shape.key("restock_type"))) not in ("", "no_restock"),
            )
        )
    shipping = ZERO
    for ship in shape.items(data, "refund_shipping_lines"):
        sub, __, cur, __ = shape.money(ship, "subtotal_amount", f"{where} shipping")
        tax = shape.money(ship, "tax_amount", f"{where} shipping tax")[0]
        currency = currency or cur
        shipping += sub + (ZERO if taxes_included else tax)
    adjustment = ZERO
    for adj in shape.items(data, "order_adjustments"):
        value, __, cur, __ = shape.money(adj, "amount", f"{where} adjustment")
        currency = currency or cur
        # Shopify records what the merchant gives back as a negative adjustment.
        adjustment -= value
    return canonical.Refund(
        external_id=refund_id,
        order_external_id=str(order_id),
        currency=currency,
        amount=amount + shipping + adjustment,
        lines=tuple(lines),
        shipping_amount=shipping,
        adjustment_amount=adjustment,
        created_at=parse_iso(data.get(shape.key("created_at")), f"{where} created_at"),
        note=data.get("note") or "",
        return_external_id=_return_of(data.get("return"), where),
    )


def _return_of(value, where):
    """The return a refund settles: ``{"id": gid}`` (GraphQL), ``{"id": 123,
    "admin_graphql_api_id": gid}`` (REST) or null."""
    if not value:
        return ""
    if not isinstance(value, dict):
        raise PayloadError(_lt("%(where)s: return must be an object or null", where=where))
    return gid_tail(value.get("admin_graphql_api_id") or _required(value, "id", f"{where} return"))


# ------------------------------------------------------------------------------ REST


def parse_order_rest(data):
    """REST order JSON (webhooks ``orders/*``) -> :class:`canonical.Order`."""
    if not isinstance(data, dict):
        raise PayloadError(_lt("order: expected a JSON object"))
    order_id = rest_id(data, "order")
    where = f"order {order_id}"
    lines = []
    for item in data.get("line_items") or []:
        line_id = rest_id(item, f"{where} line item")
        lw = f"{where} line {line_id}"
        price, price_pres, __, __ = _rest_money(
            item.get("price_set"), f"{lw} price", item.get("price")
        )
        lines.append(
            canonical.OrderLine(
                external_id=line_id,
                name=item.get("name") or item.get("title") or "",
                quantity=to_quantity(_required(item, "quantity", lw), f"{lw} quantity"),
                price_unit=price,
                price_unit_presentment=price_pres,
                discount_amount=_discount(REST, item.get("discount_allocations"), lw),
                sku=item.get("sku") or "",
                product_external_id=str(item.get("variant_id") or ""),
                taxes=_taxes(REST, item.get("tax_lines"), lw),
            )
        )
    for ship in data.get("shipping_lines") or []:
        sw = f"{where} shipping line"
        price, price_pres, __, __ = _rest_money(ship.get("price_set"), sw, ship.get("price"))
        lines.append(
            canonical.OrderLine(
                external_id=f"shipping:{rest_id(ship, sw)}",
                name=ship.get("title") or "Shipping",
                quantity=Decimal(1),
                price_unit=price,
                price_unit_presentment=price_pres,
                discount_amount=_discount(REST, ship.get("discount_allocations"), sw),
                line_type="shipping",
                taxes=_taxes(REST, ship.get("tax_lines"), sw),
            )
        )
    duties, duties_pres, __, __ = _rest_money(
        data.get("original_total_duties_set"), f"{where} duties"
    )
    lines += _tip_and_duty_lines(
        to_decimal(data.get("total_tip_received") or "0", f"{where} tip"), duties, duties_pres
    )
    total, total_pres, __, __ = _rest_money(
        data.get("total_price_set"), f"{where} total", data.get("total_price")
    )
    customer = data.get("customer")
    taxes_included = bool(data.get("taxes_included"))
    order = canonical.Order(
        external_id=order_id,
        name=str(data.get("name") or order_id),
        currency=str(_required(data, "currency", where)),
        presentment_currency=data.get("presentment_currency") or "",
        updated_at=parse_iso(_required(data, "updated_at", where), "updated_at"),
        created_at=parse_iso(data.get("created_at"), "created_at"),
        customer=customer
        and canonical.Customer(
            external_id=rest_id(customer, f"{where} customer"),
            email=customer.get("email") or data.get("email") or "",
            phone=customer.get("phone") or "",
            name=_name(customer.get("first_name"), customer.get("last_name")),
            billing_address=_address(REST, data.get("billing_address")),
            shipping_address=_address(REST, data.get("shipping_address")),
        )
        or None,
        lines=tuple(lines),
        taxes_included=taxes_included,
        amount_total=total,
        amount_total_presentment=total_pres,
        amount_tax=_rest_money(data.get("total_tax_set"), "total tax", data.get("total_tax"))[0],
        amount_discount=_rest_money(
            data.get("total_discounts_set"), "total discounts", data.get("total_discounts")
        )[0],
        financial_status=_lower(data.get("financial_status")),
        fulfillment_status=_lower(data.get("fulfillment_status")) or "unfulfilled",
        cancelled_at=parse_iso(data.get("cancelled_at"), "cancelled_at"),
        cancel_reason=_lower(data.get("cancel_reason")),
        refunds=tuple(
            parse_refund_rest(refund, order_id, taxes_included)
            for refund in data.get("refunds") or []
        ),
        note=data.get("note") or "",
    )
    return _balanced(order, where)


def parse_refund_rest(data, order_id=None, taxes_included=False):
    """REST refund JSON (``refunds/create`` or an order's ``refunds``) -> canonical.Refund."""
    refund_id = rest_id(data, "refund")
    order_id = order_id or order_ref(data, f"refund {refund_id}", required=True)
    return _refund(REST, data, refund_id, order_id, taxes_included)


def _processor_reference(receipt, authorization=""):
    if isinstance(receipt, str):
        try:
            receipt = json.loads(receipt or "{}")
        except ValueError:
            receipt = {}
    receipt = receipt if isinstance(receipt, dict) else {}
    candidates = [
        receipt.get("id"),
        receipt.get("charge")
        if isinstance(receipt.get("charge"), str)
        else (receipt.get("charge") or {}).get("id"),
        (receipt.get("latest_charge") if isinstance(receipt.get("latest_charge"), str) else None),
        receipt.get("payment_intent")
        if isinstance(receipt.get("payment_intent"), str)
        else (receipt.get("payment_intent") or {}).get("id"),
        authorization,
    ]
    # Charges first: a Stripe refund receipt names its charge, which reconciliation matches.
    for prefixes in (("ch_", "py_"), ("pi_",)):
        for value in candidates:
            if isinstance(value, str) and value.startswith(prefixes):
                return value
    return ""


def _payment(external_id, kind, status, gateway, amount, currency, created_at, reference, order_id):
    kind = _lower(kind)
    gateway = gateway or ""
    payment_type = _PAYMENT_TYPE.get(kind, "other")
    if gateway == "gift_card" and payment_type == "charge":
        payment_type = "gift_card"
    elif gateway == "cash" and payment_type == "charge":
        payment_type = "cash"
    return canonical.Payment(
        external_id=external_id,
        payment_type=payment_type,
        amount=-amount if kind == "refund" else amount,
        currency=currency,
        status=_lower(status),
        processor=gateway,
        processor_reference=reference,
        order_external_id=order_id,
        created_at=created_at,
        description=kind,
    )


def parse_transaction_rest(data, order_id=None):
    """REST transaction (``order_transactions/create``) -> canonical.Payment."""
    txn_id = rest_id(data, "transaction")
    where = f"transaction {txn_id}"
    return _payment(
        txn_id,
        _required(data, "kind", where),
        data.get("status"),
        data.get("gateway"),
        to_decimal(_required(data, "amount", where), f"{where} amount"),
        str(_required(data, "currency", where)),
        parse_iso(data.get("processed_at") or data.get("created_at"), f"{where} time"),
        _processor_reference(data.get("receipt"), data.get("authorization") or ""),
        str(order_id or order_ref(data, where)),
    )


# ------------------------------------------------------------------------------ GraphQL


def parse_order_graphql(node):
    """GraphQL ``Order`` node (as selected by ``ORDERS_QUERY``) -> :class:`canonical.Order`."""
    if not isinstance(node, dict):
        raise PayloadError(_lt("order: expected a JSON object"))
    order_id = gid_tail(_required(node, "id", "order"))
    where = f"order {order_id}"
    lines = [
        _line_item_graphql(item, where)
        for item in _nodes(node.get("lineItems"), f"{where} line items")
    ]
    for ship in _nodes(node.get("shippingLines"), f"{where} shipping lines"):
        sw = f"{where} shipping line"
        price, price_pres, __, __ = _gql_money(ship.get("originalPriceSet"), sw)
        lines.append(
            canonical.OrderLine(
                external_id=f"shipping:{gid_tail(_required(ship, 'id', sw))}",
                name=ship.get("title") or "Shipping",
                quantity=Decimal(1),
                price_unit=price,
                price_unit_presentment=price_pres,
                discount_amount=_discount(GRAPHQL, ship.get("discountAllocations"), sw),
                line_type="shipping",
                taxes=_taxes(GRAPHQL, ship.get("taxLines"), sw),
            )
        )
    duties, duties_pres, __, __ = _gql_money(node.get("originalTotalDutiesSet"), f"{where} duties")
    lines += _tip_and_duty_lines(
        _gql_money(node.get("totalTipReceivedSet"), f"{where} tip")[0], duties, duties_pres
    )
    total, total_pres, __, __ = _gql_money(node.get("totalPriceSet"), f"{where} total")
    customer = node.get("customer")
    taxes_included = bool(node.get("taxesIncluded"))
    order = canonical.Order(
        external_id=order_id,
        name=str(node.get("name") or order_id),
        currency=str(_required(node, "currencyCode", where)),
        presentment_currency=node.get("presentmentCurrencyCode") or "",
        updated_at=parse_iso(_required(node, "updatedAt", where), "updatedAt"),
        created_at=parse_iso(node.get("createdAt"), "createdAt"),
        customer=customer
        and canonical.Customer(
            external_id=gid_tail(_required(customer, "id", f"{where} customer")),
            email=(customer.get("defaultEmailAddress") or {}).get("emailAddress")
            or node.get("email")
            or "",
            phone=(customer.get("defaultPhoneNumber") or {}).get("phoneNumber") or "",
            name=_name(customer.get("firstName"), customer.get("lastName")),
            billing_address=_address(GRAPHQL, node.get("billingAddress")),
            shipping_address=_address(GRAPHQL, node.get("shippingAddress")),
        )
        or None,
        lines=tuple(lines),
        taxes_included=taxes_included,
        amount_total=total,
        amount_total_presentment=total_pres,
        amount_tax=_gql_money(node.get("totalTaxSet"), "total tax")[0],
        amount_discount=_gql_money(node.get("totalDiscountsSet"), "total discounts")[0],
        financial_status=_lower(node.get("displayFinancialStatus")),
        fulfillment_status=_FULFILLMENT.get(
            node.get("displayFulfillmentStatus") or "UNFULFILLED",
            _lower(node.get("displayFulfillmentStatus")),
        ),
        cancelled_at=parse_iso(node.get("cancelledAt"), "cancelledAt"),
        cancel_reason=_lower(node.get("cancelReason")),
        payments=tuple(
            parse_transaction_graphql(txn, order_id)
            for txn in _nodes(node.get("transactions"), f"{where} transactions")
        ),
        refunds=tuple(
            parse_refund_graphql(refund, order_id, taxes_included)
            for refund in _nodes(node.get("refunds"))
        ),
        note=node.get("note") or "",
    )
    return _balanced(order, where)


def _line_item_graphql(item, where):
    """GraphQL ``LineItem`` (of an order, or sent in exchange) -> canonical.OrderLine."""
    if not isinstance(item, dict):
        raise PayloadError(_lt("%(where)s: a line item must be a JSON object", where=where))
    line_id = gid_tail(_required(item, "id", f"{where} line item"))
    lw = f"{where} line {line_id}"
    price, price_pres, __, __ = _gql_money(item.get("originalUnitPriceSet"), f"{lw} price")
    return canonical.OrderLine(
        external_id=line_id,
        name=item.get("name") or "",
        quantity=to_decimal(_required(item, "quantity", lw), f"{lw} quantity"),
        price_unit=price,
        price_unit_presentment=price_pres,
        discount_amount=_discount(GRAPHQL, item.get("discountAllocations"), lw),
        sku=item.get("sku") or "",
        product_external_id=gid_tail((item.get("variant") or {}).get("id")),
        taxes=_taxes(GRAPHQL, item.get("taxLines"), lw),
    )


def parse_refund_graphql(node, order_id, taxes_included=False):
    """GraphQL ``Refund`` node -> canonical.Refund (same amounts as :func:`parse_refund_rest`)."""
    return _refund(
        GRAPHQL, node, gid_tail(_required(node, "id", "refund")), order_id, taxes_included
    )


def parse_transaction_graphql(node, order_id):
    """GraphQL ``OrderTransaction`` node -> canonical.Payment (presentment money)."""
    txn_id = gid_tail(_required(node, "id", "transaction"))
    where = f"transaction {txn_id}"
    __, amount, __, currency = _gql_money(_required(node, "amountSet", where), f"{where} amount")
    return _payment(
        txn_id,
        _required(node, "kind", where),
        node.get("status"),
        node.get("gateway"),
        amount,
        currency,
        parse_iso(node.get("processedAt") or node.get("createdAt"), f"{where} time"),
        _processor_reference(node.get("receiptJson")),
        str(order_id),
    )


# ------------------------------------------------------------------------------ bulk JSONL

#: Nested connections of the bulk order query, by the GraphQL type of their nodes' ids.
_BULK_CHILDREN = {"LineItem": "lineItems", "ShippingLine": "shippingLines"}


def iter_bulk_orders(lines):
    """Order nodes (shaped as :data:`..queries.ORDERS_QUERY` returns them) from the JSONL lines
    of a bulk operation run with ``groupObjects: true``: each order line is followed by its
    line items and shipping lines (``__parentId``). Yields orders one at a time."""
    current = None
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8")
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except ValueError:
            raise PayloadError(
                _lt("bulk result line %(number)s is not JSON", number=number)
            ) from None
        if not isinstance(line, dict) or not line.get("id"):
            raise PayloadError(_lt("bulk result line %(number)s has no id", number=number))
        parent = line.pop("__parentId", None)
        if parent is None:
            if current is not None:
                yield current
            current = dict(line, lineItems={"nodes": []}, shippingLines={"nodes": []})
            continue
        if current is None or parent != current["id"]:
            raise PayloadError(
                _lt(
                    "bulk result line %(number)s: its parent %(parent)s is not the order before "
                    "it (the operation must run with groupObjects)",
                    number=number,
                    parent=parent,
                )
            )
        kind = str(line["id"]).split("/")[-2] if str(line["id"]).count("/") >= 2 else ""
        key = _BULK_CHILDREN.get(kind)
        if key is None:
            raise PayloadError(
                _lt(
                    "bulk result line %(number)s: unexpected %(kind)s child",
                    number=number,
                    kind=kind or "node",
                )
            )
        line.pop("__typename", None)
        current[key]["nodes"].append(line)
    if current is not None:
        yield current
