"""Orders: a channel order planned onto the batch (its omni.order and lines at once, checked
through master data governance and the status map), its sale order created, confirmed and
completed with the batch's others at the flush."""

import dataclasses
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.tools import float_compare

from ..const import MAX_ORDER_LINES
from ..tools.dates import to_odoo
from ..tools.errors import MappingError, PayloadError
from .omni_importer import (
    LinePlan,
    OrderPayments,
    PendingOrder,
    StatusAction,
    batched,
    canonical_digest,
)

_ACTION_RANK = {"none": 0, "confirm": 1, "lock": 2, "deliver": 3, "cancel": 4}


class OmniImporter(models.AbstractModel):
    _inherit = "omni.importer"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    @batched
    def import_order(self, backend, order):
        """Plan the sale order of a canonical order (new or updated) with its refunds,
        returns and payments; returns the links to put on the event. Idempotent: importing
        the same order again changes nothing (its payments, new ones, are still stored); an
        order older than the stored one is refused as stale and brings nothing, neither its
        refunds, returns nor payments."""
        self._lock(backend, "order", order.external_id)
        omni_order = self.env["omni.order"]._find(backend, order.external_id)
        links = {"omni_order_id": omni_order.id}
        if omni_order.channel_updated_at and to_odoo(order.updated_at) < (
            omni_order.channel_updated_at
        ):
            links["result_note"] = _(
                "Stale: the channel sent version %(old)s, version %(new)s is already stored.",
                old=order.updated_at,
                new=omni_order.channel_updated_at,
            )
            return links
        batch = self._batch()
        # The order's payments are the processor's facts, not the order's version: an
        # unchanged order still brings them (idempotent), and they are not in its digest.
        digest = canonical_digest(dataclasses.replace(order, payments=()))
        if omni_order and omni_order.content_digest == digest:
            batch.payments.append(OrderPayments(backend, omni_order, order.payments))
            links["result_note"] = _("Unchanged: this version is already applied.")
            return links
        currency = self._currency(order.currency)
        financial, fulfillment, action = self._status_of(backend, order)
        states = {
            "content_digest": digest,
            "financial_state": financial,
            "fulfillment_state": fulfillment,
        }
        if omni_order:
            omni_order.write(
                {**self._omni_order_vals(backend, order, omni_order.currency_id), **states}
            )
        else:
            omni_order = self._plan_new_order(batch, backend, order, currency, states)
        batch.actions.append(StatusAction(omni_order, action, to_odoo(order.updated_at)))
        for refund in order.refunds:
            self.import_refund(backend, refund, omni_order=omni_order)
        for ret in order.returns:  # after the refunds: goods follow returns, money refunds
            self.import_return(backend, ret, omni_order=omni_order)
        batch.payments.append(OrderPayments(backend, omni_order, order.payments))
        return {"omni_order_id": omni_order.id}

    def _plan_new_order(self, batch, backend, order, currency, states):
        """Everything of a new order the event needs now (matching, mapping; its omni.order
        and lines), its sale order at the flush."""
        self._check_line_count(order)
        partner, sale_vals, line_index, omni_lines = self._sale_order_plan(backend, order, currency)
        omni_order = self.env["omni.order"].create(
            {
                **self._omni_order_vals(backend, order, currency),
                **states,
                "external_id": order.external_id,
                "partner_id": partner.id,
                "line_ids": [fields.Command.create(vals) for vals in omni_lines],
            }
        )
        batch.orders.append(
            PendingOrder(backend, order, currency, omni_order, sale_vals, line_index)
        )
        return omni_order

    @api.model
    def _check_line_count(self, order):
        """A new order of a bounded number of lines (what one job imports in time)."""
        if len(order.lines) > MAX_ORDER_LINES:
            raise PayloadError(
                _(
                    "Order %(order)s has %(count)s lines: at most %(limit)s are imported.",
                    order=order.external_id,
                    count=len(order.lines),
                    limit=MAX_ORDER_LINES,
                )
            )

    @api.model
    @batched
    def _plan_action(self, omni_order, action):
        """Run a status-map action (e.g. ``cancel``) on an order's sale order, at the flush
        (the sale order may be one the batch is still to make)."""
        self._batch().actions.append(StatusAction(omni_order, action))

    def _flush_orders(self, batch):
        """Create the batch's sale orders (one ``create`` per company), link them, then run
        the status actions in the order they were planned."""
        pending, batch.orders = batch.orders, []
        SaleOrder = self.env["sale.order"]
        for company in self._companies(pending):
            items = [p for p in pending if p.backend.company_id == company]
            created = SaleOrder.with_company(company).create([p.sale_vals for p in items])
            for item, sale_order in zip(items, created, strict=True):
                item.omni_order.sale_order_id = sale_order
        for item in pending:
            sale_order = item.omni_order.sale_order_id
            self._check_currency(sale_order, item.currency)
            # Sale lines come back in creation order (sequence, id), omni lines too.
            omni_lines = item.omni_order.line_ids
            for index, sale_line in zip(item.line_index, sale_order.order_line, strict=True):
                if index is not None:
                    omni_lines[index].sale_line_id = sale_line
        self._bind_many(
            "order",
            [(p.backend, p.order.external_id, p.omni_order.sale_order_id) for p in pending],
        )
        actions, batch.actions = batch.actions, []
        batch.touched.extend(p.omni_order for p in pending)
        batch.touched.extend(item.omni_order for item in actions)
        # An order's actions run in their order (confirm, then deliver...), the batch's
        # orders together: round n runs the n-th action of every order.
        rounds, seen = [], defaultdict(int)
        for item in actions:
            position = seen[item.omni_order.id]
            seen[item.omni_order.id] += 1
            if position == len(rounds):
                rounds.append([])
            rounds[position].append((item.omni_order.sale_order_id, item.action, item.at))
        for items in rounds:
            self._run_actions(items)

    def _sold_lines(self, omni_order):
        """{external id: omni.order.line} of the order's lines that have a sale line, or
        will have one (its sale order is made at the flush)."""
        pending = self._batch().is_pending(omni_order)
        return {
            line.external_id: line for line in omni_order.line_ids if line.sale_line_id or pending
        }

    def _sale_order_plan(self, backend, order, currency):
        """Match the customer and products, map the taxes: (partner, sale order values, for
        each sale line the index of its omni line or None, omni line values)."""
        partner = self._match_partner(backend, order.customer)
        products = self._match_products(backend, order.lines)
        pricelist = self._pricelist(backend, currency)
        order_lines, omni_lines = [], []  # order_lines: (vals, index in omni_lines or None)
        for line in order.lines:
            plan = self._line_plan(backend, line, products[line], currency, order.taxes_included)
            order_lines.append((plan.sale_vals, len(omni_lines)))
            omni_lines.append(plan.omni_vals)
            if plan.discount_vals:
                order_lines.append((plan.discount_vals, None))
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
            "date_order": to_odoo(order.created_at) or fields.Datetime.now(),
            "omni_backend_id": backend.id,
            "omni_external_ref": order.external_id,
            "note": order.note or False,
            "order_line": [fields.Command.create(vals) for vals, __ in order_lines],
        }
        return partner, sale_vals, [index for __, index in order_lines], omni_lines

    def _line_plan(self, backend, line, product, currency, taxes_included):
        """One channel line as a LinePlan: its taxes mapped, its discount applied."""
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
        return LinePlan(line_vals, discount_line, omni_line)

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
            "cancelled_at": to_odoo(order.cancelled_at),
            "cancel_reason": order.cancel_reason,
            "channel_created_at": to_odoo(order.created_at),
            "channel_updated_at": to_odoo(order.updated_at),
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
            raise MappingError(
                _("Backend %(backend)s has no discount product.", backend=backend.name), "product"
            )
        return {
            "product_id": backend.discount_product_id.id,
            "name": _("Discount on %(line)s", line=line.name),
            "product_uom_qty": 1.0,
            "price_unit": -float(line.discount_amount),
            "tax_id": [fields.Command.set(taxes.ids)],
        }

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

    def _run_actions(self, items):
        """Status-map actions on (sale order, action, channel time) items: the confirmations
        in one ``action_confirm`` (their procurements run together; a channel order keeps its
        date), the deliveries in one validation, each done at its channel time."""
        SaleOrder = self.env["sale.order"]
        items = [(so, action, at) for so, action, at in items if so and action != "none"]
        for sale_order, action, __ in items:
            if action == "cancel" and sale_order.state != "cancel":
                sale_order._action_cancel()
        items = [(so, action, at) for so, action, at in items if action != "cancel"]
        to_confirm = SaleOrder.concat(
            *(so for so, __, __ in items if so.state in ("draft", "sent"))
        )
        if to_confirm:
            to_confirm.action_confirm()
            for sale_order in to_confirm:
                sale_order.order_line.move_ids.write(
                    {
                        "omni_backend_id": sale_order.omni_backend_id.id,
                        "omni_external_ref": sale_order.omni_external_ref,
                    }
                )
        to_lock = SaleOrder.concat(*(so for so, a, __ in items if a == "lock" and not so.locked))
        if to_lock:
            to_lock.action_lock()
        delivered_at = {so.id: at for so, action, at in items if action == "deliver"}
        if delivered_at:
            self._deliver(SaleOrder.browse(list(delivered_at)), delivered_at)

    def _deliver(self, sale_orders, delivered_at=None):
        """Deliver what the sale orders still have to ship, in one validation; each order's
        deliveries are done at its time in ``delivered_at`` ({sale order id: datetime}): the
        channel's time of the order version saying it is fulfilled, its ``updated_at`` (the
        canonical order carries no fulfilment date)."""
        delivered_at = delivered_at or {}
        pickings = sale_orders.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel") and p.picking_type_code == "outgoing"
        )
        for move in pickings.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        self._validate_transfers(
            pickings,
            {
                picking.id: self._channel_time(delivered_at.get(picking.sale_id.id))
                for picking in pickings
            },
        )
