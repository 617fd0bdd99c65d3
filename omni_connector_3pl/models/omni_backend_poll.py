from odoo import _, api, models

from ..const import CHANNEL, POLL_CHUNK, SHIPMENT_TOPIC_PREFIX


class OmniBackend(models.Model):
    """The drift backfill of lost webhooks: ShipBob's shipments of the dispatches still open,
    polled, stored as events the same webhooks would have made and processed the same way."""

    _inherit = "omni.backend"  # pylint: disable=consider-merging-classes-inherited

    def action_tpl_poll_shipments(self):
        self._omni_check_manager()
        for backend in self:
            backend._omni_delay(
                _("Poll the shipments of %(backend)s", backend=backend.name)
            )._tpl_poll_shipments()
        return True

    @api.model
    def _cron_tpl_poll_shipments(self):
        """Cron: only enqueues one poll per active 3PL backend."""
        for backend in self.search([("channel", "=", CHANNEL), ("tpl_provider", "=", "shipbob")]):
            backend._omni_delay(
                _("Poll the shipments of %(backend)s", backend=backend.name)
            )._tpl_poll_shipments()

    def _tpl_poll_shipments(self):
        """Job: each shipped shipment ShipBob has for an open dispatch that Odoo has not
        validated becomes a shipped event, keyed by its content (one polled twice unchanged
        is stored once; its webhook arriving later changes nothing: a shipment counts once)."""
        self.ensure_one()
        backend = self.sudo()
        stream = backend._stream("shipments")
        dispatches = self.env["omni.dispatch"].search(
            [
                ("backend_id", "=", backend.id),
                ("state", "in", ("sent", "partial")),
                ("external_id", "!=", False),
            ]
        )
        known = set(
            dispatches.shipment_ids.filtered(lambda s: s.state in ("shipped", "delivered")).mapped(
                "external_id"
            )
        )
        vals_list = []
        adapter = backend._shipbob_adapter()
        try:
            ids = [int(d.external_id) for d in dispatches if d.external_id.isdigit()]
            for start in range(0, len(ids), POLL_CHUNK):
                for order in adapter.orders_by_id(ids[start : start + POLL_CHUNK]):
                    for shipment in order.get("shipments") or []:
                        if (
                            shipment.get("status") != "Completed"
                            or str(shipment.get("id")) in known
                        ):
                            continue
                        shipment = {
                            **shipment,
                            "reference_id": shipment.get("reference_id") or order["reference_id"],
                        }
                        vals_list.append(
                            backend._omni_event_vals(
                                f"{SHIPMENT_TOPIC_PREFIX}shipped",
                                shipment,
                                f"{shipment['reference_id']}#{shipment['id']}",
                            )
                        )
        finally:
            adapter.close()
        new_events, duplicates = self.env["omni.event"]._receive(backend, vals_list, source="poll")
        new_events.filtered(lambda e: e.state == "received")._enqueue()
        stream._mark_success()
        return _(
            "%(dispatches)s open dispatch(es) polled: %(new)s shipment(s) to apply, %(dup)s "
            "seen before",
            dispatches=len(dispatches),
            new=len(new_events),
            dup=len(duplicates),
        )
