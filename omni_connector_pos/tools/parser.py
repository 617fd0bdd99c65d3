"""Pure parsers: POS feed records (contract v1) -> canonical objects.

A transaction becomes a canonical order (sales, exchanges, returns without receipt) whose
lines carry signed quantities, or a canonical refund of its original (returns with receipt),
plus one canonical payment per tender. A Z report becomes declared totals per tender. Nothing
here touches Odoo; records are validated against the contract first.
"""

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from odoo.tools.translate import _lt

from odoo.addons.omni_connector_base.tools import canonical
from odoo.addons.omni_connector_base.tools.dates import parse_iso
from odoo.addons.omni_connector_base.tools.errors import PayloadError
from odoo.addons.omni_connector_base.tools.money import to_decimal, to_quantity

from . import contract

TENDERS = ("cash", "card", "gift_card", "store_credit", "other")
ZERO = Decimal("0")


@dataclass(frozen=True)
class PosTransaction:
    transaction_id: str
    kind: str  # sale | return | exchange | void
    store_id: str
    register_id: str
    store_name: str
    business_date: date
    created_at: datetime
    currency: str
    original_transaction_id: str = ""
    order: canonical.Order | None = None  # None for a void
    payments: tuple[canonical.Payment, ...] = ()
    tenders: tuple[tuple[str, Decimal], ...] = ()  # (tender, amount) per tender row

    @property
    def location_external_id(self):
        return self.register_id or self.store_id


@dataclass(frozen=True)
class ZReport:
    z_id: str
    store_id: str
    register_id: str
    store_name: str
    business_date: date
    currency: str
    closed_at: datetime | None
    transaction_count: int | None
    tenders: tuple[tuple[str, Decimal, int], ...]  # (tender, declared amount, count)
    total: Decimal | None = None

    @property
    def location_external_id(self):
        return self.register_id or self.store_id


def parse_date(value, what="business_date"):
    """A business date (a date, no time): the till's day, not an instant."""
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise PayloadError(
            _lt("%(what)s: %(value)r is not a date", what=what, value=value)
        ) from None


def _till_payment(
    external_id, tender, amount, currency, processor, reference, order_ref, created_at, description
):
    """One tender of a receipt as a canonical movement: taken at the till, so settled at once
    (net = gross) unless a processor's payout says otherwise."""
    return canonical.Payment(
        external_id=external_id,
        payment_type=payment_type(tender, amount),
        amount=amount,
        currency=currency,
        net=amount,
        status="succeeded",
        processor=processor or tender,
        processor_reference=reference or "",
        order_external_id=order_ref,
        created_at=created_at,
        description=description,
    )


def payment_type(tender, amount):
    """Canonical movement type of a tender. Store credit is stored value like a gift card:
    taken as payment, or issued (negative) on a return, it settles the receipt's total."""
    if tender == "card":
        return "refund" if amount < 0 else "charge"
    return {"cash": "cash", "gift_card": "gift_card", "store_credit": "gift_card"}.get(
        tender, "other"
    )


