"""3PL shipments -> Odoo deliveries: the one path every warehouse's shipment goes through.

A shipment validates exactly what left the warehouse on the delivery still open for its
order (the rest becomes a backorder, Odoo's own), done at the warehouse's time, with the
carrier and tracking number on the delivery; its id makes it count once, whatever the order
in which shipments, duplicates and replays arrive. Unlike orders, a shipment is applied when
it is imported, not at the batch's flush: the next shipment of the same order in the batch
must find the backorder this one left.
"""

from odoo import _, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare, float_is_zero

from odoo.addons.queue_job.exception import RetryableJobError

from odoo.addons.omni_connector_base.tools.errors import MappingError

from ..const import WAIT_FOR_DELIVERY_SECONDS


class OmniImporter(models.AbstractModel):
    _inherit = "omni.importer"

    def import_shipment(self, backend, shipment):
        """Apply a :class:`~..tools.contract.Shipment` of ``backend``; the event's links."""
        self._lock(backend, "dispatch", shipment.order_reference)
        dispatch = self.env["omni.dispatch"].search(
            [("backend_id", "=", backend.id), ("name", "=", shipment.order_reference)], limit=1
        )
        if not dispatch:
            # The delivery may not be confirmed (or its order imported) yet: wait for it.
            raise RetryableJobError(
                _(
                    "No delivery %(reference)s was sent to %(backend)s (yet): shipment "
                    "%(shipment)s waits for it.",
                    reference=shipment.order_reference,
                    backend=backend.name,
                    shipment=shipment.shipment_id,
                ),
                seconds=WAIT_FOR_DELIVERY_SECONDS,
            )
        record = dispatch.shipment_ids.filtered(lambda s: s.external_id == shipment.shipment_id)
        if shipment.event == "shipped":
            return self._ship(dispatch, record, shipment)
        if not record and shipment.event == "delivered":
            raise RetryableJobError(
                _(
                    "Shipment %(shipment)s of %(reference)s is delivered but was not shipped "
                    "in Odoo: it waits for its shipped event.",
                    shipment=shipment.shipment_id,
                    reference=dispatch.name,
                ),
                seconds=WAIT_FOR_DELIVERY_SECONDS,
            )
        return self._record_status(dispatch, record, shipment)

    def _shipment_vals(self, shipment):
        vals = {
            "location_ref": shipment.location_id or False,
            "status_at": self._channel_time(shipment.occurred_at),
        }
        for key in ("carrier", "carrier_service", "tracking_number", "tracking_url"):
            if getattr(shipment, key):
                vals[key] = getattr(shipment, key)
        if shipment.status_reason:
            vals["status_reason"] = shipment.status_reason
        return vals

    def _ship(self, dispatch, record, shipment):
        if record.picking_id and record.state in ("shipped", "delivered"):
            return {
                "omni_dispatch_shipment_id": record.id,
                "result_note": _(
                    "Shipment %(shipment)s already validated %(picking)s: nothing changed.",
                    shipment=shipment.shipment_id,
                    picking=record.picking_id.name,
                ),
            }
        self._check_centre(dispatch, shipment)
        picking = dispatch._open_picking()
        if not picking:
            raise ValidationError(
                _(
                    "Shipment %(shipment)s ships %(reference)s, but nothing of it is left to "
                    "ship in Odoo (done or cancelled).",
                    shipment=shipment.shipment_id,
                    reference=dispatch.name,
                )
            )
        done_at = self._channel_time(shipment.occurred_at)
        self._set_shipped_quantities(picking, shipment)
        picking.write(
            {
                "omni_tracking_ref": shipment.tracking_number or picking.omni_tracking_ref,
                "omni_tracking_company": shipment.carrier or picking.omni_tracking_company,
            }
        )
        # Odoo's own validation: what was not shipped stays on a backorder.
        self._validate_transfers(picking, {picking.id: done_at})
        vals = {
            **self._shipment_vals(shipment),
            "state": "shipped",
            "picking_id": picking.id,
            "shipped_at": done_at,
            "lines_summary": "\n".join(
                f"{sku}: {quantity.normalize():f}"
                for sku, quantity in shipment.quantities().items()
            ),
        }
        if record:
            record.write(vals)
        else:
            record = record.create(
                {**vals, "dispatch_id": dispatch.id, "external_id": shipment.shipment_id}
            )
        dispatch._refresh_state()
        return {
            "omni_dispatch_shipment_id": record.id,
            "result_note": _(
                "Shipment %(shipment)s validated %(picking)s%(backorder)s.",
                shipment=shipment.shipment_id,
                picking=picking.name,
                backorder=_(", the rest is on %(name)s", name=dispatch._open_picking().name)
                if dispatch._open_picking()
                else "",
            ),
        }

    def _check_centre(self, dispatch, shipment):
        """A shipment from another centre than the one the delivery was sent to would take
        the goods out of the wrong warehouse."""
        if not shipment.location_id or not dispatch.location_id:
            return
        if shipment.location_id == dispatch.location_id.external_id:
            return
        other = self.env["omni.location"]._find(dispatch.backend_id, shipment.location_id)
        if other.warehouse_id != dispatch.location_id.warehouse_id:
            raise MappingError(
                _(
                    "Shipment %(shipment)s left fulfilment centre %(centre)s, but %(reference)s "
                    "was sent from %(expected)s (warehouse %(warehouse)s): map the centre to "
                    "that warehouse, or move the stock, then retry.",
                    shipment=shipment.shipment_id,
                    centre=shipment.location_id,
                    reference=dispatch.name,
                    expected=dispatch.location_id.display_name,
                    warehouse=dispatch.location_id.warehouse_id.name,
                ),
                kind="location",
                external_ref=shipment.location_id,
            )

    def _set_shipped_quantities(self, picking, shipment):
        """Put the shipped units on the delivery's moves (by SKU, in the product's unit),
        nothing on the others; raise before touching anything on an unknown SKU or more
        units than the delivery has left."""
        moves = picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        by_sku = {}
        for move in moves:
            by_sku.setdefault(move.product_id.default_code, []).append(move)
        plan = []
        for sku, quantity in shipment.quantities().items():
            sku_moves = by_sku.get(sku)
            if not sku_moves:
                raise MappingError(
                    _(
                        "Shipment %(shipment)s ships SKU %(sku)s, which %(picking)s does not "
                        "have left to ship.",
                        shipment=shipment.shipment_id,
                        sku=sku,
                        picking=picking.name,
                    ),
                    kind="product",
                    external_ref=sku,
                )
            product = sku_moves[0].product_id
            left = sum(
                m.product_uom._compute_quantity(m.product_uom_qty, product.uom_id)
                for m in sku_moves
            )
            rounding = product.uom_id.rounding
            if float_compare(float(quantity), left, precision_rounding=rounding) > 0:
                raise ValidationError(
                    _(
                        "Shipment %(shipment)s ships %(quantity)s %(sku)s, but %(picking)s has "
                        "only %(left)s left to ship.",
                        shipment=shipment.shipment_id,
                        quantity=f"{quantity.normalize():f}",
                        sku=sku,
                        picking=picking.name,
                        left=left,
                    )
                )
            plan.append((sku_moves, float(quantity)))
        shipped = set()
        for sku_moves, quantity in plan:
            for move in sku_moves:
                if float_is_zero(quantity, precision_rounding=move.product_id.uom_id.rounding):
                    break
                units = min(
                    quantity,
                    move.product_uom._compute_quantity(
                        move.product_uom_qty, move.product_id.uom_id
                    ),
                )
                move.quantity = move.product_id.uom_id._compute_quantity(units, move.product_uom)
                move.picked = True
                shipped.add(move.id)
                quantity -= units
        for move in moves.filtered(lambda m: m.id not in shipped):
            move.write({"quantity": 0, "picked": False})

    def _record_status(self, dispatch, record, shipment):
        """Delivered, exception, on hold, cancelled: recorded on the shipment and the delivery
        (an activity for the responsible when the warehouse cannot ship)."""
        vals = {**self._shipment_vals(shipment), "state": shipment.event}
        if shipment.event == "delivered":
            vals["delivered_at"] = self._channel_time(shipment.occurred_at)
        elif record.state in ("shipped", "delivered"):
            # A hold reported (or arriving) after the goods left changes nothing shipped.
            vals.pop("state")
        if record:
            record.write(vals)
        else:
            record = record.create(
                {**vals, "dispatch_id": dispatch.id, "external_id": shipment.shipment_id}
            )
        label = dict(record._fields["state"].selection)[shipment.event]
        message = _(
            "3PL shipment %(shipment)s: %(state)s%(reason)s",
            shipment=shipment.shipment_id,
            state=label,
            reason=f" ({shipment.status_reason})" if shipment.status_reason else "",
        )
        picking = record.picking_id or dispatch._open_picking() or dispatch.picking_id
        picking.message_post(body=message)
        if shipment.event in ("exception", "on_hold", "cancelled"):
            picking.activity_schedule(
                "mail.mail_activity_data_warning",
                user_id=(
                    dispatch.backend_id.responsible_user_id or self.env.ref("base.user_admin")
                ).id,
                summary=message,
            )
        return {"omni_dispatch_shipment_id": record.id, "result_note": message}

    def import_charge(self, backend, charge):
        """Record a :class:`~..tools.contract.Charge` once, as the cost of the order whose
        shipment it names (a charge for a shipment Odoo has not seen yet waits for it)."""
        self._lock(backend, "charge", charge.transaction_id)
        Charge = self.env["omni.dispatch.charge"]
        existing = Charge.search(
            [("backend_id", "=", backend.id), ("external_id", "=", charge.transaction_id)]
        )
        if existing:
            return {
                "result_note": _(
                    "Transaction %(id)s is recorded already.", id=charge.transaction_id
                )
            }
        shipment = self.env["omni.dispatch.shipment"]
        if charge.reference_type == "Shipment":
            shipment = shipment.search(
                [("backend_id", "=", backend.id), ("external_id", "=", charge.reference)]
            )
            if not shipment:
                raise RetryableJobError(
                    _(
                        "Transaction %(id)s charges shipment %(shipment)s, which Odoo has not "
                        "received yet: it waits for it.",
                        id=charge.transaction_id,
                        shipment=charge.reference,
                    ),
                    seconds=WAIT_FOR_DELIVERY_SECONDS,
                )
        currency = self._currency(charge.currency)
        company = backend.company_id
        amount = currency.round(float(charge.amount))
        record = Charge.create(
            {
                "backend_id": backend.id,
                "external_id": charge.transaction_id,
                "kind": charge.kind,
                "fee_type": charge.fee_type,
                "reference_type": charge.reference_type,
                "reference": charge.reference,
                "shipment_id": shipment.id,
                "dispatch_id": shipment.dispatch_id.id,
                "sale_id": shipment.dispatch_id.sale_id.id,
                "charged_on": charge.charged_on,
                "currency_id": currency.id,
                "amount": amount,
                "amount_company": currency._convert(
                    amount, company.currency_id, company, charge.charged_on
                ),
            }
        )
        return {
            "result_note": _(
                "%(kind)s %(amount)s %(currency)s (%(fee)s) on %(what)s.",
                kind=dict(Charge._fields["kind"].selection)[charge.kind],
                amount=f"{charge.amount:f}",
                currency=charge.currency,
                fee=charge.fee_type or "-",
                what=record.sale_id.name or record.dispatch_id.name or charge.reference or "-",
            )
        }
