"""Canonical business objects, channel-independent.

Parsers turn a channel's JSON into these frozen dataclasses; the shared importer turns them
into Odoo documents. No Odoo model here: parsers and these objects are testable without a
database. Amounts are ``Decimal`` (never float) and every money-carrying object names its
currency (ISO 4217 code).
"""

import functools
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal

from odoo.tools.translate import _lt

from .errors import PayloadError

ZERO = Decimal("0")


def _record(cls):
    """A frozen dataclass refusing, whatever channel parsed it, what no reader may pass on:
    an object or a list where a text or an amount belongs, a NUL in a text (PostgreSQL
    refuses it). A payload error then, where the ORM would raise an internal one later."""

    def __post_init__(self):
        for name in _scalar_fields(cls):
            value = getattr(self, name)
            if isinstance(value, dict | list | tuple):
                raise PayloadError(
                    _lt(
                        "%(record)s %(field)s: expected a value, got %(type)s",
                        record=cls.__name__,
                        field=name,
                        type=type(value).__name__,
                    )
                )
            if isinstance(value, str) and "\x00" in value:
                raise PayloadError(
                    _lt(
                        "%(record)s %(field)s holds a NUL character",
                        record=cls.__name__,
                        field=name,
                    )
                )

    cls.__post_init__ = __post_init__  # set before dataclass() so its __init__ calls it
    return dataclass(frozen=True)(cls)


@functools.cache
def _scalar_fields(cls):
    return [f.name for f in fields(cls) if f.type in (str, Decimal, str | None, Decimal | None)]


@_record
class Address:
    name: str = ""
    company: str = ""
    street: str = ""
    street2: str = ""
    city: str = ""
    zip: str = ""
    state_code: str = ""
    country_code: str = ""
    phone: str = ""


@_record
class Customer:
    external_id: str
    email: str = ""
    phone: str = ""
    name: str = ""
    billing_address: Address | None = None
    shipping_address: Address | None = None


@_record
class TaxLine:
    """A tax applied on a line, as the channel computed it."""

    title: str
    rate: Decimal  # 0.2 for 20 %
    amount: Decimal  # shop currency
    amount_presentment: Decimal | None = None


@_record
class OrderLine:
    external_id: str
    name: str
    quantity: Decimal
    price_unit: Decimal  # shop currency, before discount, as the channel shows it
    price_unit_presentment: Decimal | None = None
    discount_amount: Decimal = ZERO  # total discount on the line, shop currency
    sku: str = ""
    barcode: str = ""
    product_external_id: str = ""
    line_type: str = "product"  # product | shipping | tip | duty | adjustment
    taxes: tuple[TaxLine, ...] = ()


@_record
class Payment:
    """One money movement: charge, refund, fee, dispute, adjustment, payout leg..."""

    external_id: str
    payment_type: str
    amount: Decimal  # gross, signed as seen from the merchant
    currency: str
    fee: Decimal = ZERO
    net: Decimal | None = None
    status: str = ""
    processor: str = ""
    processor_reference: str = ""  # e.g. the Stripe charge id a Shopify transaction carries
    order_external_id: str = ""
    payout_external_id: str = ""
    created_at: datetime | None = None
    available_on: datetime | None = None
    exchange_rate: Decimal | None = None
    description: str = ""


@_record
class RefundLine:
    order_line_external_id: str
    quantity: Decimal
    amount: Decimal = ZERO
    restock: bool = False


@_record
class Refund:
    external_id: str
    order_external_id: str
    currency: str
    amount: Decimal  # total refunded to the customer, shop currency
    lines: tuple[RefundLine, ...] = ()
    shipping_amount: Decimal = ZERO
    adjustment_amount: Decimal = ZERO
    created_at: datetime | None = None
    note: str = ""
    # The channel's return this refund settles: its goods come back through the return
    # (see Return), so the refund itself moves money only.
    return_external_id: str = ""


@_record
class ReturnLine:
    """A line of a return: how much of an order line the customer sends back."""

    external_id: str
    order_line_external_id: str
    quantity: Decimal  # requested
    processed_quantity: Decimal = ZERO  # received and dealt with (refunded, exchanged, kept)
    reason: str = ""
    note: str = ""


@_record
class Return:
    """A return (RMA) of an order, possibly with exchange items sent out in its place.

    Goods follow returns: the processed quantities come back into stock through the return;
    money follows refunds (a refund naming the return books the credit note only)."""

    external_id: str
    order_external_id: str
    name: str
    status: str  # channel's own words (Shopify: REQUESTED, OPEN, CLOSED, DECLINED, CANCELED)
    lines: tuple[ReturnLine, ...] = ()
    # Exchange items are new order lines, sent to the customer and sold on the same order.
    exchange_lines: tuple["OrderLine", ...] = ()
    refund_external_ids: tuple[str, ...] = ()
    created_at: datetime | None = None
    closed_at: datetime | None = None


@_record
class Order:
    external_id: str
    name: str
    currency: str  # shop currency
    updated_at: datetime
    created_at: datetime | None = None
    presentment_currency: str = ""
    customer: Customer | None = None
    lines: tuple[OrderLine, ...] = ()
    taxes_included: bool = False
    amount_total: Decimal = ZERO
    amount_total_presentment: Decimal | None = None
    amount_tax: Decimal = ZERO
    amount_discount: Decimal = ZERO
    financial_status: str = ""  # channel's own words; the status map translates them
    fulfillment_status: str = ""
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    # The order's own processor movements (its transactions): the importer stores them with
    # the order; they are not part of the order's version (its digest).
    payments: tuple[Payment, ...] = ()
    refunds: tuple[Refund, ...] = ()
    returns: tuple[Return, ...] = ()
    location_external_id: str = ""  # store / register / fulfilment location
    note: str = ""

    @property
    def presentment(self):
        return self.presentment_currency or self.currency


@_record
class Payout:
    external_id: str
    amount: Decimal
    currency: str
    status: str
    created_at: datetime | None = None
    arrival_date: datetime | None = None
    fee: Decimal = ZERO
    trace: str = ""
    payments: tuple[Payment, ...] = field(default_factory=tuple)


@_record
class StockLevel:
    sku: str
    location_external_id: str
    available: Decimal
    updated_at: datetime | None = None
