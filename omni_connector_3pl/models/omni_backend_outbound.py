from odoo import _, fields, models
from odoo.tools import float_is_zero, float_round

from ..tools.adapter import ShipBobError


class OmniBackend(models.Model):
    """Deliveries of a 3PL warehouse out to the 3PL as orders, and their cancellation.

    Idempotent on Odoo's reference of the delivery (ShipBob's ``reference_id``): an order the
    3PL already has for it (an earlier attempt whose answer was lost) is adopted, never made
    twice. Throttling and outages retry the job (queue_job, ShipBob's Retry-After); a refusal
    (4xx) leaves the dispatch in error with ShipBob's words, an activity for the backend's
    responsible, and a Retry button."""

    _inherit = "omni.backend"  # pylint: disable=consider-merging-classes-inherited

    def _tpl_enqueue_send(self, dispatch):
        self.ensure_one()
        if self.tpl_provider != "shipbob":
            return  # a contract warehouse receives the deliveries its own way
        self.sudo()._omni_delay(
            _("Send %(delivery)s to %(backend)s", delivery=dispatch.name, backend=self.name)
        )._tpl_send_dispatch(dispatch)

    def _tpl_enqueue_cancel(self, dispatch):
        self.ensure_one()
        if self.tpl_provider != "shipbob":
            dispatch.state = "cancelled"
            return
        self.sudo()._omni_delay(
            _("Cancel %(delivery)s at %(backend)s", delivery=dispatch.name, backend=self.name)
        )._tpl_cancel_dispatch(dispatch)

    # ------------------------------------------------------------------------------------
    # Jobs (root.omni.3pl): they run as the user who confirmed the delivery, so sudo
    # ------------------------------------------------------------------------------------

    def _tpl_send_dispatch(self, dispatch):
        """Job: the delivery as a ShipBob order (adopting the one ShipBob already has)."""
        self.ensure_one()
        backend, dispatch = self.sudo(), dispatch.sudo()
        # Shipped before this job ran (ShipBob had it from an attempt whose answer was
        # lost): only its ShipBob id is left to record.
        adopt_only = dispatch.state in ("partial", "shipped") and not dispatch.external_id
        if dispatch.state not in ("to_send", "error") and not adopt_only:
            return _(
                "%(name)s is %(state)s: nothing to send", name=dispatch.name, state=dispatch.state
            )
        if dispatch.picking_id.state == "cancel":
            dispatch.state = "cancelled"
            return _("%(name)s was cancelled before it was sent", name=dispatch.name)
        self.env["omni.importer"]._lock(backend, "dispatch", dispatch.name)
        adapter = backend._shipbob_adapter()
        try:
            order = next(iter(adapter.orders_by_reference([dispatch.name])), None)
            adopted = bool(order)
            if not order and adopt_only:
                return backend._tpl_dispatch_failed(
                    dispatch,
                    _("%(name)s shipped, but ShipBob has no order for it", name=dispatch.name),
                )
            if not order:
                try:
                    body = backend._shipbob_order_body(dispatch)
                    order = adapter.create_order(body)
                except ShipBobError as err:
                    # Another attempt made it meanwhile: ShipBob refuses a second reference.
                    order = err.status == 422 and next(
                        iter(adapter.orders_by_reference([dispatch.name])), None
                    )
                    if not order:
                        return backend._tpl_dispatch_failed(dispatch, str(err))
                    adopted = True
        finally:
            adapter.close()
        vals = {"external_id": str(order["id"]), "error_message": False}
        if not adopt_only:
            vals.update(state="sent", sent_at=fields.Datetime.now())
        dispatch.write(vals)
        dispatch._refresh_state()
        # Shipments that came before the order was known wait for it: now they can go.
        self.env["omni.event"].search(
            [
                ("backend_id", "=", backend.id),
                ("external_id", "=like", f"{dispatch.name}#%"),
                ("state", "=", "waiting"),
            ]
        )._process_soon()
        if adopted:
            return _(
                "%(name)s is ShipBob order %(id)s (adopted)", name=dispatch.name, id=order["id"]
            )
        return _("%(name)s sent as ShipBob order %(id)s", name=dispatch.name, id=order["id"])

    def _tpl_dispatch_failed(self, dispatch, message):
        dispatch.write({"state": "error", "error_message": message})
        dispatch.picking_id.activity_schedule(
            "mail.mail_activity_data_warning",
            user_id=(self.responsible_user_id or self.env.ref("base.user_admin")).id,
            summary=_("The 3PL refused %(name)s", name=dispatch.name),
            note=message,
        )
        return message

    def _shipbob_order_body(self, dispatch):
        """ShipBob's CreateOrderModel of the delivery (raises ShipBobError for what ShipBob
        could never accept: a product without SKU, a fraction of a unit)."""
        picking = dispatch.picking_id
        partner = picking.partner_id
        products = {}
        for move in picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
            product = move.product_id
            if not product.default_code:
                raise ShipBobError(
                    _(
                        "%(product)s has no internal reference (the 3PL's SKU)",
                        product=product.display_name,
                    )
                )
            quantity = move.product_uom._compute_quantity(move.product_uom_qty, product.uom_id)
            products[product] = products.get(product, 0.0) + quantity
        lines = []
        for product, quantity in products.items():
            units = float_round(quantity, precision_digits=0)
            if not float_is_zero(quantity - units, precision_digits=6):
                raise ShipBobError(
                    _(
                        "%(quantity)s %(product)s: the 3PL ships whole units only",
                        quantity=quantity,
                        product=product.display_name,
                    )
                )
            lines.append(
                {
                    "reference_id": product.default_code,
                    "sku": product.default_code,
                    "name": product.display_name,
                    "quantity": int(units),
                }
            )
        sale = picking.sale_id
        address = {
            "address1": partner.street or "",
            "city": partner.city or "",
            "country": partner.country_id.code or "",
        }
        for key, value in (
            ("address2", partner.street2),
            ("state", partner.state_id.code),
            ("zip_code", partner.zip),
            ("company_name", partner.commercial_partner_id.name if partner.parent_id else None),
        ):
            if value:
                address[key] = value
        recipient = {"name": partner.name or "", "address": address}
        if partner.email:
            recipient["email"] = partner.email
        if partner.phone or partner.mobile:
            recipient["phone_number"] = partner.phone or partner.mobile
        body = {
            "reference_id": dispatch.name,
            "order_number": sale.name or picking.origin or dispatch.name,
            "type": "DTC",
            "shipping_method": self.tpl_shipping_method or "Standard",
            "recipient": recipient,
            "products": lines,
            "purchase_date": fields.Datetime.to_datetime(
                sale.date_order or picking.scheduled_date
            ).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if dispatch.location_id.external_id.isdigit():
            body["location_id"] = int(dispatch.location_id.external_id)
        return body

    def _tpl_cancel_dispatch(self, dispatch):
        """Job: cancel the delivery's ShipBob order (one it shipped already stays, shown)."""
        self.ensure_one()
        backend, dispatch = self.sudo(), dispatch.sudo()
        if dispatch.state != "cancel_requested":
            return _(
                "%(name)s is %(state)s: nothing to cancel", name=dispatch.name, state=dispatch.state
            )
        self.env["omni.importer"]._lock(backend, "dispatch", dispatch.name)
        adapter = backend._shipbob_adapter()
        try:
            order_id = dispatch.external_id
            if not order_id:
                order = next(iter(adapter.orders_by_reference([dispatch.name])), None)
                order_id = order and order["id"]
            if not order_id:
                dispatch.state = "cancelled"
                return _("%(name)s never reached ShipBob", name=dispatch.name)
            try:
                adapter.cancel_order(order_id)
            except ShipBobError as err:
                dispatch.message_post(body=_("ShipBob did not cancel: %(error)s", error=str(err)))
                return backend._tpl_dispatch_failed(dispatch, str(err))
        finally:
            adapter.close()
        dispatch.write({"state": "cancelled", "external_id": str(order_id)})
        return _("ShipBob order %(id)s cancelled", id=order_id)
