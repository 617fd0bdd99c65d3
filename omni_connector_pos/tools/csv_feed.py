"""End-of-day CSV exports -> contract records (pure, no Odoo).

One CSV row per transaction line, tender or Z-report tender; the ``row_type`` column says
which (columns: see ``COLUMNS`` and the README). Rows of one transaction share its
``transaction_id`` and header columns (taken from its first row). A transaction, void or Z
report with a bad row is rejected whole with the line numbers of its rows (line 1 is the
header), so no half transaction is ever imported; every other record goes through. The
messages of rejected rows are rendered once, in the language of the request importing the
file.
"""

import csv
import io
import re
from decimal import Decimal

from odoo.tools.translate import _lt

from odoo.addons.omni_connector_base.tools.errors import PayloadError

from . import contract

COLUMNS = (
    "row_type",  # line | tender | void | z_tender
    "transaction_id",
    "kind",  # sale | return | exchange (line rows)
    "store_id",
    "store_name",
    "register_id",
    "business_date",  # YYYY-MM-DD
    "created_at",  # ISO 8601 with offset
    "currency",
    "receipt_number",
    "original_transaction_id",
    "customer_email",
    "line_id",
    "sku",
    "barcode",
    "name",
    "quantity",
    "unit_price",
    "discount",
    "tax_code",
    "tax_rate",
    "tax_amount",
    "restock",  # 1 / 0 (returns)
    "tender_id",
    "tender_type",  # cash | card | gift_card | store_credit | other
    "amount",
    "processor",
    "processor_reference",
    "z_id",
)
REQUIRED = {
    "line": (
        "transaction_id",
        "kind",
        "store_id",
        "business_date",
        "created_at",
        "currency",
        "line_id",
        "quantity",
        "unit_price",
    ),
    "tender": ("transaction_id", "tender_id", "tender_type", "amount"),
    "void": (
        "transaction_id",
        "store_id",
        "business_date",
        "created_at",
        "currency",
        "original_transaction_id",
    ),
    "z_tender": ("z_id", "store_id", "business_date", "currency", "tender_type", "amount"),
}
_AMOUNT = re.compile(r"^-?[0-9]{1,12}(\.[0-9]{1,4})?$")
_AMOUNT_COLUMNS = ("quantity", "unit_price", "discount", "tax_amount", "amount")


class Group:
    """The rows of one record (transaction or Z report) and their line numbers."""

    def __init__(self, key):
        self.key = key
        self.rows = []  # (line number, row dict)
        self.errors = []  # lazy messages, "line N: ..."

    @property
    def line_numbers(self):
        return [number for number, __ in self.rows]


