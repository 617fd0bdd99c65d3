"""Pure parsers: Orders API 2026-01-01 JSON -> canonical orders, Flat File V2 settlement
reports -> canonical payouts. Nothing here touches Odoo.

Marketplace facilitator tax (collected and remitted by Amazon, ``taxCollections`` model
``MARKETPLACE_FACILITATOR``) is not the seller's: it stays out of the order's lines, tax and
total, and is stated in the order's note. The seller's own tax becomes the lines' taxes.
"""

import csv
import io
import re
from datetime import datetime, timezone
from decimal import Decimal

from odoo.tools.translate import _lt

from odoo.addons.omni_connector_base.tools import canonical
from odoo.addons.omni_connector_base.tools.dates import parse_iso
from odoo.addons.omni_connector_base.tools.errors import PayloadError
from odoo.addons.omni_connector_base.tools.money import to_decimal

from ..const import (
    FEE_MOVEMENTS,
    FULFILLED_BY_AMAZON,
    FULFILLED_BY_MERCHANT,
    MOVEMENT_TYPE_DEFAULT,
    MOVEMENT_TYPES,
    MOVEMENT_TYPES_BY_TRANSACTION,
    PAYMENT_TYPES,
)

MARKETPLACE_FACILITATOR = "MARKETPLACE_FACILITATOR"
RATE_PRECISION = Decimal("0.001")
SETTLEMENT_COLUMNS = (
    "settlement-id",
    "settlement-start-date",
    "settlement-end-date",
    "deposit-date",
    "total-amount",
    "currency",
    "transaction-type",
    "order-id",
    "merchant-order-id",
    "adjustment-id",
    "shipment-id",
    "marketplace-name",
    "amount-type",
    "amount-description",
    "amount",
    "fulfillment-id",
    "posted-date",
    "posted-date-time",
    "order-item-code",
    "merchant-order-item-id",
    "merchant-adjustment-item-id",
    "sku",
    "quantity-purchased",
    "promotion-id",
)
# Amazon's fulfilment statuses, lower case, as the status map spells them; payment is taken
# by Amazon once an order leaves PENDING.
_UNPAID_STATUSES = {"pending", "pending_availability"}
# 1234.56, 1,234.56, 95,00, 1.234,56, -0.5: a last separator followed by one or two digits is
# the decimal one; every other separator groups thousands.
_NUMBER = re.compile(r"^(-?)(\d{1,3}(?:([.,\s'])\d{3}(?:\3\d{3})*)?|\d+)(?:([.,])(\d{1,2}))?$")
_LOCAL_DATE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})(?:[ T](\d{2}):(\d{2}):(\d{2}))?(?: UTC)?$")


def _required(obj, key, what):
    if not isinstance(obj, dict) or obj.get(key) in (None, ""):
        raise PayloadError(_lt("Amazon %(what)s: missing %(key)r", what=what, key=key))
    return obj[key]


def _money(value, what):
    """(amount, currency) of a Money object, (0, "") when absent."""
    if not value:
        return canonical.ZERO, ""
    return to_decimal(_required(value, "amount", what), what), str(value.get("currencyCode") or "")


# ----------------------------------------------------------------------------------------
# Orders
# ----------------------------------------------------------------------------------------


def _breakdowns(item):
    """{type: Decimal} of an item's proceeds breakdown (ITEM, SHIPPING, TAX, DISCOUNT...)."""
    totals = {}
    for entry in (item.get("proceeds") or {}).get("breakdowns") or []:
        amount, __ = _money(entry.get("subtotal"), "order item proceeds")
        kind = str(entry.get("type") or "OTHER").upper()
        totals[kind] = totals.get(kind, canonical.ZERO) + amount
    return totals


def _facilitator_collects(item):
    collections = (item.get("tax") or {}).get("taxCollections") or []
    return any(entry.get("model") == MARKETPLACE_FACILITATOR for entry in collections)


def _address(value):
    if not value:
        return None
    return canonical.Address(
        name=value.get("name") or "",
        company=value.get("companyName") or "",
        street=value.get("addressLine1") or "",
        street2=" ".join(filter(None, (value.get("addressLine2"), value.get("addressLine3")))),
        city=value.get("city") or "",
        zip=value.get("postalCode") or "",
        state_code=value.get("stateOrRegion") or "",
        country_code=value.get("countryCode") or "",
        phone=value.get("phone") or "",
    )


def _customer(order):
    """The buyer as far as the roles allow: merchant-fulfilled orders carry an anonymised
    email, FBA orders often nothing (the backend's walk-in customer then)."""
    buyer = order.get("buyer") or {}
    email = buyer.get("buyerEmail") or ""
    if not email:
        return None
    shipping = _address((order.get("recipient") or {}).get("deliveryAddress"))
    return canonical.Customer(
        external_id=email,
        email=email,
        name=buyer.get("buyerName") or (shipping.name if shipping else ""),
        billing_address=shipping,
        shipping_address=shipping,
    )


