import uuid

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import RetryableJobError

from odoo.addons.omni_connector_base.tools.dates import to_odoo

from ..const import OPEN_FULFILLMENT_ORDER, STOCK_STREAM
from ..tools import queries
from ..tools.adapter import ShopifyConnectionError
from ..tools.inventory import (
    batches,
    gid,
    idempotency_key,
    parse_inventory_level_graphql,
    parse_inventory_level_rest,
    push_quantity,
    refused_indexes,
    set_quantities_input,
    stock_deltas,
)
from ..tools.shapes import gid_tail


def _known_quantity(level):
    """What the shop has now as far as Odoo knows: the newer of its last report and of the
    last push; None when neither happened (the quantity is then sent)."""
    reported, pushed = level.channel_updated_at, level.pushed_at
    if reported and (not pushed or reported > pushed):
        return int(level.channel_quantity)
    if pushed:
        return int(level.pushed_quantity)
    return None


class OmniBackend(models.Model):
    """Stock side of a Shopify shop: its locations mapped to warehouses, available quantities
    pushed per mapped location, inventory webhooks, and done deliveries pushed as fulfilments."""

    _inherit = "omni.backend"  # pylint: disable=consider-merging-classes-inherited

    shopify_push_fulfillments = fields.Boolean(
        string="Push Fulfilments",
        help="Send each done delivery of a Shopify order, with its tracking number, to the "
        "shop as a fulfilment.",
    )

    # ------------------------------------------------------------------------------------
    # Locations and inventory items
    # ------------------------------------------------------------------------------------

    def action_shopify_pull_locations(self):
        self._omni_check_manager()
        return self._shopify_enqueue("_shopify_pull_locations")

    def action_shopify_open_locations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "omni_connector_base.omni_location_action"
        )
        action["domain"] = [("backend_id", "=", self.id)]
        action["context"] = {"default_backend_id": self.id}
        return action

    def _shopify_pull_locations(self):
        """Job: every location of the shop as an omni.location (new ones unmapped, a manager
        maps them to a warehouse), then the inventory item of every variant bound to its Odoo
        product (variants matched by mapping, SKU or barcode)."""
        self.ensure_one()
        adapter = self._shopify_adapter()
        Location = self.env["omni.location"].with_context(active_test=False)
        created = updated = 0
        for node in self._shopify_pages(adapter, queries.LOCATIONS_QUERY, ["locations"]):
            external_id = gid_tail(node["id"])
            location = Location._find(self, external_id)
            vals = {"name": node["name"], "active": bool(node.get("isActive"))}
            if location:
                if any(location[key] != value for key, value in vals.items()):
                    location.write(vals)
                    updated += 1
            else:
                Location.create(
                    {**vals, "backend_id": self.id, "external_id": external_id, "kind": "location"}
                )
                created += 1
        bound = self._shopify_bind_inventory_items(adapter)
        return _(
            "%(created)s location(s) created, %(updated)s updated; %(bound)s",
            created=created,
            updated=updated,
            bound=bound,
        )

    def _shopify_bind_inventory_items(self, adapter):
        Binding = self.env["omni.external.id"]
        variants = list(
            self._shopify_pages(adapter, queries.INVENTORY_ITEMS_QUERY, ["productVariants"])
        )
        # variants not bound yet are matched like the product pull does (SKU, then barcode)
        known = Binding._lookup(self, "product", {gid_tail(v["id"]) for v in variants})
        unbound = [
            {
                "external_id": gid_tail(v["id"]),
                "sku": (v.get("sku") or "").strip(),
                "barcode": (v.get("barcode") or "").strip(),
                "name": "",
            }
            for v in variants
            if gid_tail(v["id"]) not in known
        ]
        if unbound:
            self._shopify_match_variants(unbound, strict=False)
            known = Binding._lookup(self, "product", {gid_tail(v["id"]) for v in variants})
        items = Binding._lookup(
            self,
            "inventory_item",
            {gid_tail(v["inventoryItem"]["id"]) for v in variants if v.get("inventoryItem")},
        )
        bound = untracked = 0
        for variant in variants:
            product = known.get(gid_tail(variant["id"]))
            item = variant.get("inventoryItem") or {}
            if not product or not item.get("id"):
                continue
            if not item.get("tracked"):
                untracked += 1  # Shopify keeps no quantity for it: nothing to push
                continue
            item_id = gid_tail(item["id"])
            if items.get(item_id) != product:
                Binding._bind(self, "inventory_item", item_id, product)
                bound += 1
        return _(
            "%(bound)s inventory item(s) bound, %(untracked)s untracked, %(unknown)s variant(s) "
            "without Odoo product",
            bound=bound,
            untracked=untracked,
            unknown=sum(1 for v in variants if gid_tail(v["id"]) not in known),
        )

    # ------------------------------------------------------------------------------------
    # Stock push
    # ------------------------------------------------------------------------------------

    def action_shopify_push_stock(self):
        self._omni_check_manager()
        return self._shopify_enqueue("_shopify_push_stock")

    @api.model
    def _cron_shopify_heal_stock(self):
        """Re-read the levels of every pushed location and push what drifted."""
        self._shopify_stock_backends()._shopify_enqueue("_shopify_push_stock", refresh=True)

    @api.model
    def _shopify_stock_backends(self, warehouses=None):
        domain = [
            ("channel", "=", "shopify"),
            ("stock_sync", "=", True),
            ("warehouse_id", "!=", False),
            ("backend_id.active", "=", True),
            ("backend_id.state", "!=", "disconnected"),
        ]
        if warehouses is not None:
            domain.append(("warehouse_id", "in", warehouses.ids))
        return self.env["omni.location"].sudo().search(domain).backend_id

    @api.model
    def _shopify_stock_changed(self, warehouses):
        """Stock moved in these warehouses: queue a push for the backends selling from them
        (one pending push per backend: a burst of stock moves gives one job)."""
        if not warehouses:
            return
        self._shopify_stock_backends(warehouses)._shopify_enqueue("_shopify_push_stock")

    def _shopify_push_locations(self):
        return self.env["omni.location"].search(
            [
                ("backend_id", "=", self.id),
                ("stock_sync", "=", True),
                ("warehouse_id", "!=", False),
            ]
        )

    def _shopify_push_stock(self, refresh=False):
        """Job: set the available quantity of every bound inventory item at every pushed
        location to what its warehouse can sell, sending only the quantities that differ from
        what the shop is known to have (last push or newer report), ≤ 250 per mutation, each
        with an idempotency key stable across retries of this job. ``refresh`` first re-reads
        the shop's levels (drift healing). Throttled after some batches: what was sent is kept
        and the rest continues in a new job once the bucket has refilled."""
        self.ensure_one()
        stream = self._stream(STOCK_STREAM)
        locations = self._shopify_push_locations()
        bindings = self.env["omni.external.id"].search(
            [
                ("backend_id", "=", self.id),
                ("kind", "=", "inventory_item"),
                ("res_model", "=", "product.product"),
            ]
        )
        items = {}  # product id -> inventory item gid
        for binding in bindings:
            items.setdefault(binding.res_id, gid("InventoryItem", binding.external_id))
        if not locations or not items:
            return _("Nothing to push: no pushed location or no bound inventory item.")
        adapter = self._shopify_adapter()
        seed = self.env.context.get("job_uuid") or uuid.uuid4().hex
        Level = self.env["omni.stock.level"]
        products = self.env["product.product"].browse(list(items)).exists()
        # quantities moved earlier in this transaction must be read afresh
        products.invalidate_recordset(["free_qty"])
        sent = batch_count = 0
        errors = []
        try:
            if refresh:
                for location in locations:
                    self._shopify_refresh_levels(adapter, location, items)
            for location in locations:
                stocked = products.with_context(warehouse=location.warehouse_id.id)
                desired = {items[p.id]: push_quantity(p.free_qty) for p in stocked}
                levels = {
                    items[level.product_id.id]: level
                    for level in Level.search(
                        [("location_id", "=", location.id), ("product_id", "in", products.ids)]
                    )
                }
                known = {item: _known_quantity(level) for item, level in levels.items()}
                product_of = {items[p.id]: p for p in products}
                for batch in batches(stock_deltas(desired, known)):
                    applied, refused = self._shopify_send_batch(adapter, seed, location, batch)
                    batch_count += 1
                    errors.extend(refused)
                    if applied:
                        self._shopify_record_pushed(location, applied, levels, product_of)
                        sent += len(applied)
        except RetryableJobError as err:
            if not batch_count:
                raise  # nothing sent: queue_job retries this job after the delay
            self._shopify_enqueue("_shopify_push_stock", eta=err.seconds)
            return _("%(sent)s quantity(ies) sent; paused: %(error)s", sent=sent, error=err)
        except ShopifyConnectionError as err:
            stream._mark_error(str(err))
            return _("Stock push stopped: %(error)s", error=err)
        if errors:
            stream._mark_error("\n".join(errors))
        else:
            stream._mark_success()
        return _(
            "%(sent)s quantity(ies) sent in %(batches)s mutation(s)%(errors)s",
            sent=sent,
            batches=batch_count,
            errors=("; " + _("refused: %(refs)s", refs=" | ".join(errors))) if errors else "",
        )

    def _shopify_send_batch(self, adapter, seed, location, batch):
        """One inventorySetQuantities; Shopify applies all of it or nothing, so the items it
        refuses (not stocked at the location...) are reported and the rest is sent again
        without them, once. Returns (applied (item, quantity) pairs, error messages)."""
        location_gid = gid("Location", location.external_id)
        errors = []
        for __ in range(2):
            value = set_quantities_input(location_gid, batch)
            result = adapter.execute(
                queries.INVENTORY_SET_QUERY,
                {"input": value, "key": idempotency_key([seed, location.id], value)},
            ).get("inventorySetQuantities")
            problems = (result or {}).get("userErrors") or []
            if result is not None and not problems:
                return batch, errors
            pointed = refused_indexes(problems, each=True)
            errors.append(
                _(
                    "%(location)s: %(errors)s",
                    location=location.name,
                    errors="; ".join(
                        f"{e.get('code')}: {e.get('message')}"
                        + (f" ({batch[i][0]})" if i is not None and i < len(batch) else "")
                        for e, i in zip(problems, pointed, strict=True)
                    )
                    or _("no answer"),
                )
            )
            refused = refused_indexes(problems) if result is not None else None
            if not refused:
                return [], errors
            batch = [pair for index, pair in enumerate(batch) if index not in refused]
            if not batch:
                return [], errors
        return [], errors

    def _shopify_record_pushed(self, location, batch, levels, product_of):
        now = fields.Datetime.now()
        to_create = []
        for item, quantity in batch:
            vals = {
                "pushed_quantity": quantity,
                "pushed_at": now,
                "inventory_item_ref": gid_tail(item),
            }
            if item in levels:
                levels[item].write(vals)
            else:
                to_create.append(
                    {
                        **vals,
                        "backend_id": self.id,
                        "location_id": location.id,
                        "product_id": product_of[item].id,
                    }
                )
        if to_create:
            self.env["omni.stock.level"].create(to_create)

    def _shopify_refresh_levels(self, adapter, location, items):
        """The shop's available quantities at a location into omni.stock.level."""
        product_of = {item: product_id for product_id, item in items.items()}
        Product = self.env["product.product"]
        by_time = {}
        for node in self._shopify_pages(
            adapter,
            queries.INVENTORY_LEVELS_QUERY,
            ["location", "inventoryLevels"],
            {"location": gid("Location", location.external_id)},
        ):
            item, available, updated_at = parse_inventory_level_graphql(node)
            if item in product_of:
                by_time.setdefault(to_odoo(updated_at), {})[Product.browse(product_of[item])] = (
                    available,
                    gid_tail(item),
                )
        for reported_at, quantities in by_time.items():
            self.env["omni.stock.level"]._record_channel_quantities(
                location, quantities, reported_at
            )

    # ------------------------------------------------------------------------------------
    # Webhooks
    # ------------------------------------------------------------------------------------

    def _shopify_handle_inventory_level(self, event, data):
        level = parse_inventory_level_rest(data)
        location = self.env["omni.location"]._find(self, gid_tail(level["location_id"]))
        if not location:
            return {
                "result_note": _(
                    "Location %s is not known: pull the locations.", gid_tail(level["location_id"])
                )
            }
        item_id = gid_tail(level["inventory_item_id"])
        product = (
            self.env["omni.external.id"]._lookup(self, "inventory_item", [item_id]).get(item_id)
        )
        if not product:
            return {
                "result_note": _(
                    "Inventory item %(item_id)s is bound to no Odoo product.", item_id=item_id
                )
            }
        reported_at = to_odoo(level["updated_at"])
        self.env["omni.stock.level"]._record_channel_quantities(
            location, {product: (level["available"], item_id)}, reported_at
        )
        stored = self.env["omni.stock.level"].search(
            [("location_id", "=", location.id), ("product_id", "=", product.id)]
        )
        if stored.channel_updated_at and stored.channel_updated_at > reported_at:
            return {"result_note": _("Older than the quantity stored: ignored.")}
        return {
            "result_note": _(
                "%(product)s at %(location)s: %(qty)s available",
                product=product.display_name,
                location=location.name,
                qty=level["available"],
            )
        }

    def _shopify_handle_fulfillment(self, event, data):
        # admin_graphql_api_id is exact; REST ids above 2**53 may have been rounded
        fulfillment_id = gid_tail(data.get("admin_graphql_api_id") or data.get("id") or "")
        # a delivery shipped from several locations keeps their fulfilment ids comma-joined
        picking = (
            self.env["stock.picking"].search(
                [
                    "|",
                    ("omni_fulfillment_ref", "=", fulfillment_id),
                    "|",
                    ("omni_fulfillment_ref", "=like", f"{fulfillment_id},%"),
                    ("omni_fulfillment_ref", "=like", f"%,{fulfillment_id}"),
                ],
                limit=1,
            )
            if fulfillment_id
            else self.env["stock.picking"]
        )
        return {
            "result_note": _(
                "Fulfilment %(id)s of order %(order)s: %(status)s%(picking)s",
                id=fulfillment_id or "?",
                order=data.get("order_id") or "?",
                status=data.get("status") or "?",
                picking=_(" (delivery %(picking)s)", picking=picking.name) if picking else "",
            )
        }

    # ------------------------------------------------------------------------------------
    # Fulfilment push
    # ------------------------------------------------------------------------------------

    def _shopify_push_fulfillment(self, picking):
        """Job: a done delivery of a Shopify order as one fulfilment with its tracking number,
        once: the fulfilment id is kept on the delivery, and a fulfilment the shop already
        has with the same tracking number (a retry after a lost answer) is adopted."""
        self.ensure_one()
        picking.ensure_one()
        if picking.omni_fulfillment_ref:
            return _(
                "Already fulfilled as %(omni_fulfillment_ref)s.",
                omni_fulfillment_ref=picking.omni_fulfillment_ref,
            )
        if picking.state != "done":
            return _("Delivery %(picking)s is not done.", picking=picking.name)
        order_ref = picking.sale_id.omni_external_ref
        if not order_ref or picking.sale_id.omni_backend_id != self:
            return _("Delivery %(picking)s is not of an order of this shop.", picking=picking.name)
        tracking = picking._omni_tracking_number()
        adapter = self._shopify_adapter()
        order = adapter.execute(
            queries.FULFILLMENT_ORDERS_QUERY, {"id": gid("Order", order_ref)}
        ).get("order")
        if not order:
            raise UserError(_("Order %(order_ref)s is unknown to the shop.", order_ref=order_ref))
        # Fulfilments the shop already has with this tracking number were made by an earlier
        # try whose answer was lost: adopted, and only what is still open is sent.
        adopted = [
            existing["id"]
            for existing in order.get("fulfillments") or []
            if tracking
            and tracking in {info.get("number") for info in existing.get("trackingInfo") or []}
        ]
        groups_by_location = self._shopify_fulfillment_lines(order, picking)
        if not groups_by_location:
            if adopted:
                picking.omni_fulfillment_ref = ",".join(gid_tail(ref) for ref in adopted)
                return _(
                    "Fulfilment %(refs)s already in the shop: adopted.", refs=", ".join(adopted)
                )
            return _(
                "Nothing of delivery %(picking)s is left to fulfil in the shop.",
                picking=picking.name,
            )
        created = list(adopted)
        # Shopify fulfils the fulfilment orders of one location per call.
        for groups in groups_by_location.values():
            fulfillment = {"lineItemsByFulfillmentOrder": groups, "notifyCustomer": False}
            if tracking:
                fulfillment["trackingInfo"] = {"number": tracking}
                if picking.omni_tracking_company:
                    fulfillment["trackingInfo"]["company"] = picking.omni_tracking_company
            result = (
                adapter.execute(queries.FULFILLMENT_CREATE_QUERY, {"fulfillment": fulfillment}).get(
                    "fulfillmentCreate"
                )
                or {}
            )
            if result.get("userErrors") or not result.get("fulfillment"):
                raise UserError(
                    _(
                        "Shopify refused the fulfilment of %(picking)s: %(errors)s",
                        picking=picking.name,
                        errors="; ".join(
                            str(e.get("message")) for e in result.get("userErrors") or []
                        ),
                    )
                )
            created.append(result["fulfillment"]["id"])
        picking.omni_fulfillment_ref = ",".join(gid_tail(ref) for ref in created)
        return _("Fulfilment %(refs)s created.", refs=", ".join(created))

    def _shopify_fulfillment_lines(self, order, picking):
        """Fulfilment order line items the delivery's done quantities cover, per product,
        grouped by the shop location the fulfilment orders are assigned to. When the
        delivery's warehouse is mapped to shop locations, only their fulfilment orders count:
        a delivery never fulfils what another location ships."""
        warehouse = picking.picking_type_id.warehouse_id
        mapped = {
            gid("Location", ref)
            for ref in self.env["omni.location"]
            .search([("backend_id", "=", self.id), ("warehouse_id", "=", warehouse.id)])
            .mapped("external_id")
        }
        left = {}
        for move in picking.move_ids.filtered(lambda m: m.state == "done"):
            left[move.product_id] = left.get(move.product_id, 0) + move.quantity
        variant_ids = {
            gid_tail(line["variant"]["id"])
            for fo in order["fulfillmentOrders"]["nodes"]
            for line in fo["lineItems"]["nodes"]
            if line.get("variant")
        }
        bound = self.env["omni.external.id"]._lookup(self, "product", variant_ids)
        groups = {}
        for fo in order["fulfillmentOrders"]["nodes"]:
            location = ((fo.get("assignedLocation") or {}).get("location") or {}).get("id")
            if fo["status"] not in OPEN_FULFILLMENT_ORDER or (mapped and location not in mapped):
                continue
            lines = []
            for line in fo["lineItems"]["nodes"]:
                product = (
                    bound.get(gid_tail(line["variant"]["id"])) if line.get("variant") else None
                )
                if not product and line.get("sku"):
                    product = next((p for p in left if p.default_code == line["sku"]), None)
                quantity = min(int(left.get(product, 0)), line["remainingQuantity"])
                if product and quantity > 0:
                    lines.append({"id": line["id"], "quantity": quantity})
                    left[product] -= quantity
            if lines:
                groups.setdefault(location, []).append(
                    {"fulfillmentOrderId": fo["id"], "fulfillmentOrderLineItems": lines}
                )
        return groups
