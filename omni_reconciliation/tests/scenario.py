"""An independent reconciliation scenario, built only the way a user's data arrives.

The channel's facts are signed webhooks of the test channel (orders and their versions,
refunds, payments, payouts, inventory), posted over HTTP in a shuffled order and processed as
the queue would (retries included); Odoo's side is what users do with Odoo's own wizards
(invoicing, consolidated billing included, returns, credit notes, a quotation deleted, a
delivery validated in part) and bank statement lines. Every document carries the channel's
dates. Each injected gap is recorded as it is made (``expect``): its exception type, the
record the exception is about, its amount in the company currency; ``late=True`` when it is a
gap only once its SLA has passed (a fact of yesterday). Everything else must raise nothing.
"""

import json
import random
from datetime import timedelta
from decimal import Decimal

from odoo import Command, fields

CENT = Decimal("0.01")
SECRET = "whsec-recon-scenario-42"


def dec(value):
    return Decimal(str(value)).quantize(CENT)


def iso(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


# The record an exception is about, by the kind its key names (``<type>:<kind>:<id>``).
KEY_MODELS = {
    "order": "omni.order",
    "omni_order": "omni.order",
    "imported_twice": "omni.order",
    "sale_order": "sale.order",
    "payment": "omni.payment",
    "payout": "omni.payout",
    "line": "account.bank.statement.line",
    "event": "omni.event",
    "level": "omni.stock.level",
    "tender": "omni.store.day.tender",
}


class Scenario:
    """Builds the scenario in ``case`` (an HttpCase of the test channel) and records what it
    injected. Amounts are Decimal strings; the shop currency is the company's, except for the
    orders of ``foreign`` (another currency, with the processor's own conversion rate)."""

    def __init__(self, case, backend, twin_backend, foreign, location, seed=12):
        self.case = case
        self.env = case.env
        self.backend = backend
        self.twin_backend = twin_backend  # a second connection to the same shop
        self.foreign = foreign
        self.location = location
        self.company_currency = backend.company_id.currency_id
        self.now = fields.Datetime.now().replace(microsecond=0)
        self.random = random.Random(seed)
        self.expected = []  # (type, model, reference, amount, late)
        self.deliveries = []  # (backend, payload) of the current phase
        self._seq = 0
        self.bodies = {}  # the last version of each order sent
        self.fixes = []  # (type, model, reference, action) of gaps a user fixes

    # ------------------------------------------------------------------ recording
    def expect(self, etype, model, ref, amount, late=False):
        """``ref``: the record's channel reference, resolved once the data is in."""
        self.expected.append((etype, model, ref, dec(amount), late))

    def next(self, prefix):
        """A new reference; fixed width, so that no reference is part of another."""
        self._seq += 1
        return f"{prefix}{self._seq:04d}"

    def ago(self, days, hours=0):
        return self.now - timedelta(days=days, hours=hours)

    # ------------------------------------------------------------------ channel facts
    def send(self, payload, backend=None):
        self.deliveries.append((backend or self.backend, payload))

    def order(
        self,
        days_ago,
        lines,
        shipping="5.00",
        paid=True,
        fulfilled=True,
        payments=None,
        currency=None,
        customer=None,
        ref=None,
        backend=None,
        versions=True,
        total=None,
        presented=None,
    ):
        """A channel order: ``lines`` are (sku, quantity, unit price); its charge by the
        channel (its own record, no money moved yet) unless ``payments`` says otherwise
        (a list of (amount, options) or []). With ``versions``, the order first came as a
        pending order then in its final state, both delivered (in any order). ``presented``:
        (currency, total) the customer saw."""
        ref = ref or self.next("SO-")
        currency = currency or self.company_currency.name
        placed = self.ago(days_ago)
        total = dec(
            total
            if total is not None
            else sum(Decimal(qty) * Decimal(price) for __, qty, price in lines)
            + Decimal(shipping or 0)
        )
        if payments is None:
            payments = [(total, {})] if paid else []
        body = {
            "id": ref,
            "name": f"#{ref}",
            "currency": currency,
            "created_at": iso(placed),
            "updated_at": iso(placed + timedelta(hours=2)),
            "taxes_included": False,
            "financial_status": "paid" if paid else "pending",
            "fulfillment_status": "fulfilled" if fulfilled else "",
            "customer": customer
            or {"id": f"C-{ref}", "email": f"{ref.lower()}@example.com", "name": f"Buyer {ref}"},
            "lines": [
                {"id": f"{ref}-L{index}", "sku": sku, "name": sku, "quantity": qty, "price": price}
                for index, (sku, qty, price) in enumerate(lines, start=1)
            ],
            "shipping": [{"id": f"{ref}-S", "title": "Standard", "price": shipping}]
            if shipping
            else [],
            "total": str(total),
            "payments": [
                dict(
                    {
                        "id": f"T-{ref}-{index}",
                        "type": "charge",
                        "amount": str(dec(total if amount is None else amount)),
                        "currency": currency,
                        "created_at": iso(placed + timedelta(minutes=1)),
                    },
                    **options,
                )
                for index, (amount, options) in enumerate(payments, start=1)
            ],
        }
        if presented:
            body["presentment_currency"], body["presentment_total"] = presented
        backend = backend or self.backend
        self.last_order = ref
        self.bodies[ref] = body
        self.send({"id": self.next("evt-"), "topic": "order", "order": body}, backend)
        if versions:  # the order as first placed: pending, unfulfilled, no payment yet
            first = dict(
                body,
                updated_at=iso(placed),
                financial_status="pending",
                fulfillment_status="",
                payments=[],
            )
            self.send({"id": self.next("evt-"), "topic": "order", "order": first}, backend)
        return ref, total

    def payment(self, amount, order_ref="", ptype="charge", currency=None, backend=None, **vals):
        """A movement reported by the processor on its own (a webhook of its own)."""
        ref = vals.pop("id", None) or self.next("ch_")
        body = {
            "id": ref,
            "type": ptype,
            "amount": str(dec(amount)),
            "currency": currency or self.company_currency.name,
            "order_id": order_ref,
            **vals,
        }
        self.send({"id": self.next("evt-"), "topic": "payment", "payment": body}, backend)
        return ref

    def payout(
        self, movements, arrival_days_ago, amount=None, fee="0", backend=None, status="paid"
    ):
        """A payout of processor movements (dicts as ``payment`` takes them); its amount is
        the net of its movements unless told."""
        ref = self.next("po_")
        net = sum(
            Decimal(m["net"]) if "net" in m else Decimal(m["amount"]) - Decimal(m.get("fee", "0"))
            for m in movements
        )
        body = {
            "id": ref,
            "amount": str(dec(net if amount is None else amount)),
            "currency": self.company_currency.name,
            "status": status,
            "created_at": iso(self.ago(arrival_days_ago + 1)),
            "arrival_date": iso(self.ago(arrival_days_ago)),
            "fee": fee,
            "trace": f"TRC-{ref}",
            "payments": movements,
        }
        self.send({"id": self.next("evt-"), "topic": "payout", "payout": body}, backend)
        return ref, dec(body["amount"])

    def movement(self, order_ref, channel_charge, amount, fee, days_ago, **vals):
        """The processor's record of a charge the channel recorded (``channel_charge``)."""
        return {
            "id": vals.pop("id", None) or self.next("ch_"),
            "type": "charge",
            "amount": str(dec(amount)),
            "fee": str(dec(fee)),
            "currency": self.company_currency.name,
            "order_id": order_ref,
            "processor": "omnipay",
            "processor_reference": channel_charge,
            "created_at": iso(self.ago(days_ago)),
            "available_on": iso(self.ago(days_ago - 1)),
            **vals,
        }

    def send_movement(self, movement):
        """A processor movement on its own webhook (no payout yet)."""
        self.last_movement = movement["id"]
        self.send({"id": self.next("evt-"), "topic": "payment", "payment": movement})

    def cancel(self, order_ref, days_ago):
        """The order cancelled at the channel and refunded in full (a new version of it)."""
        body = self.bodies[order_ref]
        when = iso(self.ago(days_ago))
        refund = {
            "id": f"RF-{order_ref}",
            "amount": body["total"],
            "shipping": body["shipping"][0]["price"] if body["shipping"] else "0",
            "created_at": when,
            "lines": [
                {"line_id": line["id"], "quantity": line["quantity"]} for line in body["lines"]
            ],
        }
        back = {
            "id": f"T-RF-{order_ref}",
            "type": "refund",
            "amount": f"-{body['total']}",
            "currency": body["currency"],
            "created_at": when,
        }
        cancelled = dict(
            body,
            updated_at=when,
            cancelled_at=when,
            financial_status="refunded",
            refunds=[refund],
            payments=[*body["payments"], back],
        )
        self.send({"id": self.next("evt-"), "topic": "order", "order": cancelled})

    def channel_return(self, order_ref, lines, days_ago):
        """A return the channel closed, its goods processed: ``lines`` (line index, qty)."""
        ref = self.next("RET-")
        body = {
            "id": ref,
            "order_id": order_ref,
            "status": "CLOSED",
            "created_at": iso(self.ago(days_ago + 1)),
            "closed_at": iso(self.ago(days_ago)),
            "lines": [
                {
                    "id": f"{ref}-{index}",
                    "line_id": f"{order_ref}-L{index}",
                    "quantity": qty,
                    "processed": qty,
                }
                for index, qty in lines
            ],
        }
        self.send({"id": self.next("evt-"), "topic": "return", "return": body})
        return ref

    def refund(
        self,
        order_ref,
        amount,
        days_ago,
        lines=(),
        shipping="0",
        restock=False,
        ref=None,
        return_id="",
    ):
        """A refund the channel made (of a return: ``return_id``), and its money movement."""
        ref = ref or self.next("RF-")
        body = {
            "id": ref,
            "order_id": order_ref,
            "return_id": return_id,
            "amount": str(dec(amount)),
            "shipping": shipping,
            "created_at": iso(self.ago(days_ago)),
            "lines": [
                {"line_id": f"{order_ref}-L{index}", "quantity": qty, "restock": restock}
                for index, qty in lines
            ],
        }
        self.send({"id": self.next("evt-"), "topic": "refund", "refund": body})
        self.payment(
            -Decimal(amount),
            order_ref,
            ptype="refund",
            id=f"T-{ref}",
            created_at=iso(self.ago(days_ago)),
        )
        return ref

    def inventory(self, levels, hours_ago=1):
        body = {
            "id": self.next("inv-"),
            "location_id": self.location.external_id,
            "updated_at": iso(self.ago(0, hours_ago)),
            "levels": [{"sku": sku, "available": str(qty)} for sku, qty in levels],
        }
        self.send({"id": body["id"], "topic": "inventory", "inventory": body})

    def z_report(self, pos_backend, days_ago, tenders):
        """A till's Z report through the POS contract: {tender: declared amount}."""
        ref = self.next("Z-")
        record = {
            "record_type": "z_report",
            "z_id": ref,
            "store_id": "ST-1",
            "store_name": "High street",
            "register_id": "REG-1",
            "business_date": self.ago(days_ago).date().isoformat(),
            "currency": self.company_currency.name,
            "tenders": [{"type": tender, "amount": amount} for tender, amount in tenders.items()],
        }
        self.deliveries.append((pos_backend, record))
        return ref

    # ------------------------------------------------------------------ delivery
    def deliver_all(self):
        """Post the phase's webhooks, signed, in a shuffled order (some delivered twice, as
        channels retry), then process them as the queue does: every event once, then the
        retries of the failed ones until nothing changes (what waited for its order finds
        it)."""
        deliveries, self.deliveries = self.deliveries, []
        deliveries += self.random.sample(deliveries, len(deliveries) // 10)
        self.random.shuffle(deliveries)
        Event = self.env["omni.event"]
        for backend, payload in deliveries:
            body = json.dumps(payload).encode()
            header = "X-Pos-Signature" if backend.channel == "pos" else "X-Omni-Test-Hmac"
            response = self.case.url_open(
                f"/omni/webhook/{backend.channel}/{backend.id}",
                data=body,
                headers={"Content-Type": "application/json", header: self.case.sign(body)},
                timeout=30,
            )
            self.case.assertEqual(response.status_code, 200, response.text)
        pending = Event.search([("state", "in", ("received", "failed"))], order="id")
        while pending:
            for event in pending:  # one job each: the queue runs them one by one
                event._process_job()
            still = Event.search([("state", "in", ("received", "failed"))], order="id")
            if still == pending and all(e.error_class == "mapping" for e in still):
                # only what is waiting for a record that will never come: retried until dead
                for event in still:
                    while event.state == "failed":
                        event._process_job()
                break
            pending = still

    def sale_order(self, ref, backend=None):
        return self.env["omni.order"]._find(backend or self.backend, ref).sale_order_id

    # ------------------------------------------------------------------ Odoo's users
    def invoice(self, *refs, edit=None, backend=None):
        """Invoice the sale orders of ``refs`` with Odoo's wizard (one invoice for them all:
        consolidated billing); ``edit(invoice)`` changes the draft before it is posted."""
        orders = self.env["sale.order"].concat(*(self.sale_order(ref, backend) for ref in refs))
        self.case.assertEqual(len(orders), len(refs), f"sale orders of {refs}")
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=orders.ids)
            .create({"advance_payment_method": "delivered"})
        )
        wizard.create_invoices()
        invoice = orders.invoice_ids.filtered(lambda m: m.state == "draft")
        self.case.assertEqual(len(invoice), 1, "one invoice for the orders")
        invoice.invoice_date = max(orders.mapped("date_order")).date()
        if edit:
            edit(invoice)
        invoice.action_post()
        return invoice

    def invoice_on(self, backend, ref):
        return self.invoice(ref, backend=backend)

    def reprice(self, invoice, sku, price, ref=None):
        """A user changing a line's price on the draft invoice (of order ``ref`` only)."""
        line = invoice.invoice_line_ids.filtered(
            lambda li: (
                li.product_id.default_code == sku
                and (not ref or li.sale_line_ids.order_id == self.sale_order(ref))
            )
        )
        self.case.assertEqual(len(line), 1)
        line.price_unit = price

    def return_goods(self, ref, quantities, days_ago=1):
        """Receive goods back with Odoo's return wizard: {sku: quantity}."""
        so = self.sale_order(ref)
        picking = so.picking_ids.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing"
        )[:1]
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=picking.id, active_model="stock.picking")
            .create({})
        )
        for line in wizard.product_return_moves:
            line.quantity = quantities.get(line.product_id.default_code, 0)
        wizard.product_return_moves.filtered(lambda r: not r.quantity).unlink()
        back = self.env["stock.picking"].browse(wizard.create_returns()["res_id"])
        for move in back.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        back.button_validate()
        back.date_done = self.ago(days_ago)
        return back

    def credit_note(self, ref, days_ago=1):
        """A full credit note of the order's invoice (of every order it bills) with Odoo's
        reversal wizard."""
        invoice = self.sale_order(ref).invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        )
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "date": self.ago(days_ago).date(),
                    "reason": "Goods returned",
                    "journal_id": invoice.journal_id.id,
                }
            )
        )
        wizard.refund_moves()
        note = invoice.reversal_move_id
        note.action_post()
        return note

    def deliver_part(self, ref, quantities):
        """Validate the delivery of part of the goods, the rest in a backorder."""
        so = self.sale_order(ref)
        picking = so.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = quantities.get(move.product_id.default_code, 0)
            move.picked = True
        picking._action_done()

    def bank_line(self, journal, amount, label, days_ago):
        return self.env["account.bank.statement.line"].create(
            {
                "journal_id": journal.id,
                "amount": float(amount),
                "payment_ref": label,
                "date": self.ago(days_ago).date(),
            }
        )

    # ------------------------------------------------------------------ fixing gaps
    def fixable(self, etype, model, ref, action):
        """A gap a user will fix (``action``) once it is reported."""
        self.fixes.append((etype, model, ref, action))

    def apply_fixes(self):
        """Fix the gaps: they are gaps no more. Returns the (type, model, id) fixed."""
        fixed = []
        for etype, model, ref, action in self.fixes:
            action()
            fixed.append((etype, model, self.resolve(model, ref).id))
            self.expected = [e for e in self.expected if (e[0], e[1], e[2]) != (etype, model, ref)]
        return fixed

    # ------------------------------------------------------------------ what the run found
    def resolve(self, model, ref):
        env = self.env
        if model == "omni.order":
            if isinstance(ref, tuple):  # ("later", ref): the later import of an order
                orders = env["omni.order"].search([("external_id", "=", ref[1])], order="id")
                self.case.assertEqual(len(orders), 2, f"{ref[1]} imported twice")
                return orders[-1]
            return env["omni.order"]._find(self.backend, ref)
        if model == "omni.payment":
            return env["omni.payment"].search([("external_id", "=", ref)])
        if model == "omni.payout":
            return env["omni.payout"].search([("external_id", "=", ref)])
        if model == "account.bank.statement.line":
            return env["account.bank.statement.line"].search([("payment_ref", "=", ref)])
        if model == "omni.event":
            return env["omni.event"].search(
                [("external_id", "=", ref), ("state", "in", ("failed", "dead"))]
            )
        if model == "omni.store.day.tender":  # (business date, tender)
            return env["omni.store.day.tender"].search(
                [("store_day_id.business_date", "=", ref[0]), ("tender", "=", ref[1])]
            )
        if model == "omni.stock.level":
            product = env["product.product"].search([("default_code", "=", ref)])
            return env["omni.stock.level"].search(
                [("location_id", "=", self.location.id), ("product_id", "=", product.id)]
            )
        raise ValueError(model)

    def expected_set(self, late):
        """{(type, model, id, amount, currency)} expected, ``late``: after every SLA."""
        currency = self.company_currency.name
        result = set()
        for etype, model, ref, amount, is_late in self.expected:
            if is_late and not late:
                continue
            record = self.resolve(model, ref)
            self.case.assertEqual(len(record), 1, f"{etype}: {model} {ref} resolves to one record")
            result.add((etype, model, record.id, amount, currency))
        return result

    def found_set(self, company, state="open"):
        result = set()
        for exc in self.env["omni.recon.exception"].search(
            [("company_id", "=", company.id), ("state", "=", state)]
        ):
            __, kind, res_id = exc.key.rsplit(":", 2)
            result.add(
                (
                    exc.exception_type,
                    KEY_MODELS[kind],
                    int(res_id),
                    dec(exc.amount),
                    exc.currency_id.name,
                )
            )
        return result


def consumer(env, code, name, price, cost=0.0, qty=0.0, policy="order"):
    """A stocked product of the catalog, invoiced on ordered quantities (``policy``
    "delivery": on delivered ones)."""
    product = env["product.product"].create(
        {
            "name": name,
            "default_code": code,
            "detailed_type": "product",
            "invoice_policy": policy,
            "list_price": price,
            "standard_price": cost,
            "taxes_id": [Command.clear()],
        }
    )
    if qty:
        warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
        env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, qty)
    return product
