"""A POS API sandbox: an external till system speaking the Omni POS feed contract v1.

- :func:`generate_store_days` builds a :class:`PosWorld`, a seeded deterministic set of
  store-days: sales with cash / card / gift-card / split tenders, discounts and VAT, a return
  with its receipt, a return without receipt, an exchange, a void, a card payment without
  processor reference, and one Z report per till and day, one of which disagrees with its
  transactions (cash counted short). ``expected_gaps`` says exactly which.
- :class:`PosSandbox` serves the world on ``http://127.0.0.1:<port>``:
  ``GET /v1/health`` and ``GET /v1/records?since=&cursor=&limit=`` (contract batches with
  ``next_cursor``), Bearer-key auth, switchable faults (429 with Retry-After, 500, timeout,
  dropped connection).
- :func:`sign` / :func:`send_webhook` sign and post contract documents as the till does
  (``X-Pos-Signature: sha256=<hex HMAC-SHA256 of the raw body>``).
- :meth:`PosWorld.to_csv` / :meth:`PosWorld.to_json` are the end-of-day exports of the file
  import.

Amounts are decimal strings (Decimal inside). No Odoo import here.
"""

import csv
import hashlib
import hmac
import io
import json
import random
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qs, urlsplit

import requests

from .httpserver import JsonHandler, Sandbox

SIGNATURE_HEADER = "X-Pos-Signature"
CENT = Decimal("0.01")
VAT = ("VAT20", Decimal("0.2"))
FAULT_KINDS = ("429", "500", "timeout", "drop")
# sku, barcode, name, unit price (tax included)
CATALOG = (
    ("POS-TEE-001", "4006381333931", "Store tee", Decimal("19.90")),
    ("POS-MUG-002", "4006381333948", "Store mug", Decimal("8.50")),
    ("POS-CAP-003", "4006381333955", "Store cap", Decimal("14.00")),
    ("POS-BAG-004", "4006381333962", "Tote bag", Decimal("5.00")),
)
CSV_COLUMNS = (
    "row_type", "transaction_id", "kind", "store_id", "store_name", "register_id",
    "business_date", "created_at", "currency", "receipt_number", "original_transaction_id",
    "customer_email", "line_id", "sku", "barcode", "name", "quantity", "unit_price", "discount",
    "tax_code", "tax_rate", "tax_amount", "restock", "tender_id", "tender_type", "amount",
    "processor", "processor_reference", "z_id",
)  # fmt: skip


