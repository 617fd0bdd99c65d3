"""Pure parsers of Shopify JSON into the canonical objects of ``omni_connector_base``.

Two shapes carry the same order: the REST JSON of webhooks (``orders/*``, ``refunds/create``,
``order_transactions/create``) and the GraphQL ``Order`` node the pull fetches with
:data:`..queries.ORDERS_QUERY`. Both give the same :class:`canonical.Order` for the same order:

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

import json
from datetime import datetime, timezone
from decimal import Decimal

from odoo.addons.omni_connector_base.tools import canonical
from odoo.addons.omni_connector_base.tools.errors import PayloadError
from odoo.addons.omni_connector_base.tools.money import to_decimal

ZERO = Decimal("0")
_FULFILLMENT = {
    "FULFILLED": "fulfilled",
    "PARTIALLY_FULFILLED": "partial",
    "UNFULFILLED": "unfulfilled",
    "RESTOCKED": "restocked",
}
_PAYMENT_TYPE = {"sale": "charge", "capture": "charge", "refund": "refund"}
_PROCESSOR_REF_PREFIXES = ("ch_", "py_", "pi_")


# ------------------------------------------------------------------------------ helpers


def _required(data, key, where):
    if not isinstance(data, dict) or data.get(key) in (None, ""):
        raise PayloadError(f"{where}: missing {key!r}")
    return data[key]


def gid_tail(value):
    """``gid://shopify/Order/123`` -> ``"123"``; a plain id is returned as a string."""
    return str(value).rsplit("/", 1)[-1] if value not in (None, "") else ""


def rest_id(data, where="record"):
    """The exact id of a REST record: from ``admin_graphql_api_id`` when present."""
    if isinstance(data, dict) and data.get("admin_graphql_api_id"):
        return gid_tail(data["admin_graphql_api_id"])
    return str(_required(data, "id", where))


def parse_datetime(value, what="datetime"):
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise PayloadError(f"{what}: {value!r} is not an ISO 8601 datetime") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _rate(value, what):
    """Tax rates are JSON numbers (not money): read them through their shortest repr."""
    if value is None:
        return ZERO
    if isinstance(value, float):
        value = repr(value)
    return to_decimal(value, what).normalize()


def _rest_money(money_set, what, fallback=None):
    """(shop amount, presentment amount, shop currency, presentment currency) of a REST set."""
    if isinstance(money_set, dict) and money_set.get("shop_money"):
        shop = money_set["shop_money"]
        pres = money_set.get("presentment_money") or shop
        return (
            to_decimal(shop.get("amount"), what),
            to_decimal(pres.get("amount"), what),
            shop.get("currency_code") or shop.get("currency") or "",
            pres.get("currency_code") or pres.get("currency") or "",
        )
    if fallback is not None:
        amount = to_decimal(fallback, what)
        return amount, amount, "", ""
    return ZERO, ZERO, "", ""


def _gql_money(bag, what):
    if not isinstance(bag, dict) or not bag.get("shopMoney"):
        return ZERO, ZERO, "", ""
    shop = bag["shopMoney"]
    pres = bag.get("presentmentMoney") or shop
    return (
        to_decimal(shop.get("amount"), what),
        to_decimal(pres.get("amount"), what),
        shop.get("currencyCode") or "",
        pres.get("currencyCode") or "",
    )


def _nodes(connection, where=""):
    """Items of a GraphQL connection (``nodes`` or ``edges``) or of a plain list. A connection
    with more pages than fetched is refused: a truncated order must never be imported."""
    if connection is None:
        return []
    if isinstance(connection, list):
        return connection
    if not isinstance(connection, dict):
        raise PayloadError(f"{where or 'connection'}: expected a connection or a list")
    if (connection.get("pageInfo") or {}).get("hasNextPage"):
        raise PayloadError(f"{where or 'connection'}: more items than one page holds")
    if "nodes" in connection:
        return connection["nodes"] or []
    return [edge["node"] for edge in connection.get("edges") or []]


def _name(first, last):
    return " ".join(part for part in (first or "", last or "") if part).strip()


def _lower(value):
    return str(value).lower() if value else ""


# ------------------------------------------------------------------------------ the two shapes


def _camel(snake):
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