def parse_transaction(data):
    """Contract transaction -> PosTransaction (validated; totals checked to the cent)."""
    contract.validate(data, "transaction")
    txn_id = data["transaction_id"]
    currency = data["currency"]
    created_at = parse_iso(data["created_at"], "created_at", naive_is_utc=False, required=True)
    common = {
        "transaction_id": txn_id,
        "kind": data["kind"],
        "store_id": data["store_id"],
        "register_id": data.get("register_id", ""),
        "store_name": data.get("store_name", ""),
        "business_date": parse_date(data["business_date"]),
        "created_at": created_at,
        "currency": currency,
        "original_transaction_id": data.get("original_transaction_id", ""),
    }
    if data["kind"] == "void":
        return PosTransaction(**common)
    lines = tuple(_line(line, txn_id) for line in data["lines"])
    if data["kind"] == "sale":  # a return or an exchange gives goods back, a sale never
        for line in lines:
            to_quantity(line.quantity, f"transaction {txn_id} line {line.external_id} quantity")
    tenders, payments = [], []
    for tender in data["tenders"]:
        amount = to_decimal(tender["amount"], f"tender {tender['tender_id']}")
        tenders.append((tender["type"], amount))
        payments.append(
            _till_payment(
                f"{txn_id}/{tender['tender_id']}", tender["type"], amount, currency,
                tender.get("processor"), tender.get("processor_reference"), txn_id, created_at,
                tender["type"],
            )
        )  # fmt: skip
    total = to_decimal(data["total"], "total")
    paid = sum((amount for __, amount in tenders), ZERO)
    if paid != total:
        raise PayloadError(
            _lt(
                "transaction %(transaction)s: tenders sum to %(paid)s, total is %(total)s",
                transaction=txn_id,
                paid=paid,
                total=total,
            )
        )
    taxes_included = data.get("taxes_included", True)
    goods = sum((line.quantity * line.price_unit - line.discount_amount for line in lines), ZERO)
    tax = sum((t.amount for line in lines for t in line.taxes), ZERO)
    expected = goods if taxes_included else goods + tax
    if expected != total:
        raise PayloadError(
            _lt(
                "transaction %(transaction)s: lines come to %(expected)s, total is %(total)s",
                transaction=txn_id,
                expected=expected,
                total=total,
            )
        )
    customer = data.get("customer") or {}
    order = canonical.Order(
        external_id=txn_id,
        name=f"{data['store_id']}/{data.get('receipt_number') or txn_id}",
        currency=currency,
        updated_at=created_at,
        created_at=created_at,
        customer=canonical.Customer(
            external_id=customer.get("id", ""),
            email=customer.get("email", ""),
            phone=customer.get("phone", ""),
            name=customer.get("name", ""),
        )
        if customer
        else None,
        lines=lines,
        taxes_included=taxes_included,
        amount_total=total,
        amount_tax=to_decimal(data["total_tax"], "total_tax") if "total_tax" in data else tax,
        amount_discount=sum((line.discount_amount for line in lines), ZERO),
        financial_status="refunded" if total < 0 else "paid",
        fulfillment_status="fulfilled",  # handed over at the till
        location_external_id=common["register_id"] or common["store_id"],
        note=data.get("note", ""),
    )
    return PosTransaction(**common, order=order, payments=tuple(payments), tenders=tuple(tenders))


def _line(line, txn_id):
    what = f"transaction {txn_id} line {line['line_id']}"
    sku, barcode = line.get("sku", ""), line.get("barcode", "")
    return canonical.OrderLine(
        external_id=line["line_id"],
        name=line.get("name") or sku or barcode,
        quantity=to_decimal(line["quantity"], f"{what} quantity"),
        price_unit=to_decimal(line["unit_price"], f"{what} unit_price"),
        discount_amount=to_decimal(line.get("discount", "0"), f"{what} discount"),
        sku=sku,
        barcode=barcode,
        # Bound by the till's own code: a manager can map an unknown SKU to a product once.
        product_external_id=f"sku:{sku}" if sku else f"barcode:{barcode}",
        taxes=tuple(
            canonical.TaxLine(
                title=tax["code"],
                rate=to_decimal(tax["rate"], f"{what} tax rate"),
                amount=to_decimal(tax["amount"], f"{what} tax amount"),
            )
            for tax in line.get("taxes", ())
        ),
    )


def return_hints(data):
    """{line_id: (original line id, restock)} of a transaction record (default: restocked)."""
    return {
        line["line_id"]: (line.get("original_line_id", ""), line.get("restock", True))
        for line in data.get("lines", ())
    }


def as_refund(txn, original_lines, hints=None):
    """A return with receipt as a canonical refund of its original order.

    ``original_lines``: (external_id, sku, barcode) of the original's lines; a returned line
    names its original line, or is matched to it by SKU / barcode. Returns None when the
    transaction sells something too (an exchange) or a line matches nothing: it is then
    imported as a return order of its own."""
    hints = hints or {}
    by_code = {}
    for external_id, sku, barcode in original_lines:
        for code in (sku and f"sku:{sku}", barcode and f"barcode:{barcode}"):
            if code:
                by_code.setdefault(code, external_id)
    known = {external_id for external_id, __, __ in original_lines}
    refund_lines = []
    for line in txn.order.lines:
        if line.quantity >= 0:
            return None
        original_line_id, restock = hints.get(line.external_id, ("", True))
        candidates = (
            original_line_id,
            by_code.get(f"sku:{line.sku}") if line.sku else None,
            by_code.get(f"barcode:{line.barcode}") if line.barcode else None,
        )
        target = next((ref for ref in candidates if ref and ref in known), None)
        if not target:
            return None
        refund_lines.append(
            canonical.RefundLine(
                order_line_external_id=target,
                quantity=-line.quantity,
                amount=-(line.quantity * line.price_unit - line.discount_amount),
                restock=restock,
            )
        )
    return canonical.Refund(
        external_id=txn.transaction_id,
        order_external_id=txn.original_transaction_id,
        currency=txn.currency,
        amount=-txn.order.amount_total,
        lines=tuple(refund_lines),
        created_at=txn.created_at,
    )


