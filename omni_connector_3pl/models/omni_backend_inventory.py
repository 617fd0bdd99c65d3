from collections import defaultdict

from odoo import _, api, fields, models

from ..const import CHANNEL, INVENTORY_PAGE_SIZE


class OmniBackend(models.Model):
    """The 3PL's fulfilment centres as locations of the backend, and their stock as channel
    stock levels (``omni.stock.level``), which the reconciliation compares with the mapped
    warehouse's available quantity (stock drift)."""

    _inherit = "omni.backend"  # pylint: disable=consider-merging-classes-inherited

    def action_tpl_pull_centres(self):
        """List ShipBob's fulfilment centres as locations (a manager maps each to a
        warehouse and ticks *Send Deliveries*)."""
        self._omni_check_manager()
        self.ensure_one()
        adapter = self._shipbob_adapter()
        try:
            centres = adapter.fulfillment_centers()
        finally:
            adapter.close()
        Location = self.env["omni.location"]
        for centre in centres:
            if not Location._find(self, centre.get("id")):
                Location.create(
                    {
                        "backend_id": self.id,
                        "external_id": str(centre["id"]),
                        "name": centre.get("name") or str(centre["id"]),
                    }
                )
        return True

    def action_tpl_pull_inventory(self):
        self._omni_check_manager()
        for backend in self:
            backend._omni_delay(
                _("Pull the stock of %(backend)s", backend=backend.name)
            )._tpl_pull_inventory()
        return True

    @api.model
    def _cron_tpl_pull_inventory(self):
        """Cron: only enqueues one inventory pull per active 3PL backend."""
        for backend in self.search([("channel", "=", CHANNEL), ("tpl_provider", "=", "shipbob")]):
            backend._omni_delay(
                _("Pull the stock of %(backend)s", backend=backend.name)
            )._tpl_pull_inventory()

    def _tpl_pull_inventory(self):
        """Job: each item's fulfillable quantity (on hand less committed, as Odoo's available
        is on hand less reserved) at each mapped centre, as a stock level of its product (by
        SKU). Unknown SKUs and centres are counted in the result, not guessed."""
        self.ensure_one()
        backend = self.sudo()
        stream = backend._stream("inventory")
        reported_at = fields.Datetime.now()
        per_location = defaultdict(dict)
        unknown_skus, unknown_centres = set(), set()
        adapter = backend._shipbob_adapter()
        try:
            items = list(adapter.inventory_by_location(INVENTORY_PAGE_SIZE))
        finally:
            adapter.close()
        Product = self.env["product.product"].with_company(backend.company_id)
        skus = {item.get("sku") for item in items if item.get("sku")}
        products = {
            p.default_code: p
            for p in Product.search(
                [
                    ("default_code", "in", list(skus)),
                    ("company_id", "in", (False, backend.company_id.id)),
                ]
            )
        }
        locations = {
            loc.external_id: loc
            for loc in self.env["omni.location"].search([("backend_id", "=", backend.id)])
        }
        for item in items:
            product = products.get(item.get("sku"))
            if not product:
                unknown_skus.add(item.get("sku") or str(item.get("inventory_id")))
                continue
            for level in item.get("locations") or []:
                location = locations.get(str(level.get("location_id")))
                if not location:
                    unknown_centres.add(str(level.get("location_id")))
                    continue
                quantity = level.get("fulfillable_quantity") or 0
                per_location[location][product] = (quantity, str(item.get("inventory_id")))
        StockLevel = self.env["omni.stock.level"]
        for location, quantities in per_location.items():
            StockLevel._record_channel_quantities(location, quantities, reported_at)
        stream._mark_success(reported_at)
        return _(
            "%(levels)s stock level(s) at %(centres)s centre(s); unknown SKUs: %(skus)s; "
            "unmapped centres: %(unmapped)s",
            levels=sum(len(q) for q in per_location.values()),
            centres=len(per_location),
            skus=", ".join(sorted(unknown_skus)) or _("none"),
            unmapped=", ".join(sorted(unknown_centres)) or _("none"),
        )