class _Rest:
    """REST JSON of webhooks: snake_case keys, ``<field>_set`` money sets (``shop_money``)
    with the bare ``<field>`` amount standing in when the set is absent, plain lists."""

    discount_field = "amount"
    country_key = "country_code"

    @staticmethod
    def key(snake):
        return snake

    @staticmethod
    def money(data, field, what):
        return _rest_money(data.get(f"{field}_set"), what, data.get(field))

    @staticmethod
    def items(data, field, where=""):
        return data.get(field) or []

    @staticmethod
    def refund_line_id(item, where):
        line_item = item.get("line_item") or {}
        if line_item.get("admin_graphql_api_id"):
            return gid_tail(line_item["admin_graphql_api_id"])
        return str(_required(item, "line_item_id", where))

    @staticmethod
    def address_name(data):
        return data.get("name") or _name(data.get("first_name"), data.get("last_name"))


class _Graphql:
    """GraphQL nodes: camelCase keys, ``<field>Set`` money bags (``shopMoney``), connections."""

    discount_field = "allocated_amount"
    country_key = "countryCodeV2"
    key = staticmethod(_camel)

    @staticmethod
    def money(data, field, what):
        return _gql_money(data.get(_camel(field) + "Set"), what)

    @staticmethod
    def items(data, field, where=""):
        return _nodes(data.get(_camel(field)), where)

    @staticmethod
    def refund_line_id(item, where):
        return gid_tail(_required(_required(item, "lineItem", where), "id", where))

    @staticmethod
    def address_name(data):
        return data.get("name") or ""


REST, GRAPHQL = _Rest(), _Graphql()


def _taxes(shape, tax_lines, where):
    taxes = []
    for tax in tax_lines or []:
        shop, pres, __, __ = shape.money(tax, "price", f"{where} tax")
        taxes.append(
            canonical.TaxLine(
                title=tax.get("title") or "",
                rate=_rate(tax.get("rate"), f"{where} tax rate"),
                amount=shop,
                amount_presentment=pres,
            )
        )
    return tuple(taxes)


def _discount(shape, allocations, where):
    return sum(
        (shape.money(a, shape.discount_field, f"{where} discount")[0] for a in allocations or []),
        ZERO,
    )


def _address(shape, data):
    if not data:
        return None
    return canonical.Address(
        name=shape.address_name(data),
        company=data.get("company") or "",
        street=data.get("address1") or "",
        street2=data.get("address2") or "",
        city=data.get("city") or "",
        zip=data.get("zip") or "",
        state_code=data.get(shape.key("province_code")) or "",
        country_code=data.get(shape.country_key) or "",
        phone=data.get("phone") or "",
    )


def _tip_and_duty_lines(tip, duties, duties_presentment):
    """Tips and import duties are part of the order's total: they become lines of their own
    (untaxed). A webhook gives the tip in shop money only, so no presentment amount is kept."""
    lines = []
    if tip:
        lines.append(canonical.OrderLine(external_id="tip", name="Tip", quantity=Decimal(1),
                                         price_unit=tip, line_type="tip"))
    if duties:
        lines.append(canonical.OrderLine(external_id="duties", name="Duties",
                                         quantity=Decimal(1), price_unit=duties,
                                         price_unit_presentment=duties_presentment,
                                         line_type="duty"))
    return lines


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
        created_at=parse_datetime(data.get(shape.key("created_at")), f"{where} created_at"),
        note=data.get("note") or "",
        return_external_id=_return_of(data.get("return"), where),
    )


def _return_of(value, where):
    """The return a refund settles: ``{"id": gid}`` (GraphQL), ``{"id": 123,
    "admin_graphql_api_id": gid}`` (REST) or null."""
    if not value:
        return ""
    if not isinstance(value, dict):
        raise PayloadError(f"{where}: return must be an object or null")
    return gid_tail(value.get("admin_graphql_api_id") or _required(value, "id", f"{where} return"))


# ------------------------------------------------------------------------------ REST


