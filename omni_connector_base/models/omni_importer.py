"""The one importer shared by every channel: canonical objects -> Odoo documents.

Parsers never write Odoo documents; they produce ``tools.canonical`` objects and call this
model. Everything here runs inside the caller's savepoint (one per event, or one per batch
of events), so a mapping or currency error leaves nothing half-written.

Batch mode (``omni.event`` jobs, see ``_batch_context``): new orders get their ``omni.order``
at once (the event links to it), but their sale orders are created with one ``create``,
confirmed with one ``action_confirm`` and their refunds booked with one ``action_post`` when
the batch is flushed, which is where the time of an import goes. Anything that needs one of
those sale orders earlier (an update or a refund of the same order) flushes first, so the
result is the same as importing the events one by one.
"""

import hashlib
import logging
import re
from collections import defaultdict
from datetime import timezone

from odoo import _, api, fields, models
from odoo.tools import float_compare, float_is_zero

from odoo.addons.queue_job.exception import RetryableJobError

from ..tools.errors import CurrencyError, MappingError, PayloadError
from .omni_return import RETURN_STATES

_logger = logging.getLogger(__name__)

_ACTION_RANK = {"none": 0, "confirm": 1, "lock": 2, "deliver": 3, "cancel": 4}
BATCH_CONTEXT_KEY = "omni_import_batch"


class ImportBatch:
    """Work deferred to the end of a batch of events (see the module docstring)."""

    def __init__(self):
        self.pending = []  # dicts of new orders whose sale order is not created yet
        self.pending_order_ids = set()
        # Lookups the batch's events repeat: currencies by code and the records found through
        # external ids (bindings are only added during a batch; a failed one is dropped whole).
        self.currencies = {}
        self.bound = {}
        # (backend, movements, omni.order) of orders, imported together at the flush
        self.payments = []


def normalize_email(email):
    return (email or "").strip().lower()


def normalize_phone(phone):
    """Digits only, international prefix 00 folded into +: '+33 6-12' == '0033612'."""
    digits = re.sub(r"\D", "", phone or "")
    if (phone or "").strip().startswith("00"):
        digits = digits[2:]
    return digits


def _naive(value):
    """Odoo stores naive UTC datetimes; channel ones may carry any offset."""
    if not value:
        return False
    if value.tzinfo:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def canonical_digest(obj):
    # Frozen dataclasses of str/Decimal/datetime/tuples have a stable repr.
    return hashlib.sha256(repr(obj).encode()).hexdigest()


