"""Refunds: a channel refund is checked and recorded on its order once (an
``omni.order.refund``); its credit note is created and posted with the batch's others at the
flush, and the goods the channel restocked come back through a validated return."""

from collections import defaultdict

from odoo import _, api, fields, models
from odoo.tools import float_is_zero

from ..tools.errors import CurrencyError, MappingError
from .omni_importer import RefundPlan, batched


class OmniImporter(models.AbstractModel):
    _inherit = "omni.importer"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    @batched
    def import_refund(self, backend, refund, omni_order=None):
        """Book a channel refund once: a posted credit note for the refunded lines, shipping
        and adjustments, and a validated return for the lines the channel restocked.
        Returns the omni.order."""
        omni_order = omni_order or self.env["omni.order"]._find(backend, refund.order_external_id)
        self._plan_refund(backend, refund, omni_order)
        return omni_order

    def _plan_refund(self, backend, refund, omni_order):
        """Check a refund and record it on its omni.order (nothing when it was booked
        before); its credit note and restock are booked at the flush."""
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
        if refund.external_id in omni_order.refund_ids.mapped("external_id"):
            return
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
        lines_by_ext = self._sold_lines(omni_order)
        for refund_line in refund.lines:
            if refund_line.order_line_external_id not in lines_by_ext:
                raise MappingError(
                    _(
                        "Refund %(refund)s names line %(line)s, not in order %(order)s.",
                        refund=refund.external_id,
                        line=refund_line.order_line_external_id,
                        order=omni_order.name,
                    ),
                    "order_line",
                )
        for refund_line in refund.lines:
            lines_by_ext[refund_line.order_line_external_id].quantity_refunded += float(
                refund_line.quantity
            )
        settled = refund.return_external_id and self.env["omni.return"].search(
            [("backend_id", "=", backend.id), ("external_id", "=", refund.return_external_id)],
            limit=1,
        )
        record = self.env["omni.order.refund"].create(
            {
                "order_id": omni_order.id,
                "external_id": refund.external_id,
                "amount": float(refund.amount),
                "return_id": settled.id if settled else False,
            }
        )
        omni_order.amount_refunded += float(refund.amount)
        self._batch().refunds.append(RefundPlan(backend, refund, omni_order, record))

    def _flush_refunds(self, batch):
        """Credit notes of the batch's refunds, created and posted together, then the goods
        they restock."""
        plans, batch.refunds = batch.refunds, []
        batch.touched.extend(plan.omni_order for plan in plans)
        with_note = [(plan, self._credit_note_vals(plan)) for plan in plans]
        with_note = [(plan, vals) for plan, vals in with_note if vals]
        AccountMove = self.env["account.move"]
        for company in self._companies([plan for plan, __ in with_note]):
            items = [(p, vals) for p, vals in with_note if p.backend.company_id == company]
            credit_notes = AccountMove.with_company(company).create([vals for __, vals in items])
            credit_notes.action_post()
            for (plan, __), credit_note in zip(items, credit_notes, strict=True):
                plan.record.credit_note_id = credit_note
                plan.omni_order.credit_note_ids = [fields.Command.link(credit_note.id)]
        for plan in plans:
            restock = self._refund_restock(plan)
            if restock:
                sale_order = plan.omni_order.sale_order_id
                self._return_goods(
                    sale_order,
                    restock,
                    plan.refund.external_id,
                    self._channel_time(plan.refund.created_at),
                )

    def _refund_sale_lines(self, plan):
        """(refund line, its sale line) of a refund."""
        lines_by_ext = {line.external_id: line for line in plan.omni_order.line_ids}
        return [
            (refund_line, lines_by_ext[refund_line.order_line_external_id].sale_line_id)
            for refund_line in plan.refund.lines
        ]

    def _refund_restock(self, plan):
        """(sale line, quantity) the refund takes back into stock. A refund settling a
        return moves money only: the return brings the goods back."""
        if plan.refund.return_external_id:
            return []
        return [
            (sale_line, refund_line.quantity)
            for refund_line, sale_line in self._refund_sale_lines(plan)
            if refund_line.restock
        ]

    def _credit_note_vals(self, plan):
        """The credit note of a refund: its lines at the prices and taxes of the sale lines,
        its shipping and adjustment (None when it refunds nothing of those)."""
        backend, refund, omni_order = plan.backend, plan.refund, plan.omni_order
        sale_order = omni_order.sale_order_id
        invoice_lines = [
            {
                "product_id": sale_line.product_id.id,
                "name": sale_line.name,
                "quantity": float(refund_line.quantity),
                "price_unit": sale_line.price_unit,
                "discount": sale_line.discount,
                "tax_ids": [fields.Command.set(sale_line.tax_id.ids)],
                "sale_line_ids": [fields.Command.link(sale_line.id)],
            }
            for refund_line, sale_line in self._refund_sale_lines(plan)
        ]
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
        if not invoice_lines:
            return None
        return {
            "move_type": "out_refund",
            "partner_id": sale_order.partner_invoice_id.id,
            "currency_id": omni_order.currency_id.id,
            "invoice_origin": sale_order.name,
            "ref": _(
                "%(channel)s refund %(refund)s",
                channel=backend.channel,
                refund=refund.external_id,
            ),
            "invoice_date": self._channel_time(refund.created_at).date(),
            "omni_backend_id": backend.id,
            "omni_external_ref": refund.external_id,
            "invoice_line_ids": [fields.Command.create(vals) for vals in invoice_lines],
        }

    def _return_goods(self, sale_order, restock, ref, done_at):
        """Validated returns of (sale line, quantity) pairs against the done deliveries of the
        sale order, each taking back what it delivered and was not returned yet, done at
        ``done_at`` (the channel's time); returns (the return pickings, {sale line id:
        quantity taken back}). What no done delivery holds is not taken back: it never left
        the warehouse (or was taken back before)."""
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
            self._validate_transfers(return_picking, {return_picking.id: done_at})
            pickings |= return_picking
        return pickings, dict(returned)
