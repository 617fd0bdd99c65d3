"""Returns (RMAs): a channel return is checked and stored at once; at the flush what the
channel processed comes back into stock through validated returns of the deliveries, and
its exchange items become new lines of the sale order. Goods follow returns, money follows
refunds (see ``omni_importer_refund``)."""

from odoo import _, api, fields, models
from odoo.tools import float_compare

from ..tools.dates import to_odoo
from ..tools.errors import MappingError, PayloadError
from .omni_importer import ReturnPlan, batched
from .omni_return import RETURN_STATES


class OmniImporter(models.AbstractModel):
    _inherit = "omni.importer"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    @batched
    def import_return(self, backend, ret, omni_order=None):
        """Apply a channel return; returns its omni.return. Goods follow returns: what the
        channel processed and Odoo has not taken back yet comes back into stock through a
        validated return of the delivery (once per unit however often the return is
        imported); exchange items of an open or closed return become new lines of the sale
        order (which then delivers them). Everything is checked before anything is written;
        the goods move at the flush, which writes the return's ``sync_note``."""
        self._lock(backend, "return", ret.external_id)
        omni_order = omni_order or self.env["omni.order"]._find(backend, ret.order_external_id)
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
        batch = self._batch()
        sold = self._sold_lines(omni_order)
        for ret_line in ret.lines:
            if ret_line.order_line_external_id not in sold:
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
            known = set(omni_order.line_ids.mapped("external_id"))
            new_lines = [line for line in ret.exchange_lines if line.external_id not in known]
            if new_lines:
                exchange = self._exchange_plan(backend, ret, omni_order, new_lines)
        record = self._upsert_return(backend, ret, state, omni_order, record)
        batch.returns.append(
            ReturnPlan(
                backend, record, state not in ("declined", "canceled"), exchange, batch.source
            )
        )
        return record

    def _flush_returns(self, batch):
        """Move the goods of the batch's returns, add their exchange items, note what could
        not be done."""
        plans, batch.returns = batch.returns, []
        for plan in plans:
            record = plan.record
            notes = self._restock_return(record) if plan.restock else []
            # the same return planned twice in the batch adds its exchange items once
            known = set(record.omni_order_id.line_ids.mapped("external_id"))
            exchange = [
                item for item in plan.exchange if item.omni_vals["external_id"] not in known
            ]
            if exchange:
                self._add_exchange_lines(plan.backend, record, exchange)
            if record.exchange_line_ids:
                self._swap_exchanged_quantities(record)
            record.sync_note = "\n".join(notes) or False
            batch.note(plan.source, record.sync_note)

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
        vals = {
            "backend_id": backend.id,
            "external_id": ret.external_id,
            "name": ret.name or ret.external_id,
            "omni_order_id": omni_order.id,
            "state": state,
            "channel_status": ret.status,
            "channel_created_at": to_odoo(ret.created_at),
            "closed_at": to_odoo(ret.closed_at),
            "sync_note": False,  # written by the flush
        }
        if record:
            record.write(vals)
        else:
            record = self.env["omni.return"].create(vals)
        # the booked refunds the channel says settle it (a later one links itself)
        settling = omni_order.refund_ids.filtered(
            lambda r: r.external_id in ret.refund_external_ids and r.return_id != record
        )
        settling.return_id = record
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
        # The canonical return has no time of its goods' receipt: it is closed by then, else
        # its request time is the channel's only date.
        pickings, returned = self._return_goods(
            sale_order,
            [(line.sale_line_id, qty) for line, qty in restock],
            record.external_id,
            self._channel_time(record.closed_at or record.channel_created_at),
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
        """Check the exchange items before anything is written: a LinePlan for each."""
        sale_order = omni_order.sale_order_id
        if not sale_order and not self._batch().is_pending(omni_order):
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
        if sale_order:  # a pending one is checked when it is made
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
        for item in plan:
            index.append(len(vals_list))
            vals_list.append({**item.sale_vals, "order_id": sale_order.id})
            if item.discount_vals:
                vals_list.append({**item.discount_vals, "order_id": sale_order.id})
        sale_lines = self.env["sale.order.line"].create(vals_list)
        self.env["omni.order.line"].create(
            [
                {
                    **item.omni_vals,
                    "order_id": omni_order.id,
                    "return_id": record.id,
                    "sale_line_id": sale_lines[position].id,
                }
                for position, item in zip(index, plan, strict=True)
            ]
        )
        sale_lines.move_ids.write(
            {"omni_backend_id": backend.id, "omni_external_ref": sale_order.omni_external_ref}
        )
