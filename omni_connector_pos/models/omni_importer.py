from odoo import api, fields, models

from odoo.addons.omni_connector_base.models.omni_importer import canonical_digest


class OmniImporter(models.AbstractModel):
    _inherit = "omni.importer"

    @api.model
    def import_booked_order(self, backend, order, products, partner=None):
        """Mirror an order that Odoo itself already booked (its own Point of Sale): the
        omni.order and its lines, no sale order (no second accounting entry). Idempotent on
        the canonical digest, like ``import_order``."""
        self._lock(backend, "order", order.external_id)
        omni_order = self.env["omni.order"]._find(backend, order.external_id)
        digest = canonical_digest(order)
        if omni_order and omni_order.content_digest == digest:
            return omni_order
        currency = self._currency(order.currency)
        financial, fulfillment, __ = self._status_of(backend, order)
        vals = {
            **self._omni_order_vals(backend, order, currency),
            "external_id": order.external_id,
            "booked_in_odoo": True,
            "partner_id": (partner or backend.default_partner_id).id or False,
            "content_digest": digest,
            "financial_state": financial,
            "fulfillment_state": fulfillment,
            "line_ids": [fields.Command.clear()]
            + [
                fields.Command.create(
                    {
                        "external_id": line.external_id,
                        "name": line.name,
                        "sku": line.sku,
                        "product_id": products.get(line.external_id),
                        "quantity": float(line.quantity),
                        "price_unit": float(line.price_unit),
                        "discount_amount": float(line.discount_amount),
                    }
                )
                for line in order.lines
            ],
        }
        if omni_order:
            omni_order.write(vals)
        else:
            omni_order = self.env["omni.order"].create(vals)
        return omni_order