def money(value):
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def included_tax(gross, rate=VAT[1]):
    """VAT inside a tax-included amount, to the cent."""
    return (gross - gross / (1 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)


class PosWorld:
    def __init__(self, records, expected_gaps, currency):
        self.records = records  # contract records, in till order
        self.expected_gaps = expected_gaps  # {(register_id, date iso, tender): Decimal}
        self.currency = currency

    @property
    def transactions(self):
        return [r for r in self.records if r["record_type"] == "transaction"]

    @property
    def z_reports(self):
        return [r for r in self.records if r["record_type"] == "z_report"]

    def find(self, predicate):
        return next(r for r in self.records if predicate(r))

    def stamp(self, record):
        return record.get("created_at") or record.get("closed_at")

    def since(self, since):
        """Records at or after ``since`` (aware datetime), in stamp order."""
        if since is None:
            return list(self.records)
        return [r for r in self.records if _parse(self.stamp(r)) >= since]

    def batch(self, records=None, next_cursor=None):
        return {
            "contract_version": "1",
            "records": list(self.records if records is None else records),
            "next_cursor": next_cursor,
        }

    def to_json(self):
        return json.dumps(self.batch(), indent=1).encode()

    def to_csv(self):
        """The documented CSV export: one row per line, tender, void and Z tender."""
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for record in self.records:
            for row in _csv_rows(record):
                writer.writerow(row)
        return out.getvalue().encode()


def _csv_rows(record):
    if record["record_type"] == "z_report":
        for tender in record["tenders"]:
            yield {
                "row_type": "z_tender",
                "z_id": record["z_id"],
                "store_id": record["store_id"],
                "store_name": record.get("store_name", ""),
                "register_id": record.get("register_id", ""),
                "business_date": record["business_date"],
                "currency": record["currency"],
                "tender_type": tender["type"],
                "amount": tender["amount"],
            }
        return
    header = {
        key: record.get(key, "")
        for key in (
            "transaction_id", "kind", "store_id", "store_name", "register_id", "business_date",
            "created_at", "currency", "receipt_number", "original_transaction_id",
        )
    }  # fmt: skip
    if record["kind"] == "void":
        yield {"row_type": "void", **header}
        return
    header["customer_email"] = (record.get("customer") or {}).get("email", "")
    for line in record["lines"]:
        tax = (line.get("taxes") or [{}])[0]
        yield {
            "row_type": "line",
            **header,
            "line_id": line["line_id"],
            "sku": line.get("sku", ""),
            "barcode": line.get("barcode", ""),
            "name": line.get("name", ""),
            "quantity": line["quantity"],
            "unit_price": line["unit_price"],
            "discount": line.get("discount", ""),
            "tax_code": tax.get("code", ""),
            "tax_rate": tax.get("rate", ""),
            "tax_amount": tax.get("amount", ""),
            "restock": {True: "1", False: "0"}.get(line.get("restock"), ""),
        }
    for tender in record["tenders"]:
        yield {
            "row_type": "tender",
            "transaction_id": record["transaction_id"],
            "tender_id": tender["tender_id"],
            "tender_type": tender["type"],
            "amount": tender["amount"],
            "processor": tender.get("processor", ""),
            "processor_reference": tender.get("processor_reference", ""),
        }


def _loyal(number):
    """A loyalty-card customer: the same card always carries the same email."""
    return {"id": f"LOYAL-{number}", "email": f"loyal{number}@example.com"}


def _parse(stamp):
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class _Generator:
    def __init__(self, seed, start, days, stores, registers, sales, currency):
        self.rng = random.Random(seed)
        self.start, self.days, self.currency = start, days, currency
        self.stores, self.registers, self.sales = stores, registers, sales
        self.records, self.gaps, self.charge_seq = [], {}, 0

    def run(self):
        for day_index in range(self.days):
            business_date = self.start + timedelta(days=day_index)
            for store in range(1, self.stores + 1):
                for register in range(1, self.registers + 1):
                    self._till_day(business_date, f"S{store}", f"S{store}-R{register}")
        return PosWorld(self.records, self.gaps, self.currency)

    def _line(self, line_id, product, quantity, discount=Decimal(0)):
        sku, barcode, name, price = product
        gross = price * quantity - discount
        line = {
            "line_id": str(line_id),
            "sku": sku,
            "barcode": barcode,
            "name": name,
            "quantity": str(quantity),
            "unit_price": money(price),
            "taxes": [{"code": VAT[0], "rate": str(VAT[1]), "amount": money(included_tax(gross))}],
        }
        if discount:
            line["discount"] = money(discount)
        return line, gross

    def _card(self, tender_id, amount, with_reference=True):
        tender = {
            "tender_id": tender_id,
            "type": "card",
            "amount": money(amount),
            "processor": "stripe",
            "card_brand": self.rng.choice(["visa", "mastercard"]),
        }
        if with_reference:
            self.charge_seq += 1
            tender["processor_reference"] = f"ch_pos{self.charge_seq:06d}"
        return tender

    def _txn(self, ctx, number, kind, lines, tenders, moment, **extra):
        total = sum((Decimal(t["amount"]) for t in tenders), Decimal(0))
        record = {
            "record_type": "transaction",
            "transaction_id": f"{ctx['register']}-{ctx['date'].strftime('%Y%m%d')}-{number:04d}",
            "kind": kind,
            "store_id": ctx["store"],
            "store_name": f"Store {ctx['store']}",
            "register_id": ctx["register"],
            "receipt_number": f"{number:04d}",
            "business_date": ctx["date"].isoformat(),
            "created_at": _iso(moment),
            "currency": self.currency,
            "taxes_included": True,
            "lines": lines,
            "tenders": tenders,
            "total": money(total),
            "total_tax": money(sum(Decimal(t["amount"]) for ln in lines for t in ln["taxes"])),
            **extra,
        }
        self.records.append(record)
        return record

    def _till_day(self, business_date, store, register):
        rng = self.rng
        ctx = {"date": business_date, "store": store, "register": register}
        moment = datetime(
            business_date.year, business_date.month, business_date.day, 9, tzinfo=timezone.utc
        )
        till = []  # transactions of this till and day that count in the Z report
        number = 0
        sales = []
        for __ in range(self.sales):
            number += 1
            moment += timedelta(minutes=rng.randint(3, 40))
            lines, total = [], Decimal(0)
            for line_id in range(1, rng.randint(1, 3) + 1):
                discount = Decimal("1.00") if rng.random() < 0.2 else Decimal(0)
                line, gross = self._line(line_id, rng.choice(CATALOG), rng.randint(1, 2), discount)
                lines.append(line)
                total += gross
            mode = rng.choice(["cash", "card", "card", "split", "gift"])
            if mode == "cash":
                tenders = [{"tender_id": "1", "type": "cash", "amount": money(total)}]
            elif mode == "card":
                tenders = [self._card("1", total)]
            elif mode == "gift":
                tenders = [
                    {"tender_id": "1", "type": "gift_card", "amount": money(total),
                     "gift_card_id": f"GC{rng.randint(1000, 9999)}"}
                ]  # fmt: skip
            else:
                cash = (total / 2).quantize(CENT)
                tenders = [
                    {"tender_id": "1", "type": "cash", "amount": money(cash)},
                    self._card("2", total - cash),
                ]
            customer = _loyal(rng.randint(1, 5)) if rng.random() < 0.25 else None
            extra = {"customer": customer} if customer else {}
            sale = self._txn(ctx, number, "sale", lines, tenders, moment, **extra)
            sales.append(sale)
            till.append(sale)
        # A card payment the terminal sent without processor reference.
        number += 1
        moment += timedelta(minutes=5)
        line, gross = self._line(1, CATALOG[1], 1)
        till.append(self._txn(ctx, number, "sale", [line], [self._card("1", gross, False)], moment))
        # A return with its receipt (refund to the card, or cash when paid cash).
        original = sales[0]
        returned = original["lines"][0]
        number += 1
        moment += timedelta(minutes=7)
        product = next(p for p in CATALOG if p[0] == returned["sku"])
        back, gross = self._line(1, product, -1)
        back["original_line_id"] = returned["line_id"]
        back["restock"] = True
        refund_tender = {"tender_id": "1", "type": "cash", "amount": money(gross)}
        till.append(
            self._txn(
                ctx, number, "return", [back], [refund_tender], moment,
                original_transaction_id=original["transaction_id"],
            )
        )  # fmt: skip
        # A return without receipt: store credit.
        number += 1
        moment += timedelta(minutes=9)
        back, gross = self._line(1, CATALOG[3], -1)
        till.append(
            self._txn(
                ctx, number, "return", [back],
                [{"tender_id": "1", "type": "store_credit", "amount": money(gross)}], moment,
            )
        )  # fmt: skip
        # An exchange: a mug back, a cap out, the difference paid by card.
        number += 1
        moment += timedelta(minutes=4)
        back, back_gross = self._line(1, CATALOG[1], -1)
        out, out_gross = self._line(2, CATALOG[2], 1)
        till.append(
            self._txn(
                ctx, number, "exchange", [back, out],
                [self._card("1", back_gross + out_gross)], moment,
            )
        )  # fmt: skip
        # A sale voided right after: it must leave the day.
        number += 1
        moment += timedelta(minutes=2)
        line, gross = self._line(1, CATALOG[0], 1)
        voided = self._txn(
            ctx, number, "sale", [line],
            [{"tender_id": "1", "type": "cash", "amount": money(gross)}], moment,
        )  # fmt: skip
        number += 1
        moment += timedelta(minutes=1)
        self.records.append(
            {
                "record_type": "transaction",
                "transaction_id": f"{register}-{business_date.strftime('%Y%m%d')}-{number:04d}",
                "kind": "void",
                "store_id": store,
                "register_id": register,
                "business_date": business_date.isoformat(),
                "created_at": _iso(moment),
                "currency": self.currency,
                "original_transaction_id": voided["transaction_id"],
            }
        )
        # The Z report: what the till declares per tender.
        totals, counts = {}, {}
        for txn in till:
            for tender in txn["tenders"]:
                totals[tender["type"]] = totals.get(tender["type"], Decimal(0)) + Decimal(
                    tender["amount"]
                )
                counts[tender["type"]] = counts.get(tender["type"], 0) + 1
        if store == "S1" and register == "S1-R1" and business_date == self.start:
            # This till counted its cash 5.00 short.
            totals["cash"] = totals.get("cash", Decimal(0)) - Decimal("5.00")
            self.gaps[(register, business_date.isoformat(), "cash")] = Decimal("-5.00")
        moment += timedelta(hours=1)
        self.records.append(
            {
                "record_type": "z_report",
                "z_id": f"Z-{register}-{business_date.strftime('%Y%m%d')}",
                "store_id": store,
                "store_name": f"Store {store}",
                "register_id": register,
                "business_date": business_date.isoformat(),
                "closed_at": _iso(moment),
                "currency": self.currency,
                "transaction_count": len(till),
                "tenders": [
                    {"type": tender, "amount": money(amount), "count": counts[tender]}
                    for tender, amount in sorted(totals.items())
                ],
                "total": money(sum(totals.values(), Decimal(0))),
            }
        )


def generate_store_days(
    seed=7, start=date(2026, 11, 2), days=1, stores=1, registers=2, sales=4, currency="USD"
):
    """A deterministic world: the same arguments give the same records, byte for byte."""
    return _Generator(seed, start, days, stores, registers, sales, currency).run()


def sign(body, secret):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send_webhook(url, document, secret, signature=None, timeout=20):
    """POST a contract document signed as the till does (``signature`` overrides it)."""
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature if signature is not None else sign(body, secret),
    }
    return requests.post(url, data=body, headers=headers, timeout=timeout)


