"""Invoicing: the orders a batch touched are invoiced when their backend's policy says so
(on import, once paid, once delivered), one posted invoice per order for what was ordered,
dated at the channel's date, then reconciled with the order's registered payments and
credit notes."""

from odoo import _, fields, models
from odoo.tools.misc import format_amount

PAID_STATES = ("paid", "partially_refunded", "refunded")


class OmniImporter(models.AbstractModel):
    _inherit = "omni.importer"  # pylint: disable=consider-merging-classes-inherited

    def _flush_invoices(self, batch):
        touched, batch.touched = batch.touched, []
        omni_orders = self._union("omni.order", touched).exists()
        omni_orders = omni_orders.filtered(lambda o: o.sale_order_id and not o.booked_in_odoo)
        if not omni_orders:
            return
        for omni_order, invoice in self._invoice_orders(omni_orders):
            total = invoice.amount_total * (-1 if invoice.move_type == "out_refund" else 1)
            if invoice.currency_id.compare_amounts(total, omni_order.amount_total):
                batch.note(
                    batch.source,
                    _(
                        "Invoice %(invoice)s of %(order)s is %(invoiced)s, the channel's total "
                        "is %(total)s.",
                        invoice=invoice.name,
                        order=omni_order.name,
                        invoiced=format_amount(self.env, total, invoice.currency_id),
                        total=format_amount(
                            self.env, omni_order.amount_total, omni_order.currency_id
                        ),
                    ),
                )
        self._reconcile_orders(omni_orders)

    def _invoice_due(self, omni_order):
        """The channel date the order's invoice takes when its policy invoices it now, else
        None (never twice: an order with an invoice is done)."""
        sale_order = omni_order.sale_order_id
        policy = omni_order.backend_id.invoice_policy
        if (
            policy == "manual"
            or omni_order.invoice_id
            or sale_order.state != "sale"
            or sale_order.invoice_ids.filtered(
                lambda m: m.move_type == "out_invoice" and m.state != "cancel"
            )
        ):
            return None
        if policy == "on_order":
            return omni_order.channel_created_at
        if policy == "on_paid":
            return self._paid_at(omni_order)
        deliveries = sale_order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "cancel"
        )
        if deliveries and all(p.state == "done" for p in deliveries):
            return max(deliveries.mapped("date_done"))
        return None

    def _paid_at(self, omni_order):
        """When the order was paid: the channel says so, or its registered payments cover
        its total (in its currency); the time of its last payment (or of the order)."""
        charges = omni_order.payment_ids.filtered(
            lambda p: (
                p.account_payment_id
                and p.amount > 0
                and p.account_payment_id.currency_id == omni_order.currency_id
            )
        )
        received = sum(charges.account_payment_id.mapped("amount"))
        covered = omni_order.currency_id.compare_amounts(received, omni_order.amount_total) >= 0
        if omni_order.financial_state not in PAID_STATES and not covered:
            return None
        return max(charges.mapped("channel_created_at") or [omni_order.channel_created_at])

    def _invoice_orders(self, omni_orders):
        """Create and post the invoices due; returns (omni order, invoice) pairs."""
        due = []
        for omni_order in omni_orders:
            at = self._invoice_due(omni_order)
            if at is not None:
                due.append((omni_order, self._channel_time(at).date()))
        pairs = []
        AccountMove = self.env["account.move"]
        for company in omni_orders.browse([order.id for order, __ in due]).company_id:
            items = [(order, day) for order, day in due if order.company_id == company]
            invoices = AccountMove.with_company(company).create(
                [self._invoice_vals(order, day) for order, day in items]
            )
            # A sale of a negative total (a till's return receipt) is a credit note.
            invoices.filtered(lambda m: m.amount_total < 0).action_switch_move_type()
            invoices.action_post()
            for (order, __), invoice in zip(items, invoices, strict=True):
                order.invoice_id = invoice
            pairs += [
                (order, invoice) for (order, __), invoice in zip(items, invoices, strict=True)
            ]
        return pairs

    def _invoice_vals(self, omni_order, day):
        """The invoice of an order: what it ordered (returns and refunds are credited apart),
        with the sale order's prices, discounts and taxes."""
        sale_order = omni_order.sale_order_id
        vals = sale_order._prepare_invoice()
        vals.update(
            invoice_date=day,
            omni_backend_id=omni_order.backend_id.id,
            omni_external_ref=omni_order.external_id,
            invoice_line_ids=[
                fields.Command.create(line._prepare_invoice_line(quantity=line.product_uom_qty))
                for line in sale_order.order_line
                if not line.display_type and line.product_uom_qty
            ],
        )
        return vals