def parse_order_rest(data):
    """REST order JSON (webhooks ``orders/*``) -> :class:`canonical.Order`."""
    if not isinstance(data, dict):
        raise PayloadError("order: expected a JSON object")
    order_id = rest_id(data, "order")
    where = f"order {order_id}"
    lines = []
    for item in data.get("line_items") or []:
        line_id = rest_id(item, f"{where} line item")
        lw = f"{where} line {line_id}"
        price, price_pres, __, __ = _rest_money(item.get("price_set"), f"{lw} price",
                                                item.get("price"))
        lines.append(
            canonical.OrderLine(
                external_id=line_id,
                name=item.get("name") or item.get("title") or "",
                quantity=to_decimal(_required(item, "quantity", lw), f"{lw} quantity"),
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
    duties, duties_pres, __, __ = _rest_money(data.get("original_total_duties_set"),
                                              f"{where} duties")
    lines += _tip_and_duty_lines(
        to_decimal(data.get("total_tip_received") or "0", f"{where} tip"), duties, duties_pres
    )
    total, total_pres, __, __ = _rest_money(data.get("total_price_set"), f"{where} total",
                                            data.get("total_price"))
    customer = data.get("customer")
    taxes_included = bool(data.get("taxes_included"))
    return canonical.Order(
        external_id=order_id,
        name=str(data.get("name") or order_id),
        currency=str(_required(data, "currency", where)),
        presentment_currency=data.get("presentment_currency") or "",
        updated_at=parse_datetime(_required(data, "updated_at", where), "updated_at"),
        created_at=parse_datetime(data.get("created_at"), "created_at"),
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
        cancelled_at=parse_datetime(data.get("cancelled_at"), "cancelled_at"),
        cancel_reason=_lower(data.get("cancel_reason")),
        refunds=tuple(
            parse_refund_rest(refund, order_id, taxes_included)
            for refund in data.get("refunds") or []
        ),
        note=data.get("note") or "",
    )


def parse_refund_rest(data, order_id=None, taxes_included=False):
    """REST refund JSON (``refunds/create`` or an order's ``refunds``) -> canonical.Refund."""
    refund_id = rest_id(data, "refund")
    return _refund(REST, data, refund_id, order_id or _required(data, "order_id", "refund"),
                   taxes_included)


def _processor_reference(receipt, authorization=""):
    if isinstance(receipt, str):
        try:
            receipt = json.loads(receipt or "{}")
        except ValueError:
            receipt = {}
    receipt = receipt if isinstance(receipt, dict) else {}
    candidates = [
        receipt.get("id"),
        receipt.get("charge") if isinstance(receipt.get("charge"), str) else
        (receipt.get("charge") or {}).get("id"),
        (receipt.get("latest_charge") if isinstance(receipt.get("latest_charge"), str) else None),
        receipt.get("payment_intent") if isinstance(receipt.get("payment_intent"), str) else
        (receipt.get("payment_intent") or {}).get("id"),
        authorization,
    ]
    # Charges first: a Stripe refund receipt names its charge, which reconciliation matches.
    for prefixes in (("ch_", "py_"), ("pi_",)):
        for value in candidates:
            if isinstance(value, str) and value.startswith(prefixes):
                return value
    return ""


def _payment(external_id, kind, status, gateway, amount, currency, created_at, reference,
             order_id):
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
        parse_datetime(data.get("processed_at") or data.get("created_at"), f"{where} time"),
        _processor_reference(data.get("receipt"), data.get("authorization") or ""),
        str(order_id or data.get("order_id") or ""),
    )


# ------------------------------------------------------------------------------ GraphQL


def parse_order_graphql(node):
    """GraphQL ``Order`` node (as selected by ``ORDERS_QUERY``) -> :class:`canonical.Order`."""
    if not isinstance(node, dict):
        raise PayloadError("order: expected a JSON object")
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
    duties, duties_pres, __, __ = _gql_money(node.get("originalTotalDutiesSet"),
                                             f"{where} duties")
    lines += _tip_and_duty_lines(
        _gql_money(node.get("totalTipReceivedSet"), f"{where} tip")[0], duties, duties_pres
    )
    total, total_pres, __, __ = _gql_money(node.get("totalPriceSet"), f"{where} total")
    customer = node.get("customer")
    taxes_included = bool(node.get("taxesIncluded"))
    return canonical.Order(
        external_id=order_id,
        name=str(node.get("name") or order_id),
        currency=str(_required(node, "currencyCode", where)),
        presentment_currency=node.get("presentmentCurrencyCode") or "",
        updated_at=parse_datetime(_required(node, "updatedAt", where), "updatedAt"),
        created_at=parse_datetime(node.get("createdAt"), "createdAt"),
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
        cancelled_at=parse_datetime(node.get("cancelledAt"), "cancelledAt"),
        cancel_reason=_lower(node.get("cancelReason")),
        refunds=tuple(
            parse_refund_graphql(refund, order_id, taxes_included)
            for refund in _nodes(node.get("refunds"))
        ),
        note=node.get("note") or "",
    )


def _line_item_graphql(item, where):
    """GraphQL ``LineItem`` (of an order, or sent in exchange) -> canonical.OrderLine."""
    if not isinstance(item, dict):
        raise PayloadError(f"{where}: a line item must be a JSON object")
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
    return _refund(GRAPHQL, node, gid_tail(_required(node, "id", "refund")), order_id,
                   taxes_included)


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
        parse_datetime(node.get("processedAt") or node.get("createdAt"), f"{where} time"),
        _processor_reference(node.get("receiptJson")),
        str(order_id),
    )