def read(data):
    """(records, rejected): records are contract dicts with the line numbers they came from,
    rejected are (line numbers, message, raw rows)."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise PayloadError(_lt("the CSV file is not UTF-8")) from None
    reader = csv.DictReader(io.StringIO(data, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in ("row_type",) if c not in header]
    if missing:
        raise PayloadError(_lt("line 1: missing column(s) %(columns)s", columns=", ".join(missing)))
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise PayloadError(_lt("line 1: unknown column(s) %(columns)s", columns=", ".join(unknown)))
    groups, orphans = {}, []
    for row in reader:
        number = reader.line_num
        if None in row:  # more cells than columns
            message = _lt("line %(line)s: more cells than header columns", line=number)
            orphans.append((number, message, row))
            continue
        row = {k: (v or "").strip() for k, v in row.items()}
        row_type = row.get("row_type", "")
        if row_type not in REQUIRED:
            message = _lt("line %(line)s: unknown row_type %(type)r", line=number, type=row_type)
            orphans.append((number, message, row))
            continue
        key = ("z", row.get("z_id")) if row_type == "z_tender" else ("t", row.get("transaction_id"))
        if not key[1]:
            message = _lt("line %(line)s: %(type)s row without its id", line=number, type=row_type)
            orphans.append((number, message, row))
            continue
        group = groups.setdefault(key, Group(key))
        group.rows.append((number, row))
        group.errors += _row_errors(number, row_type, row)
    records, rejected = [], [([n], str(message), [r]) for n, message, r in orphans]
    for group in groups.values():
        record = None
        if not group.errors:
            try:
                record = _assemble(group)
                contract.validate(record, record["record_type"])
            except PayloadError as err:
                group.errors.append(
                    _lt("%(lines)s: %(error)s", lines=_span(group.line_numbers), error=err)
                )
                record = None
        if record is None:
            rejected.append(
                (
                    group.line_numbers,
                    "; ".join(map(str, group.errors)),
                    [row for __, row in group.rows],
                )
            )
        else:
            records.append((group.line_numbers, record))
    return records, rejected


def _span(numbers):
    listed = ", ".join(str(n) for n in numbers)
    if len(numbers) == 1:
        return _lt("line %(numbers)s", numbers=listed)
    return _lt("lines %(numbers)s", numbers=listed)


def _row_errors(number, row_type, row):
    errors = [
        _lt(
            "line %(line)s: %(column)s is required for a %(type)s row",
            line=number,
            column=column,
            type=row_type,
        )
        for column in REQUIRED[row_type]
        if not row.get(column)
    ]
    for column in _AMOUNT_COLUMNS:
        value = row.get(column)
        if value and not _AMOUNT.match(value):
            errors.append(
                _lt(
                    "line %(line)s: %(column)s %(value)r is not a decimal number",
                    line=number,
                    column=column,
                    value=value,
                )
            )
    return errors


def _assemble(group):
    rows = [row for __, row in group.rows]
    first = rows[0]
    if group.key[0] == "z":
        return _compact(
            {
                "record_type": "z_report",
                "z_id": first["z_id"],
                "store_id": first["store_id"],
                "store_name": first.get("store_name"),
                "register_id": first.get("register_id"),
                "business_date": first["business_date"],
                "currency": first["currency"],
                "tenders": [{"type": row["tender_type"], "amount": row["amount"]} for row in rows],
            }
        )
    header = next((row for row in rows if row["row_type"] in ("line", "void")), None)
    if header is None:
        raise PayloadError(_lt("tender rows without any line or void row"))
    if header["row_type"] == "void":
        return _compact(
            {
                "record_type": "transaction",
                "kind": "void",
                **{
                    k: header.get(k)
                    for k in (
                        "transaction_id",
                        "store_id",
                        "store_name",
                        "register_id",
                        "business_date",
                        "created_at",
                        "currency",
                        "original_transaction_id",
                    )
                },
            }
        )
    lines, tenders, total = [], [], None
    for row in rows:
        if row["row_type"] == "line":
            tax = (
                [{"code": row["tax_code"], "rate": row["tax_rate"], "amount": row["tax_amount"]}]
                if row.get("tax_code")
                else []
            )
            lines.append(
                _compact(
                    {
                        "line_id": row["line_id"],
                        "sku": row.get("sku"),
                        "barcode": row.get("barcode"),
                        "name": row.get("name"),
                        "quantity": row["quantity"],
                        "unit_price": row["unit_price"],
                        "discount": row.get("discount"),
                        "taxes": tax,
                        "restock": {"1": True, "0": False}.get(row.get("restock", "")),
                    }
                )
            )
        elif row["row_type"] == "tender":
            tenders.append(
                _compact(
                    {
                        "tender_id": row["tender_id"],
                        "type": row["tender_type"],
                        "amount": row["amount"],
                        "processor": row.get("processor"),
                        "processor_reference": row.get("processor_reference"),
                    }
                )
            )
            total = _add(total, row["amount"])
        else:
            raise PayloadError(_lt("a %(type)s row in a sale", type=row["row_type"]))
    customer = {"email": header["customer_email"]} if header.get("customer_email") else None
    return _compact(
        {
            "record_type": "transaction",
            **{
                k: header.get(k)
                for k in (
                    "transaction_id",
                    "kind",
                    "store_id",
                    "store_name",
                    "register_id",
                    "receipt_number",
                    "business_date",
                    "created_at",
                    "currency",
                    "original_transaction_id",
                )
            },
            "customer": customer,
            "lines": lines,
            "tenders": tenders,
            "total": total or "0",
        }
    )


def _add(total, amount):
    return str((Decimal(total) if total else Decimal(0)) + Decimal(amount))


def _compact(values):
    """Drop empty optional values (the contract has no nulls)."""
    return {k: v for k, v in values.items() if v not in (None, "", [])}