def with_order_ref(payments, order_external_id):
    return tuple(dataclasses.replace(p, order_external_id=order_external_id) for p in payments)


def parse_z_report(data):
    contract.validate(data, "z_report")
    tenders = {}
    for row in data["tenders"]:
        amount = to_decimal(row["amount"], f"Z {data['z_id']} {row['type']}")
        previous = tenders.get(row["type"], (ZERO, 0))
        tenders[row["type"]] = (previous[0] + amount, previous[1] + row.get("count", 0))
    return ZReport(
        z_id=data["z_id"],
        store_id=data["store_id"],
        register_id=data.get("register_id", ""),
        store_name=data.get("store_name", ""),
        business_date=parse_date(data["business_date"]),
        currency=data["currency"],
        closed_at=parse_iso(data.get("closed_at"), "closed_at", naive_is_utc=False),
        transaction_count=data.get("transaction_count"),
        tenders=tuple((tender, amount, count) for tender, (amount, count) in tenders.items()),
        total=to_decimal(data["total"], "total") if "total" in data else None,
    )


# ----------------------------------------------------------------------------------------
# Odoo's own Point of Sale: snapshots of pos.order / pos.session (built from the ORM by the
# backend, amounts already as decimal strings) -> canonical objects.
# ----------------------------------------------------------------------------------------


def parse_odoo_order(snap):
    """pos.order snapshot -> (canonical order, payments, tenders, {line id: product id})."""
    try:
        currency = snap["currency"]
        created_at = parse_iso(snap["date_order"], "date_order", naive_is_utc=False, required=True)
        order_ref = f"pos.order/{snap['id']}"
        lines, products = [], {}
        for line in snap["lines"]:
            external_id = f"pos.order.line/{line['id']}"
            products[external_id] = line["product_id"]
            lines.append(
                canonical.OrderLine(
                    external_id=external_id,
                    name=line["name"],
                    quantity=to_decimal(line["qty"], "qty"),
                    price_unit=to_decimal(line["price_unit"], "price_unit"),
                    discount_amount=to_decimal(line["discount_amount"], "discount_amount"),
                    sku=line.get("sku") or "",
                    barcode=line.get("barcode") or "",
                    product_external_id=f"product.product/{line['product_id']}",
                )
            )
        payments, tenders = [], []
        for pay in snap["payments"]:
            amount = to_decimal(pay["amount"], "payment amount")
            tenders.append((pay["tender"], amount))
            payments.append(
                _till_payment(
                    f"pos.payment/{pay['id']}", pay["tender"], amount, currency,
                    pay.get("processor"), pay.get("transaction_id"), order_ref,
                    parse_iso(pay["date"], "payment date", naive_is_utc=False, required=True),
                    pay.get("method") or pay["tender"],
                )
            )  # fmt: skip
        total = to_decimal(snap["amount_total"], "amount_total")
        order = canonical.Order(
            external_id=order_ref,
            name=snap["name"],
            currency=currency,
            updated_at=created_at,
            created_at=created_at,
            lines=tuple(lines),
            amount_total=total,
            amount_tax=to_decimal(snap["amount_tax"], "amount_tax"),
            financial_status="refunded" if total < 0 else "paid",
            location_external_id=snap["register_id"],
            note=snap.get("pos_reference") or "",
        )
    except (KeyError, TypeError) as err:
        raise PayloadError(
            _lt("Odoo POS order snapshot: missing %(field)s", field=str(err))
        ) from None
    return order, tuple(payments), tuple(tenders), products


def parse_odoo_session(snap):
    """pos.session snapshot (closed) -> ZReport: per tender, what the session booked, the
    cash tender corrected by the counted difference (counted - expected)."""
    try:
        return ZReport(
            z_id=f"pos.session/{snap['id']}",
            store_id=snap["store_id"],
            register_id=snap["register_id"],
            store_name=snap.get("store_name", ""),
            business_date=parse_date(snap["business_date"]),
            currency=snap["currency"],
            closed_at=parse_iso(snap["closed_at"], "closed_at", naive_is_utc=False, required=True),
            transaction_count=snap.get("order_count"),
            tenders=tuple(
                (row["tender"], to_decimal(row["amount"], "tender amount"), row.get("count", 0))
                for row in snap["tenders"]
            ),
        )
    except (KeyError, TypeError) as err:
        raise PayloadError(
            _lt("Odoo POS session snapshot: missing %(field)s", field=str(err))
        ) from None