# ------------------------------------------------------------------------------ Shopify Payments

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
_PAYOUT_FEES = ("chargesFee", "refundsFee", "adjustmentsFee", "reservedFundsFee",
                "retriedPayoutsFee", "advanceFees")


def _money_v2(money, what):
    """(Decimal amount, currency) of a ``MoneyV2``."""
    if not isinstance(money, dict):
        raise PayloadError(f"{what}: missing money")
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
        raise PayloadError(f"{where}: amount, fee and net in different currencies")
    if amount - fee != net:
        raise PayloadError(f"{where}: amount {amount} - fee {fee} != net {net}")
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
        created_at=parse_datetime(_required(node, "transactionDate", where), f"{where} date"),
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
                raise PayloadError(f"{where}: {key} in {fee_currency}, payout in {currency}")
            fee += value
    payments = tuple(parse_balance_transaction(txn) for txn in transactions)
    for payment in payments:
        if payment.currency != currency:
            raise PayloadError(
                f"{where}: {payment.external_id} in {payment.currency}, payout in {currency}"
            )
        if payment.payout_external_id and payment.payout_external_id != payout_id:
            raise PayloadError(f"{where}: {payment.external_id} belongs to another payout")
    issued = parse_datetime(_required(node, "issuedAt", where), f"{where} issuedAt")
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
        order_external_id=str(data.get("order_id") or ""),
        created_at=parse_datetime(data.get("initiated_at"), f"{where} initiated_at"),
        description=" ".join(
            str(part) for part in (data.get("type"), data.get("reason"),
                                   data.get("network_reason_code")) if part
        ),
    )


def parse_product_rest(data):
    """REST product (``products/update``) -> [{external_id, sku, barcode, name}] per variant."""
    product_id = rest_id(data, "product")
    variants = data.get("variants")
    if not isinstance(variants, list):
        raise PayloadError(f"product {product_id}: variants missing")
    result = []
    for variant in variants:
        variant_id = rest_id(variant, f"product {product_id} variant")
        title = variant.get("title") or ""
        result.append({
            "external_id": variant_id,
            "sku": (variant.get("sku") or "").strip(),
            "barcode": (variant.get("barcode") or "").strip(),
            "name": " - ".join(p for p in (data.get("title") or "", title)
                               if p and p != "Default Title"),
        })
    return result


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
            raise PayloadError(f"bulk result line {number} is not JSON") from None
        if not isinstance(line, dict) or not line.get("id"):
            raise PayloadError(f"bulk result line {number} has no id")
        parent = line.pop("__parentId", None)
        if parent is None:
            if current is not None:
                yield current
            current = dict(line, lineItems={"nodes": []}, shippingLines={"nodes": []})
            continue
        if current is None or parent != current["id"]:
            raise PayloadError(
                f"bulk result line {number}: its parent {parent} is not the order before it "
                "(the operation must run with groupObjects)"
            )
        kind = str(line["id"]).split("/")[-2] if str(line["id"]).count("/") >= 2 else ""
        key = _BULK_CHILDREN.get(kind)
        if key is None:
            raise PayloadError(f"bulk result line {number}: unexpected {kind or 'node'} child")
        line.pop("__typename", None)
        current[key]["nodes"].append(line)
    if current is not None:
        yield current


# ------------------------------------------------------------------------------ master data


def parse_product_graphql(node):
    """GraphQL ``Product`` (as :data:`..queries.PRODUCTS_QUERY` selects it) -> the same variant
    list as :func:`parse_product_rest`."""
    product_id = gid_tail(_required(node, "id", "product"))
    result = []
    for variant in _nodes(node.get("variants"), f"product {product_id} variants"):
        title = variant.get("title") or ""
        result.append({
            "external_id": gid_tail(_required(variant, "id", f"product {product_id} variant")),
            "sku": (variant.get("sku") or "").strip(),
            "barcode": (variant.get("barcode") or "").strip(),
            "name": " - ".join(p for p in (node.get("title") or "", title)
                               if p and p != "Default Title"),
        })
    return result