class _Handler(JsonHandler):
    server_version = "pos-sandbox"

    def do_GET(self):
        sandbox = self.sandbox
        split = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        sandbox.requests.append((split.path, query))
        fault = sandbox._take_fault(split.path)
        if fault is not None:
            if self.transport_fault(fault):
                return
            if fault.kind == "429":
                self.send_json(
                    429, {"error": "rate limited"}, {"Retry-After": str(fault.retry_after)}
                )
                return
            if fault.kind == "500":
                self.send_json(500, {"error": "till server error"})
                return
        if self.headers.get("Authorization") != f"Bearer {sandbox.api_key}":
            self.send_json(401, {"error": "invalid API key"})
            return
        if split.path == "/v1/health":
            self.send_json(200, {"status": "ok", "contract_version": "1"})
        elif split.path == "/v1/records":
            self._records(query)
        else:
            self.send_json(404, {"error": f"no route {split.path}"})

    def _records(self, query):
        world = self.sandbox.world
        try:
            limit = min(int(query.get("limit", "100")), 500)
            offset = int(query.get("cursor", "0"))
            since = _parse(query["since"]) if query.get("since") else None
        except ValueError:
            self.send_json(400, {"error": "bad query"})
            return
        if limit < 1 or offset < 0:
            self.send_json(400, {"error": "bad query"})
            return
        records = world.since(since)
        page = records[offset : offset + limit]
        more = offset + limit < len(records)
        self.send_json(200, world.batch(page, str(offset + limit) if more else None))


class PosSandbox(Sandbox):
    """Serve a :class:`PosWorld` on 127.0.0.1. ``requests``: (path, query) received."""

    handler_class = _Handler
    name = "pos-sandbox"
    fault_kinds = FAULT_KINDS

    def __init__(self, world, api_key="pos_key_omni"):
        super().__init__()
        self.world = world
        self.api_key = api_key

    def add_fault(self, kind, path_prefix="/v1/", times=1, retry_after=1, after=0):
        return super().add_fault(
            kind, times=times, retry_after=retry_after, path_prefix=path_prefix, after=after
        )