def _item_lines(item, currency, seller_tax_title):
    """The product line of an order item, and its shipping line when it has one."""
    item_id = _required(item, "orderItemId", "order item")
    product = _required(item, "product", "order item")
    quantity = Decimal(int(_required(item, "quantityOrdered", "order item")))
    unit_price, __ = _money((product.get("price") or {}).get("unitPrice"), "unit price")
    amounts = _breakdowns(item)
    facilitator = _facilitator_collects(item)
    tax = canonical.ZERO if facilitator else amounts.get("TAX", canonical.ZERO)
    base = amounts.get("ITEM", unit_price * quantity)
    taxes = ()
    if tax:
        # Amazon gives no rate: tax over base, to a tenth of a percentage point (the tax is
        # rounded to the cent on every line, which moves small lines' ratio off the rate).
        rate = (tax / base).quantize(RATE_PRECISION) if base else canonical.ZERO
        taxes = (canonical.TaxLine(title=seller_tax_title, rate=rate, amount=tax),)
    lines = [
        canonical.OrderLine(
            external_id=item_id,
            name=product.get("title") or product.get("sellerSku") or item_id,
            quantity=quantity,
            price_unit=unit_price,
            discount_amount=-amounts.get("DISCOUNT", canonical.ZERO),
            sku=product.get("sellerSku") or "",
            product_external_id=product.get("asin") or "",
            taxes=taxes,
        )
    ]
    shipping = amounts.get("SHIPPING", canonical.ZERO)
    if shipping:
        lines.append(
            canonical.OrderLine(
                external_id=f"{item_id}-shipping",
                name="Shipping",
                quantity=Decimal(1),
                price_unit=shipping,
                line_type="shipping",
            )
        )
    facilitator_tax = amounts.get("TAX", canonical.ZERO) if facilitator else canonical.ZERO
    return lines, tax, facilitator_tax


def parse_order(order, seller_tax_title="Amazon tax"):
    order_id = _required(order, "orderId", "order")
    fulfillment = order.get("fulfillment") or {}
    status = str(fulfillment.get("fulfillmentStatus") or "").lower()
    grand_total, currency = _money((order.get("proceeds") or {}).get("grandTotal"), "grand total")
    lines, tax, facilitator_tax = [], canonical.ZERO, canonical.ZERO
    for item in _required(order, "orderItems", "order"):
        item_lines, item_tax, item_facilitator_tax = _item_lines(item, currency, seller_tax_title)
        lines += item_lines
        tax += item_tax
        facilitator_tax += item_facilitator_tax
        if not currency:
            __, currency = _money(
                ((item.get("product") or {}).get("price") or {}).get("unitPrice"), "unit price"
            )
    if not currency:
        raise PayloadError(_lt("Amazon order %(order)s: no currency", order=order_id))
    updated_at = parse_iso(
        order.get("lastUpdatedTime"), "Amazon order lastUpdatedTime", required=True
    )
    channel = order.get("salesChannel") or {}
    note = ""
    if facilitator_tax:
        note = str(
            _lt(
                "Marketplace facilitator tax collected and remitted by Amazon: %(amount)s "
                "%(currency)s",
                amount=facilitator_tax,
                currency=currency,
            )
        )
    return canonical.Order(
        external_id=order_id,
        name=order_id,
        currency=currency,
        updated_at=updated_at,
        created_at=parse_iso(order.get("createdTime"), "Amazon order createdTime"),
        customer=_customer(order),
        lines=tuple(lines),
        # Without proceeds (a role short of them), the total is what the lines say.
        amount_total=grand_total - facilitator_tax
        if grand_total
        else sum((line.price_unit * line.quantity - line.discount_amount for line in lines), tax),
        amount_tax=tax,
        financial_status=""
        if status == "cancelled"
        else ("pending" if status in _UNPAID_STATUSES else "paid"),
        fulfillment_status=status,
        cancelled_at=updated_at if status == "cancelled" else None,
        location_external_id=FULFILLED_BY_AMAZON
        if fulfillment.get("fulfilledBy") == "AMAZON"
        else FULFILLED_BY_MERCHANT,
        note="\n".join(filter(None, (channel.get("marketplaceName"), note))),
    )


# ----------------------------------------------------------------------------------------
# Settlement reports (Flat File V2)
# ----------------------------------------------------------------------------------------


def parse_amount(value, what="amount"):
    """A settlement amount in the marketplace's local format, exactly: ``95,00`` -> 95.00,
    ``1.234,56`` -> 1234.56, ``1,234.56`` -> 1234.56."""
    text = str(value or "").strip().replace("\u00a0", " ")
    match = _NUMBER.match(text)
    if not match:
        raise PayloadError(_lt("%(what)s: %(value)r is not an amount", what=what, value=value))
    sign, integer, group, decimal_sep, decimals = match.groups()
    if group and group == decimal_sep:
        raise PayloadError(_lt("%(what)s: %(value)r is not an amount", what=what, value=value))
    integer = re.sub(r"[.,\s']", "", integer)
    return to_decimal(f"{sign}{integer}.{decimals}" if decimals else f"{sign}{integer}", what)