class OmniImporter(models.AbstractModel):
    _name = "omni.importer"
    _description = "Omnichannel Importer (canonical -> Odoo)"

    # ------------------------------------------------------------------------------------
    # Orders
    # ------------------------------------------------------------------------------------

    @api.model
    def import_order(self, backend, order):
        """Create or update the sale order of a canonical order; returns the links to put on
        the event. Idempotent: importing the same order again changes nothing; an order older
        than the stored one is refused as stale."""
        self._lock(backend, "order", order.external_id)
        omni_order = self.env["omni.order"].search(
            [("backend_id", "=", backend.id), ("external_id", "=", order.external_id)]
        )
        links = {"omni_order_id": omni_order.id}
        if (
            omni_order.channel_updated_at
            and _naive(order.updated_at) < omni_order.channel_updated_at
        ):
            links["result_note"] = _(
                "Stale: the channel sent version %(old)s, version %(new)s is already stored.",
                old=order.updated_at,
                new=omni_order.channel_updated_at,
            )
            return links
        digest = canonical_digest(order)
        if omni_order and omni_order.content_digest == digest:
            links["result_note"] = _("Unchanged: this version is already applied.")
            return links

        batch = self._batch()
        if batch and omni_order.id in batch.pending_order_ids:
            self._flush_batch()  # a newer version of an order of this batch: make it first
        currency = self._currency(order.currency)
        if not omni_order and batch:
            omni_order = self._defer_order(batch, backend, order, currency, digest)
            return {"omni_order_id": omni_order.id}
        if not omni_order:
            omni_order = self._create_order(backend, order, currency)
        else:
            self._update_order(backend, omni_order, order)
        omni_order.content_digest = digest
        self._apply_status(backend, omni_order, order)
        for refund in order.refunds:
            self.import_refund(backend, refund, omni_order=omni_order)
        for ret in order.returns:  # after the refunds: goods follow returns, money refunds
            self.import_return(backend, ret, omni_order=omni_order)
        if order.payments:
            self.import_payments(backend, order.payments)
        return {"omni_order_id": omni_order.id}

    def _create_order(self, backend, order, currency):
        partner, sale_vals, line_index, omni_lines = self._sale_order_plan(backend, order, currency)
        sale_order = self.env["sale.order"].with_company(backend.company_id).create(sale_vals)
        self._check_currency(sale_order, currency)
        self._link_sale_lines(sale_order, line_index, omni_lines)
        omni_order = self.env["omni.order"].create(
            {
                **self._omni_order_vals(backend, order, currency),
                "external_id": order.external_id,
                "partner_id": partner.id,
                "sale_order_id": sale_order.id,
                "line_ids": [fields.Command.create(vals) for vals in omni_lines],
            }
        )
        binding = self.env["omni.external.id"]
        binding._bind(backend, "order", order.external_id, sale_order)
        return omni_order

    def _sale_order_plan(self, backend, order, currency):
        """Match the customer and products, map the taxes: (partner, sale order values, for
        each sale line the index of its omni line or None, omni line values)."""
        partner = self._match_partner(backend, order.customer)
        products = self._match_products(backend, order.lines)
        pricelist = self._pricelist(backend, currency)
        order_lines, omni_lines = [], []  # order_lines: (vals, index in omni_lines or None)
        for line in order.lines:
            line_vals, discount_line, omni_line = self._line_plan(
                backend, line, products[line], currency, order.taxes_included
            )
            order_lines.append((line_vals, len(omni_lines)))
            omni_lines.append(omni_line)
            if discount_line:
                order_lines.append((discount_line, None))
        shipping_partner = self._shipping_partner(partner, order.customer)
        location = self.env["omni.location"]._find(backend, order.location_external_id)
        warehouse = location and location._effective_warehouse() or backend.warehouse_id
        sale_vals = {
            "partner_id": partner.id,
            "partner_shipping_id": shipping_partner.id,
            "company_id": backend.company_id.id,
            "pricelist_id": pricelist.id,
            "warehouse_id": warehouse.id or False,
            "analytic_account_id": (
                location.analytic_account_id or location.parent_id.analytic_account_id
            ).id
            or False,
            "team_id": backend.team_id.id or False,
            "client_order_ref": order.name,
            "origin": f"{backend.channel} {order.name}",
            "date_order": _naive(order.created_at) or fields.Datetime.now(),
            "omni_backend_id": backend.id,
            "omni_external_ref": order.external_id,
            "note": order.note or False,
            "order_line": [fields.Command.create(vals) for vals, __ in order_lines],
        }
        return partner, sale_vals, [index for __, index in order_lines], omni_lines

    def _line_plan(self, backend, line, product, currency, taxes_included):
        """One channel line: (sale line values, values of its separate discount line or None,
        omni.order.line values); its taxes mapped, its discount applied."""
        taxes = self._map_taxes(backend, line, taxes_included)
        line_vals = {
            "product_id": product.id,
            "name": line.name or product.display_name,
            "product_uom_qty": float(line.quantity),
            "price_unit": float(line.price_unit),
            "tax_id": [fields.Command.set(taxes.ids)],
        }
        discount_line = self._apply_discount(backend, line, line_vals, currency, taxes)
        omni_line = {
            "external_id": line.external_id,
            "name": line.name,
            "line_type": line.line_type,
            "sku": line.sku,
            "product_id": product.id,
            "quantity": float(line.quantity),
            "price_unit": float(line.price_unit),
            "discount_amount": float(line.discount_amount),
            "tax_amount": float(sum(t.amount for t in line.taxes)),
        }
        return line_vals, discount_line, omni_line

    def _link_sale_lines(self, sale_order, line_index, omni_lines):
        # Sale lines come back in creation order (sequence, id).
        for index, sale_line in zip(line_index, sale_order.order_line, strict=True):
            if index is not None:
                omni_lines[index]["sale_line_id"] = sale_line.id

    # ------------------------------------------------------------------------------------
    # Batch mode
    # ------------------------------------------------------------------------------------

    @api.model
    def _batch_context(self):
        """Context keys of a batch import: add them to the records the channel processes,
        then call ``_flush_batch`` with them before the batch's savepoint is released."""
        return {BATCH_CONTEXT_KEY: ImportBatch()}

    def _batch(self):
        return self.env.context.get(BATCH_CONTEXT_KEY)

    def _defer_order(self, batch, backend, order, currency, digest):
        """Batch mode: everything of a new order that the event needs now (matching, mapping,
        status map; its omni.order), the sale order itself at the flush."""
        partner, sale_vals, line_index, omni_lines = self._sale_order_plan(backend, order, currency)
        financial, fulfillment, action = self._status_of(backend, order)
        omni_order = self.env["omni.order"].create(
            {
                **self._omni_order_vals(backend, order, currency),
                "external_id": order.external_id,
                "partner_id": partner.id,
                "content_digest": digest,
                "financial_state": financial,
                "fulfillment_state": fulfillment,
            }
        )
        batch.pending.append(
            {
                "backend": backend,
                "order": order,
                "currency": currency,
                "omni_order": omni_order,
                "sale_vals": sale_vals,
                "line_index": line_index,
                "omni_lines": omni_lines,
                "action": action,
            }
        )
        batch.pending_order_ids.add(omni_order.id)
        return omni_order

    @api.model
    def _flush_batch(self):
        """Create, confirm and complete the sale orders deferred by the batch, in one go."""
        batch = self._batch()
        if not batch:
            return
        if not batch.pending:
            self._flush_payments()
            return
        pending, batch.pending = batch.pending, []
        batch.pending_order_ids = set()
        SaleOrder = self.env["sale.order"]
        for company in self._companies(pending):
            items = [p for p in pending if p["backend"].company_id == company]
            created = SaleOrder.with_company(company).create([p["sale_vals"] for p in items])
            for item, sale_order in zip(items, created, strict=True):
                item["sale_order"] = sale_order
        line_vals = []
        for item in pending:
            sale_order = item["sale_order"]
            self._check_currency(sale_order, item["currency"])
            self._link_sale_lines(sale_order, item["line_index"], item["omni_lines"])
            line_vals += [
                {**vals, "order_id": item["omni_order"].id} for vals in item["omni_lines"]
            ]
            item["omni_order"].sale_order_id = sale_order
        self.env["omni.order.line"].create(line_vals)
        self._bind_many(
            "order", [(p["backend"], p["order"].external_id, p["sale_order"]) for p in pending]
        )
        self._run_actions([(p["sale_order"], p["action"]) for p in pending])
        plans = []
        for item in pending:
            for refund in item["order"].refunds:
                plan = self._refund_plan(item["backend"], refund, item["omni_order"])
                if plan:
                    plans.append(plan)
        self._book_refunds(plans)
        for item in pending:
            for ret in item["order"].returns:
                self.import_return(item["backend"], ret, omni_order=item["omni_order"])
        batch.payments += [
            (item["backend"], item["order"].payments, None)
            for item in pending
            if item["order"].payments
        ]
        self._flush_payments()

    def _companies(self, items):
        """The companies of the backends of batch items, in order of first appearance."""
        companies = self.env["res.company"]
        for item in items:
            companies |= item["backend"].company_id
        return companies

    def _bind_many(self, kind, items):
        """``omni.external.id._bind`` for many (backend, external id, record), in two queries."""
        items = [item for item in items if item[1]]
        if not items:
            return
        Binding = self.env["omni.external.id"]
        existing = {
            (b.backend_id.id, b.external_id): b
            for b in Binding.search(
                [
                    ("backend_id", "in", list({backend.id for backend, __, __ in items})),
                    ("kind", "=", kind),
                    ("external_id", "in", list({ext for __, ext, __ in items})),
                ]
            )
        }
        create_vals = []
        for backend, external_id, record in items:
            vals = {"res_model": record._name, "res_id": record.id}
            binding = existing.get((backend.id, external_id))
            if binding:
                binding.write(vals)
            else:
                create_vals.append(
                    {"backend_id": backend.id, "kind": kind, "external_id": external_id, **vals}
                )
        Binding.create(create_vals)

    def _update_order(self, backend, omni_order, order):
        omni_order.write(self._omni_order_vals(backend, order, omni_order.currency_id))

    def _omni_order_vals(self, backend, order, currency):
        presentment = (
            self._currency(order.presentment_currency) if order.presentment_currency else currency
        )
        return {
            "backend_id": backend.id,
            "name": order.name,
            "currency_id": currency.id,
            "presentment_currency_id": presentment.id,
            "amount_total": float(order.amount_total),
            "amount_tax": float(order.amount_tax),
            "amount_discount": float(order.amount_discount),
            "amount_total_presentment": float(
                order.amount_total
                if order.amount_total_presentment is None
                else order.amount_total_presentment
            ),
            "taxes_included": order.taxes_included,
            "financial_status": order.financial_status,
            "fulfillment_status": order.fulfillment_status,
            "cancelled_at": _naive(order.cancelled_at),
            "cancel_reason": order.cancel_reason,
            "channel_created_at": _naive(order.created_at),
            "channel_updated_at": _naive(order.updated_at),
            "location_external_id": order.location_external_id,
        }

    def _apply_discount(self, backend, line, line_vals, currency, taxes):
        """A line discount as Odoo's percentage when that is exact to the cent, otherwise as
        a separate negative line with the same taxes (so totals stay exact)."""
        if not line.discount_amount:
            return None
        gross = line.quantity * line.price_unit
        if gross:
            pct = round(line.discount_amount / gross * 100, 2)
            net = float(gross) * (1 - float(pct) / 100)
            if (
                float_compare(
                    net, float(gross - line.discount_amount), precision_rounding=currency.rounding
                )
                == 0
            ):
                line_vals["discount"] = float(pct)
                return None
        if not backend.discount_product_id:
            raise MappingError(_("Backend %s has no discount product.", backend.name), "product")
        return {
            "product_id": backend.discount_product_id.id,
            "name": _("Discount on %s", line.name),
            "product_uom_qty": 1.0,
            "price_unit": -float(line.discount_amount),
            "tax_id": [fields.Command.set(taxes.ids)],
        }

    # ------------------------------------------------------------------------------------
    # Status map actions
    # ------------------------------------------------------------------------------------

    def _apply_status(self, backend, omni_order, order):
        financial, fulfillment, action = self._status_of(backend, order)
        omni_order.write({"financial_state": financial, "fulfillment_state": fulfillment})
        self._run_action(omni_order.sale_order_id, action)

    def _status_of(self, backend, order):
        """(canonical financial state, canonical fulfilment state, Odoo action) of an order
        through the backend's status map; an unmapped channel state is a MappingError."""
        status_map = self.env["omni.status.map"]
        rows = status_map.browse()
        for kind, state in (
            ("financial", order.financial_status),
            ("fulfillment", order.fulfillment_status),
            ("cancel", "cancelled" if order.cancelled_at else ""),
        ):
            if not state:
                continue
            row = status_map._resolve(backend, kind, state)
            if not row:
                raise MappingError(
                    _(
                        "The %(kind)s status %(state)r of %(channel)s has no status mapping; add "
                        "it to the backend's status map.",
                        kind=kind,
                        state=state,
                        channel=backend.channel,
                    ),
                    "status",
                    state,
                )
            rows |= row
        financial = rows.filtered(lambda r: r.kind == "financial")[:1]
        fulfillment = rows.filtered(lambda r: r.kind == "fulfillment")[:1]
        action = max(rows.mapped("action") or ["none"], key=_ACTION_RANK.__getitem__)
        return financial.canonical_state or False, fulfillment.canonical_state or False, action

    def _run_action(self, sale_order, action):
        self._run_actions([(sale_order, action)])

    def _run_actions(self, pairs):
        """Status-map actions on (sale order, action) pairs: the confirmations in one
        ``action_confirm`` (their procurements run together), the deliveries in one
        validation."""
        SaleOrder = self.env["sale.order"]
        pairs = [(so, action) for so, action in pairs if so and action != "none"]
        for sale_order, action in pairs:
            if action == "cancel" and sale_order.state != "cancel":
                sale_order._action_cancel()
        pairs = [(so, action) for so, action in pairs if action != "cancel"]
        to_confirm = SaleOrder.concat(*(so for so, __ in pairs if so.state in ("draft", "sent")))
        if to_confirm:
            to_confirm.action_confirm()
            for sale_order in to_confirm:
                sale_order.order_line.move_ids.write(
                    {
                        "omni_backend_id": sale_order.omni_backend_id.id,
                        "omni_external_ref": sale_order.omni_external_ref,
                    }
                )
        to_lock = SaleOrder.concat(*(so for so, a in pairs if a == "lock" and not so.locked))
        if to_lock:
            to_lock.action_lock()
        to_deliver = SaleOrder.concat(*(so for so, a in pairs if a == "deliver"))
        if to_deliver:
            self._deliver(to_deliver)

    def _deliver(self, sale_order):
        pickings = sale_order.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel") and p.picking_type_code == "outgoing"
        )
        for move in pickings.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        if pickings:
            pickings.with_context(
                skip_backorder=True, skip_sms=True, skip_immediate=True
            ).button_validate()

    # ------------------------------------------------------------------------------------
    # Refunds -> credit notes and returns
    # ------------------------------------------------------------------------------------

    @api.model
    def import_refund(self, backend, refund, omni_order=None):
        """Book a channel refund once: a posted credit note for the refunded lines, shipping
        and adjustments, and a validated return for the lines the channel restocked."""
        self._flush_batch()  # the refund may be for an order of this batch
        omni_order = omni_order or self.env["omni.order"].search(
            [("backend_id", "=", backend.id), ("external_id", "=", refund.order_external_id)]
        )
        plan = self._refund_plan(backend, refund, omni_order)
        if plan:
            self._book_refunds([plan])
        return omni_order

    def _refund_plan(self, backend, refund, omni_order):
        """Check a refund and record it on its omni.order; returns what is left to book (credit
        note values, restocked quantities), or None when the refund was booked before."""
        omni_order = omni_order or self.env["omni.order"].search(
            [("backend_id", "=", backend.id), ("external_id", "=", refund.order_external_id)]
        )
        if not omni_order:
            raise MappingError(
                _(
                    "Refund %(refund)s is for order %(order)s, which was never imported.",
                    refund=refund.external_id,
                    order=refund.order_external_id,
                ),
                "order",
                refund.order_external_id,
            )
        booked = set(filter(None, (omni_order.refunded_external_ids or "").split(",")))
        if refund.external_id in booked:
            return None
        sale_order = omni_order.sale_order_id
        if refund.currency and refund.currency != omni_order.currency_id.name:
            raise CurrencyError(
                _(
                    "Refund %(refund)s is in %(refund_cur)s but order %(order)s is in %(cur)s.",
                    refund=refund.external_id,
                    refund_cur=refund.currency,
                    order=omni_order.name,
                    cur=omni_order.currency_id.name,
                )
            )
        lines_by_ext = {line.external_id: line for line in omni_order.line_ids}
        invoice_lines, restock = [], []
        for refund_line in refund.lines:
            omni_line = lines_by_ext.get(refund_line.order_line_external_id)
            if not omni_line or not omni_line.sale_line_id:
                raise MappingError(
                    _(
                        "Refund %(refund)s names line %(line)s, not in order %(order)s.",
                        refund=refund.external_id,
                        line=refund_line.order_line_external_id,
                        order=omni_order.name,
                    ),
                    "order_line",
                )
            sale_line = omni_line.sale_line_id
            invoice_lines.append(
                {
                    "product_id": sale_line.product_id.id,
                    "name": sale_line.name,
                    "quantity": float(refund_line.quantity),
                    "price_unit": sale_line.price_unit,
                    "discount": sale_line.discount,
                    "tax_ids": [fields.Command.set(sale_line.tax_id.ids)],
                    "sale_line_ids": [fields.Command.link(sale_line.id)],
                }
            )
            omni_line.quantity_refunded += float(refund_line.quantity)
            # A refund settling a return moves money only: the return brings the goods back.
            if refund_line.restock and not refund.return_external_id:
                restock.append((sale_line, refund_line.quantity))
        for product, amount, label in (
            (backend.shipping_product_id, refund.shipping_amount, _("Shipping refund")),
            (backend.adjustment_product_id, refund.adjustment_amount, _("Refund adjustment")),
        ):
            if amount:
                invoice_lines.append(
                    {
                        "product_id": product.id,
                        "name": label,
                        "quantity": 1.0,
                        "price_unit": float(amount),
                        "tax_ids": [fields.Command.clear()],
                    }
                )
        credit_note_vals = invoice_lines and {
            "move_type": "out_refund",
            "partner_id": sale_order.partner_invoice_id.id,
            "currency_id": omni_order.currency_id.id,
            "invoice_origin": sale_order.name,
            "ref": _(
                "%(channel)s refund %(refund)s",
                channel=backend.channel,
                refund=refund.external_id,
            ),
            "invoice_date": (refund.created_at or fields.Datetime.now()).date(),
            "omni_backend_id": backend.id,
            "omni_external_ref": refund.external_id,
            "invoice_line_ids": [fields.Command.create(vals) for vals in invoice_lines],
        }
        booked.add(refund.external_id)
        if refund.return_external_id:
            self._link_return_refund(backend, refund.return_external_id, refund.external_id)
        omni_order.write(
            {
                "refunded_external_ids": ",".join(sorted(booked)),
                "amount_refunded": omni_order.amount_refunded + float(refund.amount),
            }
        )
        return {
            "backend": backend,
            "refund": refund,
            "omni_order": omni_order,
            "sale_order": sale_order,
            "credit_note_vals": credit_note_vals,
            "restock": restock,
        }

    def _book_refunds(self, plans):
        """Credit notes of refund plans, created and posted together, then their returns."""
        AccountMove = self.env["account.move"]
        with_note = [plan for plan in plans if plan["credit_note_vals"]]
        for company in self._companies(with_note):
            items = [p for p in with_note if p["backend"].company_id == company]
            credit_notes = AccountMove.with_company(company).create(
                [p["credit_note_vals"] for p in items]
            )
            credit_notes.action_post()
            for plan, credit_note in zip(items, credit_notes, strict=True):
                plan["omni_order"].credit_note_ids = [fields.Command.link(credit_note.id)]
        for plan in plans:
            if plan["restock"]:
                self._return_goods(plan["sale_order"], plan["restock"], plan["refund"].external_id)

    def _return_goods(self, sale_order, restock, ref):
        """Validated returns of (sale line, quantity) pairs against the done deliveries of the
        sale order, each taking back what it delivered and was not returned yet; returns (the
        return pickings, {sale line id: quantity taken back}). What no done delivery holds is
        not taken back: it never left the warehouse (or was taken back before)."""
        wanted = defaultdict(float)
        for sale_line, qty in restock:
            wanted[sale_line.id] += float(qty)
        returned = defaultdict(float)
        pickings = self.env["stock.picking"]
        delivered = sale_order.picking_ids.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing"
        ).sorted("id")
        for delivery in delivered:
            if not any(
                qty > 0 and move.sale_line_id.id == line_id
                for line_id, qty in wanted.items()
                for move in delivery.move_ids
            ):
                continue
            wizard = (
                self.env["stock.return.picking"]
                .with_context(active_id=delivery.id, active_model="stock.picking")
                .create({})
            )
            taken = False
            for return_line in wizard.product_return_moves:
                line_id = return_line.move_id.sale_line_id.id
                rounding = return_line.move_id.product_uom.rounding
                take = max(min(wanted.get(line_id, 0.0), return_line.quantity), 0.0)
                if float_is_zero(take, precision_rounding=rounding):
                    take = 0.0
                return_line.quantity = take
                return_line.to_refund = True
                if take:
                    wanted[line_id] -= take
                    returned[line_id] += take
                    taken = True
            if not taken:
                continue
            return_id, __ = wizard._create_returns()
            return_picking = self.env["stock.picking"].browse(return_id)
            return_picking.origin = f"{sale_order.name} {ref}"
            for move in return_picking.move_ids:
                move.quantity = move.product_uom_qty
                move.picked = True
                move.omni_backend_id = sale_order.omni_backend_id
                move.omni_external_ref = ref
            return_picking.move_ids.filtered(
                lambda m: float_is_zero(
                    m.product_uom_qty, precision_rounding=m.product_uom.rounding
                )
            ).unlink()
            return_picking.with_context(skip_backorder=True, skip_sms=True).button_validate()
            pickings |= return_picking
        return pickings, dict(returned)

    # ------------------------------------------------------------------------------------
    # Returns (RMAs) -> return receipts and exchange lines
    # ------------------------------------------------------------------------------------

    @api.model
    def import_return(self, backend, ret, omni_order=None):
        """Apply a channel return; returns its omni.return. Goods follow returns: what the
        channel processed and Odoo has not taken back yet comes back into stock through a
        validated return of the delivery (once per unit however often the return is
        imported); exchange items of an open or closed return become new lines of the sale
        order (which then delivers them). Money follows refunds: see ``_refund_plan``.
        Everything is checked before anything is written."""
        self._lock(backend, "return", ret.external_id)
        self._flush_batch()  # the return may be for an order of this batch
        omni_order = omni_order or self.env["omni.order"].search(
            [("backend_id", "=", backend.id), ("external_id", "=", ret.order_external_id)]
        )
        if not omni_order:
            raise MappingError(
                _(
                    "Return %(ret)s is for order %(order)s, which was never imported.",
                    ret=ret.name or ret.external_id,
                    order=ret.order_external_id,
                ),
                "order",
                ret.order_external_id,
            )
        state = self._return_state(ret)
        record = self.env["omni.return"].search(
            [("backend_id", "=", backend.id), ("external_id", "=", ret.external_id)]
        )
        if record and record.omni_order_id != omni_order:
            raise MappingError(
                _(
                    "Return %(ret)s is stored for order %(stored)s, the channel now names "
                    "order %(order)s.",
                    ret=ret.name or ret.external_id,
                    stored=record.omni_order_id.name,
                    order=omni_order.name,
                ),
                "order",
                ret.order_external_id,
            )
        order_lines = {line.external_id: line for line in omni_order.line_ids}
        for ret_line in ret.lines:
            omni_line = order_lines.get(ret_line.order_line_external_id)
            if not omni_line or not omni_line.sale_line_id:
                raise MappingError(
                    _(
                        "Return %(ret)s names line %(line)s, not in order %(order)s.",
                        ret=ret.name or ret.external_id,
                        line=ret_line.order_line_external_id,
                        order=omni_order.name,
                    ),
                    "order_line",
                    ret_line.order_line_external_id,
                )
            if ret_line.quantity < 0 or ret_line.processed_quantity < 0:
                raise PayloadError(
                    _(
                        "Return %(ret)s line %(line)s has a negative quantity.",
                        ret=ret.name or ret.external_id,
                        line=ret_line.external_id,
                    )
                )
        exchange = []
        if state in ("open", "closed"):
            new_lines = [
                line
                for line in ret.exchange_lines
                if line.external_id not in order_lines
            ]
            if new_lines:
                exchange = self._exchange_plan(backend, ret, omni_order, new_lines)

        record = self._upsert_return(backend, ret, state, omni_order, record)
        notes = []
        if state not in ("declined", "canceled"):
            notes += self._restock_return(record)
        if exchange:
            self._add_exchange_lines(backend, record, exchange)
        if record.exchange_line_ids:
            self._swap_exchanged_quantities(record)
        record.sync_note = "\n".join(notes) or False
        return record

    def _swap_exchanged_quantities(self, record):
        """An exchange swaps goods within the order: what came back for the exchange items
        leaves its sale line (once), so the sale order sells what the customer keeps, its
        total stays the channel's and the returned units are not an unrefunded return."""
        for line in record.line_ids:
            sale_line = line.sale_line_id
            rounding = sale_line.product_uom.rounding or 0.01
            delta = line.quantity_restocked - line.quantity_exchanged
            if float_compare(delta, 0.0, precision_rounding=rounding) <= 0:
                continue
            # The price is written with the quantity, else Odoo re-prices the line from the
            # pricelist (a quantity change recomputes price_unit and discount).
            sale_line.write(
                {
                    "product_uom_qty": max(sale_line.product_uom_qty - delta, 0.0),
                    "price_unit": sale_line.price_unit,
                    "discount": sale_line.discount,
                }
            )
            line.quantity_exchanged += delta

    def _return_state(self, ret):
        state = (ret.status or "").strip().lower()
        if state not in dict(RETURN_STATES):
            raise PayloadError(
                _(
                    "Return %(ret)s has status %(status)r; known: %(known)s.",
                    ret=ret.name or ret.external_id,
                    status=ret.status,
                    known=", ".join(key.upper() for key, __ in RETURN_STATES),
                )
            )
        return state

    def _upsert_return(self, backend, ret, state, omni_order, record):
        refunds = set(filter(None, (record.refund_external_ids or "").split(",")))
        refunds.update(ret.refund_external_ids)
        vals = {
            "backend_id": backend.id,
            "external_id": ret.external_id,
            "name": ret.name or ret.external_id,
            "omni_order_id": omni_order.id,
            "state": state,
            "channel_status": ret.status,
            "channel_created_at": _naive(ret.created_at),
            "closed_at": _naive(ret.closed_at),
            "refund_external_ids": ",".join(sorted(refunds)) or False,
        }
        if record:
            record.write(vals)
        else:
            record = self.env["omni.return"].create(vals)
        order_lines = {line.external_id: line for line in omni_order.line_ids}
        stored = {line.external_id: line for line in record.line_ids}
        create_vals = []
        for ret_line in ret.lines:
            line_vals = {
                "order_line_id": order_lines[ret_line.order_line_external_id].id,
                "quantity": float(ret_line.quantity),
                "quantity_processed": float(ret_line.processed_quantity),
                "reason": ret_line.reason,
                "note": ret_line.note,
            }
            if ret_line.external_id in stored:
                stored[ret_line.external_id].write(line_vals)
            else:
                create_vals.append(
                    {**line_vals, "return_id": record.id, "external_id": ret_line.external_id}
                )
        self.env["omni.return.line"].create(create_vals)
        return record

    def _restock_return(self, record):
        """Take back what was processed and is not back in stock yet; returns notes on what
        could not be (a processed quantity gone down, goods Odoo never delivered)."""
        notes, restock = [], []
        for line in record.line_ids:
            rounding = line.order_line_id.sale_line_id.product_uom.rounding or 0.01
            delta = line.quantity_processed - line.quantity_restocked
            if float_compare(delta, 0.0, precision_rounding=rounding) > 0:
                restock.append((line, delta))
            elif float_compare(delta, 0.0, precision_rounding=rounding) < 0:
                notes.append(
                    _(
                        "%(line)s: the channel now says %(processed)s processed, but %(restocked)s "
                        "were already taken back into stock; they are left there.",
                        line=line.order_line_id.name or line.external_id,
                        processed=line.quantity_processed,
                        restocked=line.quantity_restocked,
                    )
                )
        if not restock:
            return notes
        sale_order = record.omni_order_id.sale_order_id
        pickings, returned = self._return_goods(
            sale_order, [(line.sale_line_id, qty) for line, qty in restock], record.external_id
        )
        record.picking_ids = [fields.Command.link(picking.id) for picking in pickings]
        for line, qty in restock:  # what was taken back per sale line, to its return lines
            taken = min(qty, returned.get(line.sale_line_id.id, 0.0))
            if taken > 0:
                returned[line.sale_line_id.id] -= taken
                line.quantity_restocked += taken
            rounding = line.sale_line_id.product_uom.rounding or 0.01
            if float_compare(taken, qty, precision_rounding=rounding) < 0:
                notes.append(
                    _(
                        "%(line)s: %(missing)s processed unit(s) not taken back into stock: no "
                        "validated delivery of the order holds them (yet); importing the return "
                        "again (replay its event) takes them back once one does.",
                        line=line.order_line_id.name or line.external_id,
                        missing=qty - taken,
                    )
                )
        return notes

    def _exchange_plan(self, backend, ret, omni_order, lines):
        """Check the exchange items before anything is written: (sale line values, discount
        line values or None, omni line values) for each."""
        sale_order = omni_order.sale_order_id
        if not sale_order:
            raise MappingError(
                _(
                    "Return %(ret)s exchanges items, but order %(order)s has no sale order to "
                    "add them to.",
                    ret=ret.name or ret.external_id,
                    order=omni_order.name,
                ),
                "order",
                omni_order.external_id,
            )
        currency = omni_order.currency_id
        self._check_currency(sale_order, currency)
        products = self._match_products(backend, lines)
        return [
            self._line_plan(backend, line, products[line], currency, omni_order.taxes_included)
            for line in lines
        ]

    def _add_exchange_lines(self, backend, record, plan):
        """New sale lines for the exchange items (a confirmed order delivers them) and their
        omni.order.line, linked to the return."""
        omni_order = record.omni_order_id
        sale_order = omni_order.sale_order_id
        vals_list, index = [], []
        for line_vals, discount_vals, __ in plan:
            index.append(len(vals_list))
            vals_list.append({**line_vals, "order_id": sale_order.id})
            if discount_vals:
                vals_list.append({**discount_vals, "order_id": sale_order.id})
        sale_lines = self.env["sale.order.line"].create(vals_list)
        self.env["omni.order.line"].create(
            [
                {
                    **omni_vals,
                    "order_id": omni_order.id,
                    "return_id": record.id,
                    "sale_line_id": sale_lines[position].id,
                }
                for position, (__, __, omni_vals) in zip(index, plan, strict=True)
            ]
        )
        sale_lines.move_ids.write(
            {"omni_backend_id": backend.id, "omni_external_ref": sale_order.omni_external_ref}
        )

    def _link_return_refund(self, backend, return_external_id, refund_external_id):
        """Note on a stored return the refund that settles it (its credit note shows there)."""
        record = self.env["omni.return"].search(
            [("backend_id", "=", backend.id), ("external_id", "=", return_external_id)]
        )
        if record:
            refunds = set(filter(None, (record.refund_external_ids or "").split(",")))
            if refund_external_id not in refunds:
                refunds.add(refund_external_id)
                record.refund_external_ids = ",".join(sorted(refunds))

    # ------------------------------------------------------------------------------------
    # Payments and payouts
    # ------------------------------------------------------------------------------------

    @api.model
    def import_order_payments(self, backend, payments, omni_order):
        """The processor movements of an imported order, and the movements that arrived
        before it (a payout's balance transactions, a dispute: same order reference, no order
        yet) linked to it. In batch mode both are done for all the batch's orders at its
        flush, in a few queries; the result is the same."""
        batch = self._batch()
        if batch:
            batch.payments.append((backend, payments, omni_order))
            return
        if payments:
            self.import_payments(backend, payments)
        self._link_waiting_payments(backend, omni_order)

    def _flush_payments(self):
        """Import the movements deferred by ``import_order_payments``, one call per backend;
        a movement seen several times in the batch is stored as its last version, as one by
        one would have done."""
        batch = self._batch()
        if not batch or not batch.payments:
            return
        deferred, batch.payments = batch.payments, []
        for backend in self._backends_of(deferred):
            items = [item for item in deferred if item[0] == backend]
            latest = {}
            for __, payments, __ in items:
                for payment in payments:
                    latest.pop(payment.external_id, None)  # keep the order of last sightings
                    latest[payment.external_id] = payment
            if latest:
                self.import_payments(backend, list(latest.values()))
            self._link_waiting_payments(
                backend, self.env["omni.order"].concat(*(order for __, __, order in items if order))
            )

    def _backends_of(self, items):
        """The backends of (backend, ...) items, in order of first appearance."""
        backends = self.env["omni.backend"]
        for item in items:
            backends |= item[0]
        return backends

    def _link_waiting_payments(self, backend, omni_orders):
        """Movements of ``backend`` that name one of these orders but were stored before it
        was imported get their order now."""
        by_ref = {order.external_id: order for order in omni_orders if order.external_id}
        if not by_ref:
            return
        waiting = self.env["omni.payment"].search(
            [
                ("backend_id", "=", backend.id),
                ("order_external_ref", "in", list(by_ref)),
                ("order_id", "=", False),
            ]
        )
        for ref in set(waiting.mapped("order_external_ref")):
            waiting.filtered(lambda p, r=ref: p.order_external_ref == r).write(
                {"order_id": by_ref[ref].id}
            )

    @api.model
    def import_payments(self, backend, payments, payout=None):
        """Upsert processor movements by (backend, external id) and link them to their order
        and payout when those are known."""
        self._flush_payments()  # the batch's deferred ones first, as they came first
        Payment = self.env["omni.payment"]
        existing = {
            p.external_id: p
            for p in Payment.search(
                [
                    ("backend_id", "=", backend.id),
                    ("external_id", "in", [p.external_id for p in payments]),
                ]
            )
        }
        order_of = self._payment_order_matcher(backend, payments)
        result = Payment.browse()
        create_vals = []
        for payment in payments:
            digest = canonical_digest(payment)
            record = existing.get(payment.external_id)
            if record and record.content_digest == digest:
                # Unchanged at the processor; only links may be new (its order or its payout
                # arrived since).
                links = {}
                if not record.order_id and order_of(payment):
                    links["order_id"] = order_of(payment).id
                if payout and record.payout_id != payout:
                    links.update(payout_id=payout.id, payout_external_ref=payout.external_id)
                if links:
                    record.write(links)
                result |= record
                continue
            currency = self._currency(payment.currency)
            vals = {
                "backend_id": backend.id,
                "external_id": payment.external_id,
                "payment_type": payment.payment_type,
                "status": payment.status,
                "currency_id": currency.id,
                "amount": float(payment.amount),
                "fee_amount": float(payment.fee),
                "net_amount": float(
                    payment.amount - payment.fee if payment.net is None else payment.net
                ),
                "exchange_rate": float(payment.exchange_rate or 0),
                "processor": payment.processor,
                "processor_reference": payment.processor_reference,
                "order_external_ref": payment.order_external_id,
                "order_id": order_of(payment).id,
                "payout_external_ref": payment.payout_external_id
                or (payout and payout.external_id),
                "payout_id": payout.id if payout else False,
                "channel_created_at": _naive(payment.created_at),
                "available_on": _naive(payment.available_on),
                "description": payment.description,
                "content_digest": digest,
            }
            if not payout:  # seen outside a payout: never unlink the payout it belongs to
                vals.pop("payout_id")
                if not payment.payout_external_id:
                    vals.pop("payout_external_ref")
            if record:
                record.write(vals)
                result |= record
            else:
                create_vals.append(vals)
        return result | Payment.create(create_vals)

    def _payment_order_matcher(self, backend, payments):
        """How a processor movement finds its channel order, in one query each:
        the order id or name it carries (metadata), else another channel's record of the same
        processor transaction (a Shopify transaction carrying the Stripe charge id)."""
        Order = self.env["omni.order"]
        refs = list({p.order_external_id for p in payments if p.order_external_id})
        by_ref = {}
        if refs:
            for order in Order.search(
                [
                    ("company_id", "=", backend.company_id.id),
                    "|",
                    ("external_id", "in", refs),
                    ("name", "in", refs),
                ],
                order="id",
            ):
                by_ref.setdefault(order.external_id, order)
                by_ref.setdefault(order.name, order)
        processor_refs = list({p.processor_reference for p in payments if p.processor_reference})
        by_processor_ref = {}
        if processor_refs:
            for known in self.env["omni.payment"].search(
                [
                    ("company_id", "=", backend.company_id.id),
                    ("processor_reference", "in", processor_refs),
                    ("order_id", "!=", False),
                ]
            ):
                by_processor_ref.setdefault(known.processor_reference, known.order_id)

        def order_of(payment):
            return (
                by_ref.get(payment.order_external_id)
                or by_processor_ref.get(payment.processor_reference)
                or Order
            )

        return order_of

    @api.model
    def import_payout(self, backend, payout):
        self._lock(backend, "payout", payout.external_id)
        currency = self._currency(payout.currency)
        vals = {
            "backend_id": backend.id,
            "external_id": payout.external_id,
            "currency_id": currency.id,
            "amount": float(payout.amount),
            "fee_amount": float(payout.fee),
            "status": payout.status,
            "channel_created_at": _naive(payout.created_at),
            "arrival_date": _naive(payout.arrival_date),
            "trace": payout.trace,
        }
        record = self.env["omni.payout"].search(
            [("backend_id", "=", backend.id), ("external_id", "=", payout.external_id)]
        )
        if record:
            record.write(vals)
        else:
            record = self.env["omni.payout"].create(vals)
        if payout.payments:
            self.import_payments(backend, payout.payments, payout=record)
        return record

    # ------------------------------------------------------------------------------------
    # Master data governance
    # ------------------------------------------------------------------------------------

    def _match_partner(self, backend, customer):
        """mapping -> normalized email -> normalized phone -> create if allowed -> error."""
        if not customer or not (customer.external_id or customer.email or customer.phone):
            if backend.default_partner_id:
                return backend.default_partner_id
            raise MappingError(
                _(
                    "The order has no customer and backend %s has no walk-in customer.",
                    backend.name,
                ),
                "customer",
            )
        Binding = self.env["omni.external.id"]
        batch = self._batch()
        key = (backend.id, "customer", customer.external_id)
        if batch and key in batch.bound:
            return batch.bound[key]
        partner = Binding._lookup(backend, "customer", [customer.external_id]).get(
            customer.external_id
        )
        if partner and partner.exists():
            if batch:
                batch.bound[key] = partner
            return partner
        company_domain = [("company_id", "in", [False, backend.company_id.id])]
        Partner = self.env["res.partner"].with_context(active_test=False)
        partner = Partner.browse()
        email = normalize_email(customer.email)
        if email:
            partner = Partner.search(
                company_domain + [("email_normalized", "=", email)], order="id", limit=1
            )
        phone = normalize_phone(customer.phone)
        if not partner and len(phone) >= 6:
            self.env["res.partner"].flush_model(["phone", "mobile", "company_id"])
            self.env.cr.execute(
                """
                SELECT id FROM res_partner
                 WHERE (company_id IS NULL OR company_id = %s)
                   AND %s IN (regexp_replace(regexp_replace(coalesce(phone, ''), '^\\s*00', ''),
                                             '\\D', '', 'g'),
                              regexp_replace(regexp_replace(coalesce(mobile, ''), '^\\s*00', ''),
                                             '\\D', '', 'g'))
              ORDER BY id LIMIT 1
                """,
                [backend.company_id.id, phone],
            )
            row = self.env.cr.fetchone()
            partner = Partner.browse(row[0]) if row else partner
        if not partner:
            if not backend.create_customers:
                raise MappingError(
                    _(
                        "Customer %(ref)s (%(email)s) matches no contact and backend %(backend)s "
                        "may not create customers.",
                        ref=customer.external_id,
                        email=customer.email or customer.phone or "-",
                        backend=backend.name,
                    ),
                    "customer",
                    customer.external_id,
                )
            partner = self.env["res.partner"].create(self._partner_vals(customer))
        Binding._bind(backend, "customer", customer.external_id, partner)
        if batch and customer.external_id:
            batch.bound[key] = partner
        return partner

    def _partner_vals(self, customer):
        vals = {
            "name": customer.name or customer.email or customer.phone,
            "email": customer.email or False,
            "phone": customer.phone or False,
            "customer_rank": 1,
        }
        if customer.billing_address:
            vals.update(self._address_vals(customer.billing_address))
            vals["name"] = customer.name or customer.billing_address.name or vals["name"]
        return vals

    def _address_vals(self, address):
        country = (
            self.env["res.country"].search(
                [("code", "=", (address.country_code or "").upper())], limit=1
            )
            if address.country_code
            else self.env["res.country"]
        )
        state = (
            self.env["res.country.state"].search(
                [("country_id", "=", country.id), ("code", "=", address.state_code)], limit=1
            )
            if country and address.state_code
            else self.env["res.country.state"]
        )
        return {
            "street": address.street or False,
            "street2": address.street2 or False,
            "city": address.city or False,
            "zip": address.zip or False,
            "country_id": country.id or False,
            "state_id": state.id or False,
        }

    def _shipping_partner(self, partner, customer):
        address = customer and customer.shipping_address
        if not address or address == customer.billing_address:
            return partner
        vals = self._address_vals(address)
        existing = partner.child_ids.filtered(
            lambda c: (
                c.type == "delivery"
                and (c.street or False, c.zip or False, c.city or False)
                == (vals["street"], vals["zip"], vals["city"])
            )
        )[:1]
        return existing or self.env["res.partner"].create(
            {
                **vals,
                "parent_id": partner.id,
                "type": "delivery",
                "name": address.name or partner.name,
                "phone": address.phone or False,
            }
        )

    def _match_products(self, backend, lines):
        """{line: product}; mapping -> SKU -> barcode -> create if allowed. Every unknown or
        ambiguous product is named in one MappingError."""
        service_products = {
            "shipping": backend.shipping_product_id,
            "tip": backend.adjustment_product_id,
            "duty": backend.adjustment_product_id,
            "adjustment": backend.adjustment_product_id,
        }
        product_lines = [line for line in lines if line.line_type == "product"]
        Binding = self.env["omni.external.id"]
        batch = self._batch()
        bound = self._bound_products(
            backend,
            {line.product_external_id for line in product_lines if line.product_external_id},
        )
        Product = self.env["product.product"].with_context(active_test=False)
        company_domain = [("company_id", "in", [False, backend.company_id.id])]
        # only the lines no mapping answers for are matched by SKU and barcode
        unbound = [line for line in product_lines if line.product_external_id not in bound]
        skus = {line.sku for line in unbound if line.sku}
        barcodes = {line.barcode for line in unbound if line.barcode}
        by_sku, by_barcode = {}, {}
        if skus:
            for product in Product.search(company_domain + [("default_code", "in", list(skus))]):
                by_sku.setdefault(product.default_code, Product.browse())
                by_sku[product.default_code] |= product
        if barcodes:
            for product in Product.search(company_domain + [("barcode", "in", list(barcodes))]):
                by_barcode[product.barcode] = product
        result, problems, to_create = {}, [], []
        for line in lines:
            if line.line_type != "product":
                product = service_products.get(line.line_type)
                if not product:
                    problems.append(_("no %s product configured on the backend", line.line_type))
                result[line] = product
                continue
            product = bound.get(line.product_external_id)
            already_bound = bool(product)
            if not product and line.sku and line.sku in by_sku:
                if len(by_sku[line.sku]) > 1:
                    problems.append(_("SKU %s is used by several products", line.sku))
                    continue
                product = by_sku[line.sku]
            if not product and line.barcode:
                product = by_barcode.get(line.barcode)
            if product:
                result[line] = product
                if not already_bound:
                    Binding._bind(backend, "product", line.product_external_id, product)
                    if batch and line.product_external_id:
                        batch.bound[(backend.id, "product", line.product_external_id)] = product
            elif backend.create_products and (line.sku or line.barcode):
                to_create.append(line)
            else:
                problems.append(
                    _(
                        "unknown product %(name)r (SKU %(sku)s, barcode %(barcode)s)",
                        name=line.name,
                        sku=line.sku or "-",
                        barcode=line.barcode or "-",
                    )
                )
        if problems:
            raise MappingError(
                _("Cannot map the order's products: %s.", "; ".join(problems)), "product"
            )
        created = {}
        for line in to_create:
            key = line.sku or line.barcode
            if key not in created:
                created[key] = self.env["product.product"].create(
                    {
                        "name": line.name or key,
                        "default_code": line.sku or False,
                        "barcode": line.barcode or False,
                        "detailed_type": "product",
                        "list_price": float(line.price_unit),
                        "company_id": False,
                    }
                )
            result[line] = created[key]
            Binding._bind(backend, "product", line.product_external_id, created[key])
            if batch and line.product_external_id:
                batch.bound[(backend.id, "product", line.product_external_id)] = created[key]
        return result

    def _bound_products(self, backend, external_ids):
        """{external id: product} of the bound ones; in a batch, what was found before is
        not asked again."""
        batch = self._batch()
        if not batch:
            return self.env["omni.external.id"]._lookup(backend, "product", external_ids)
        result, missing = {}, []
        for external_id in external_ids:
            product = batch.bound.get((backend.id, "product", external_id))
            if product:
                result[external_id] = product
            else:
                missing.append(external_id)
        if missing:
            found = self.env["omni.external.id"]._lookup(backend, "product", missing)
            for external_id, product in found.items():
                batch.bound[(backend.id, "product", external_id)] = product
            result.update(found)
        return result

    def _map_taxes(self, backend, line, taxes_included):
        taxes = self.env["account.tax"]
        for tax_line in line.taxes:
            mapping = self.env["omni.tax.map"]._find(backend, tax_line.title, tax_line.rate)
            if not mapping:
                raise MappingError(
                    _(
                        "Tax %(title)s at %(rate)s%% has no tax mapping on backend %(backend)s.",
                        title=tax_line.title,
                        rate=tax_line.rate * 100,
                        backend=backend.name,
                    ),
                    "tax",
                    tax_line.title,
                )
            if mapping.tax_id.price_include != taxes_included:
                raise MappingError(
                    _(
                        "Tax %(title)s is mapped to %(tax)s, which is %(incl)s, but the order's "
                        "prices are %(order_incl)s.",
                        title=tax_line.title,
                        tax=mapping.tax_id.display_name,
                        incl=_("tax-included")
                        if mapping.tax_id.price_include
                        else _("tax-excluded"),
                        order_incl=_("tax-included") if taxes_included else _("tax-excluded"),
                    ),
                    "tax",
                    tax_line.title,
                )
            taxes |= mapping.tax_id
        return taxes

    # ------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------

    def _currency(self, code):
        batch = self._batch()
        name = (code or "").upper()
        currency = batch.currencies.get(name) if batch else None
        if currency is None:
            currency = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", name)], limit=1)
            )
            if batch:
                batch.currencies[name] = currency
        if not currency:
            raise CurrencyError(_("Unknown currency %r.", code))
        if not currency.active:
            raise CurrencyError(_("Currency %s is not active in this database.", currency.name))
        return currency

    def _pricelist(self, backend, currency):
        if backend.pricelist_id.currency_id == currency:
            return backend.pricelist_id
        pricelist = self.env["product.pricelist"].search(
            [
                ("currency_id", "=", currency.id),
                ("company_id", "in", [False, backend.company_id.id]),
            ],
            limit=1,
        )
        if not pricelist:
            raise CurrencyError(
                _(
                    "No pricelist in %(currency)s for backend %(backend)s: create one or map the "
                    "backend's pricelist.",
                    currency=currency.name,
                    backend=backend.name,
                )
            )
        return pricelist

    def _check_currency(self, sale_order, currency):
        if sale_order.currency_id != currency:
            raise CurrencyError(
                _(
                    "Sale order currency %(so)s does not match the channel currency %(ch)s.",
                    so=sale_order.currency_id.name,
                    ch=currency.name,
                )
            )

    def _lock(self, backend, kind, external_id):
        """Serialize work on one external record across jobs (advisory, transaction-scoped);
        a busy record is retried shortly rather than waited for."""
        self.env.cr.execute(
            "SELECT pg_try_advisory_xact_lock(hashtext(%s))",
            [f"omni:{backend.id}:{kind}:{external_id}"],
        )
        if not self.env.cr.fetchone()[0]:
            raise RetryableJobError(
                f"{kind} {external_id} is being processed by another job", seconds=5
            )
