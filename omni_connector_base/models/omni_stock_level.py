from odoo import api, fields, models


class OmniStockLevel(models.Model):
    """The quantity a channel shows for a product at one of its locations.

    Written by the connectors from inventory pulls and webhooks (``channel_quantity``) and by
    stock pushes (``pushed_quantity``), so that pushes send only what changed and the
    reconciliation can compare what the channel sells against what Odoo has.
    """

    _name = "omni.stock.level"
    _description = "Omnichannel Stock Level"
    _order = "backend_id, location_id, product_id"

    backend_id = fields.Many2one("omni.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    channel = fields.Selection(related="backend_id.channel", store=True)
    location_id = fields.Many2one("omni.location", required=True, ondelete="cascade", index=True)
    warehouse_id = fields.Many2one(related="location_id.warehouse_id", store=True)
    product_id = fields.Many2one("product.product", required=True, ondelete="cascade", index=True)
    inventory_item_ref = fields.Char(
        string="Channel Item", help="The channel's id of the stocked item (e.g. an inventory item)."
    )
    channel_quantity = fields.Float(
        digits="Product Unit of Measure", help="Available quantity the channel last reported."
    )
    channel_updated_at = fields.Datetime(help="When the channel reported that quantity.")
    pushed_quantity = fields.Float(
        digits="Product Unit of Measure", help="Quantity Odoo last sent to the channel."
    )
    pushed_at = fields.Datetime()

    _sql_constraints = [
        (
            "location_product_uniq",
            "UNIQUE(location_id, product_id)",
            "There is already a stock level for this product at this location.",
        ),
    ]

    @api.model
    def _record_channel_quantities(self, location, quantities, reported_at):
        """Store what the channel reports: ``quantities`` maps product → (quantity, item ref).
        Older reports never overwrite newer ones."""
        product_ids = [product.id for product in quantities]
        domain = [("location_id", "=", location.id), ("product_id", "in", product_ids)]
        existing = {level.product_id: level for level in self.search(domain)}
        to_create = []
        for product, (quantity, item_ref) in quantities.items():
            level = existing.get(product)
            vals = {"channel_quantity": float(quantity), "channel_updated_at": reported_at}
            if item_ref:
                vals["inventory_item_ref"] = item_ref
            if not level:
                to_create.append(
                    {
                        **vals,
                        "backend_id": location.backend_id.id,
                        "location_id": location.id,
                        "product_id": product.id,
                    }
                )
            elif not level.channel_updated_at or level.channel_updated_at <= reported_at:
                level.write(vals)
        return self.create(to_create)