def parse_settlement_date(value, what):
    """Settlement dates: ISO 8601 (``2026-11-02T08:51:37+00:00``, ``2026-11-02 08:51:37 UTC``)
    or the EU marketplaces' ``02.11.2026 08:51:37 UTC`` / ``02.11.2026``."""
    text = str(value or "").strip()
    if not text:
        return None
    local = _LOCAL_DATE.match(text)
    if local:
        day, month, year, hour, minute, second = local.groups()
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=timezone.utc,
        )
    if text.endswith(" UTC"):
        text = text[:-4]
    return parse_iso(text.replace(" ", "T", 1), what)


def movement_type(transaction_type, amount_type, amount_description):
    """The movement type of a settlement row (``const.MOVEMENT_TYPES``)."""
    return (
        MOVEMENT_TYPES_BY_TRANSACTION.get((transaction_type, amount_type, amount_description))
        or MOVEMENT_TYPES.get((amount_type, amount_description))
        or MOVEMENT_TYPES.get((amount_type, None))
        or MOVEMENT_TYPE_DEFAULT
    )


def read_settlement_rows(text):
    """The rows of a tab-delimited settlement file as dicts; checks the V2 columns."""
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter="\t")
    missing = [column for column in SETTLEMENT_COLUMNS if column not in (reader.fieldnames or ())]
    if missing:
        raise PayloadError(
            _lt(
                "not a Flat File V2 settlement report: missing columns %(columns)s",
                columns=", ".join(missing),
            )
        )
    return [row for row in reader if any((value or "").strip() for value in row.values())]


def parse_settlement(text):
    """A settlement report -> a canonical payout (the deposit) with one payment per row. The
    first row is the settlement's header (its total is the deposit); the other rows must add
    up to it."""
    rows = read_settlement_rows(text)
    if not rows:
        raise PayloadError(_lt("the settlement report has no rows"))
    header, movements = rows[0], rows[1:]
    settlement_id = _required(header, "settlement-id", "settlement")
    currency = str(_required(header, "currency", "settlement")).upper()
    total = parse_amount(_required(header, "total-amount", "settlement"), "total-amount")
    payments = []
    for number, row in enumerate(movements, start=2):
        if row.get("settlement-id") != settlement_id:
            raise PayloadError(
                _lt(
                    "settlement %(id)s: row %(row)s belongs to settlement %(other)s",
                    id=settlement_id,
                    row=number,
                    other=row.get("settlement-id"),
                )
            )
        payments.append(_settlement_payment(settlement_id, currency, number, row))
    rows_total = sum((payment.net for payment in payments), canonical.ZERO)
    if rows_total != total:
        raise PayloadError(
            _lt(
                "settlement %(id)s: its rows add up to %(rows)s %(currency)s, its total is "
                "%(total)s %(currency)s",
                id=settlement_id,
                rows=rows_total,
                total=total,
                currency=currency,
            )
        )
    return canonical.Payout(
        external_id=settlement_id,
        amount=total,
        currency=currency,
        status="paid",
        created_at=parse_settlement_date(header.get("settlement-end-date"), "settlement-end-date"),
        arrival_date=parse_settlement_date(header.get("deposit-date"), "deposit-date"),
        fee=sum((p.fee for p in payments), canonical.ZERO),
        trace=settlement_id,
        payments=tuple(payments),
    )


def _settlement_payment(settlement_id, currency, number, row):
    """One settlement row; its id is the settlement and the row's place in the file (a
    settlement report is immutable once Amazon has closed it)."""
    amount = parse_amount(row.get("amount"), f"settlement {settlement_id} row {number} amount")
    movement = movement_type(
        row.get("transaction-type") or "",
        row.get("amount-type") or "",
        row.get("amount-description") or "",
    )
    posted = row.get("posted-date-time") or row.get("posted-date")
    is_fee = movement in FEE_MOVEMENTS
    return canonical.Payment(
        external_id=f"{settlement_id}-{number}",
        payment_type=PAYMENT_TYPES[movement],
        amount=canonical.ZERO if is_fee else amount,
        fee=-amount if is_fee else canonical.ZERO,
        net=amount,
        currency=(row.get("currency") or currency).upper(),
        status="settled",
        processor="amazon",
        processor_reference=row.get("adjustment-id") or row.get("shipment-id") or "",
        order_external_id=row.get("order-id") or "",
        payout_external_id=settlement_id,
        created_at=parse_settlement_date(posted, f"settlement {settlement_id} row {number} date"),
        description=f"{movement}: {row.get('amount-description') or row.get('amount-type')}",
    )