def parse_customer_graphql(node):
    """GraphQL ``Customer`` -> canonical.Customer (default address as billing and shipping)."""
    customer_id = gid_tail(_required(node, "id", "customer"))
    address = _address(GRAPHQL, node.get("defaultAddress"))
    return canonical.Customer(
        external_id=customer_id,
        email=(node.get("defaultEmailAddress") or {}).get("emailAddress") or "",
        phone=(node.get("defaultPhoneNumber") or {}).get("phoneNumber") or "",
        name=_name(node.get("firstName"), node.get("lastName")),
        billing_address=address,
        shipping_address=address,
    )


# ------------------------------------------------------------------------------ returns

_RETURN_GID = "gid://shopify/Return/"


def order_return_status(data):
    """An order's return status when it has returns worth reading, else ``""``: GraphQL
    ``returnStatus`` other than ``NO_RETURN``; a REST order (which has no such field) with a
    non-empty ``returns`` list gives ``"RETURNS"``."""
    if not isinstance(data, dict):
        return ""
    if "returnStatus" in data:
        status = data.get("returnStatus") or ""
        return "" if status == "NO_RETURN" else str(status)
    return "RETURNS" if data.get("returns") else ""


def return_gid_of_webhook(data):
    """The GraphQL id of the return a ``returns/*`` webhook (REST shape) is about."""
    if not isinstance(data, dict):
        raise PayloadError("return: expected a JSON object")
    if data.get("admin_graphql_api_id"):
        value = str(data["admin_graphql_api_id"])
    else:
        value = f"gid://shopify/Return/{_required(data, 'id', 'return')}"
    if not value.startswith(_RETURN_GID) or not value[len(_RETURN_GID):].isdigit():
        raise PayloadError(f"return: {value!r} is not the id of a return")
    return value


def _reason(definition, where):
    """The name of a ``ReturnReasonDefinition`` (the merchant's or Shopify's reason)."""
    if definition is None:
        return ""
    if not isinstance(definition, dict):
        raise PayloadError(f"{where}: the return reason must be an object")
    return str(definition.get("name") or "")


def parse_return_graphql(node, order_id=None):
    """GraphQL ``Return`` node (``RETURN_FIELDS``) -> :class:`canonical.Return`.

    Exchange items are order line items of their own, read like the order's (their prices
    follow the order's tax convention, which the importer knows from the order)."""
    if not isinstance(node, dict):
        raise PayloadError("return: expected a JSON object")
    return_id = gid_tail(_required(node, "id", "return"))
    where = f"return {return_id}"
    order_id = gid_tail(order_id) or gid_tail(
        _required(_required(node, "order", where), "id", f"{where} order")
    )
    lines = []
    for item in _nodes(node.get("returnLineItems"), f"{where} lines"):
        line_id = gid_tail(_required(item, "id", f"{where} line"))
        lw = f"{where} line {line_id}"
        fulfilment_line = _required(item, "fulfillmentLineItem", lw) or {}
        order_line = _required(fulfilment_line, "lineItem", lw) or {}
        quantity = to_decimal(_required(item, "quantity", lw), f"{lw} quantity")
        processed = to_decimal(item.get("processedQuantity") or 0, f"{lw} processed quantity")
        if quantity < 0 or processed < 0 or processed > quantity:
            raise PayloadError(
                f"{lw}: processed quantity {processed} of {quantity} is not possible"
            )
        lines.append(
            canonical.ReturnLine(
                external_id=line_id,
                order_line_external_id=gid_tail(_required(order_line, "id", lw)),
                quantity=quantity,
                processed_quantity=processed,
                reason=_reason(item.get("returnReasonDefinition"), lw),
                note=item.get("returnReasonNote") or item.get("customerNote") or "",
            )
        )
    exchange_lines = []
    for exchange in _nodes(node.get("exchangeLineItems"), f"{where} exchange items"):
        items = exchange.get("lineItems") if isinstance(exchange, dict) else ()
        if not isinstance(items, list) and items is not None:
            raise PayloadError(f"{where}: an exchange item must carry a list of line items")
        for item in items or ():
            exchange_lines.append(_line_item_graphql(item, f"{where} exchange"))
    return canonical.Return(
        external_id=return_id,
        order_external_id=order_id,
        name=node.get("name") or return_id,
        status=str(_required(node, "status", where)).upper(),
        lines=tuple(lines),
        exchange_lines=tuple(exchange_lines),
        refund_external_ids=tuple(
            gid_tail(_required(refund, "id", f"{where} refund"))
            for refund in _nodes(node.get("refunds"), f"{where} refunds")
        ),
        created_at=parse_datetime(node.get("createdAt"), f"{where} createdAt"),
        closed_at=parse_datetime(node.get("closedAt"), f"{where} closedAt"),
    )
