"""Shopify sandbox, the stock side: locations, inventory items and levels, the
``inventorySetQuantities`` mutation and fulfilment orders / ``fulfillmentCreate``. Hooked into
:mod:`.shopify_sandbox` by one-line calls (resolvers); state lives on the world (locations,
levels, fulfilments appended to the orders) and on the sandbox (idempotency keys, the log of
applied mutations), created on first use.

- Locations: "Paris Warehouse" and "Berlin Store" (active, every inventory item stocked there
  with ``available`` = 10 + the variant's index) and "Old Depot" (inactive, nothing stocked).
- Every product variant has one tracked ``InventoryItem`` (``productVariants`` lists them).
- ``inventorySetQuantities`` as in 2026-07: the ``@idempotent(key:)`` directive is required
  (same key and same input: the first result again, nothing applied twice; same key, other
  input: IDEMPOTENCY_KEY_PARAMETER_MISMATCH); ``changeFromQuantity`` must be passed explicitly
  (null skips the compare-and-swap, a stale value fails with CHANGE_FROM_QUANTITY_STALE);
  at most 250 quantities; unknown item / location, an item not stocked at the location, a
  bad name or reason, a duplicate pair: userErrors and nothing applied.
- ``Order.fulfillmentOrders``: one fulfilment order per order (at the first location) whose
  line items' ``remainingQuantity`` is what the order's fulfilments have not shipped yet;
  ``fulfillmentCreate`` ships line items of it (all remaining when none are named) with
  tracking info, and appends the fulfilment to the order.
"""

import hashlib
import json
import threading
from datetime import datetime, timezone

import graphql

_lock = threading.Lock()

LOCATIONS = (
    (62000000001, "Paris Warehouse", True),
    (62000000002, "Berlin Store", True),
    (62000000003, "Old Depot", False),
)
NAMES = ("available", "on_hand")
REASONS = ("correction", "cycle_count_available", "received", "restock", "shrinkage",
           "damaged", "other", "movement_created", "movement_updated")
MAX_QUANTITIES = 250


def _gid(kind, number):
    return f"gid://shopify/{kind}/{number}"


def _tail(value):
    return int(str(value).split("?", 1)[0].rsplit("/", 1)[-1])


def _now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _state(world):
    """The stock state of a world, created on first use."""
    state = getattr(world, "inventory", None)
    if state is None:
        state = world.inventory = {"locations": [], "items": {}, "levels": {}}
        for number, name, active in LOCATIONS:
            state["locations"].append({
                "__typename": "Location", "id": _gid("Location", number), "name": name,
                "isActive": active, "fulfillsOnlineOrders": active, "shipsInventory": active,
                "legacyResourceId": str(number),
            })
    return state


def reset(world, sandbox=None):
    """Fresh locations and levels (and idempotency keys): tests start from the seed."""
    world.inventory = None
    if sandbox is not None:
        sandbox.idempotency = {}
        sandbox.inventory_mutations = []


def variants(world):
    return [variant for __, product_variants in world.products for variant in product_variants]


def inventory_item(world, variant):
    """The variant's inventory item, stocked at every active location on creation."""
    state = _state(world)
    item = state["items"].get(variant["id"])
    if item is None:
        index = variants(world).index(variant)
        item = {"__typename": "InventoryItem",
                "id": _gid("InventoryItem", 43000000000 + _tail(variant["id"]) % 1000000000),
                "tracked": True, "sku": variant.get("sku"), "variant_id": variant["id"]}
        state["items"][variant["id"]] = item
        for location in state["locations"]:
            if location["isActive"]:
                state["levels"][(item["id"], location["id"])] = {
                    "available": 10 + index, "updatedAt": "2026-10-01T00:00:00Z"}
    return item


def level(world, item_gid, location_gid):
    """(available, updatedAt) of an item at a location, None where it is not stocked."""
    found = _state(world)["levels"].get((item_gid, location_gid))
    return (found["available"], found["updatedAt"]) if found else None


def _items_by_gid(world):
    for variant in variants(world):
        inventory_item(world, variant)
    return {item["id"]: item for item in _state(world)["items"].values()}


# --------------------------------------------------------------------------- resolvers


def _resolve_locations(source, info, first=None, last=None, after=None, before=None,
                       reverse=False, includeInactive=False, **_kwargs):
    from .shopify_sandbox import _paginate

    locations = [loc for loc in _state(info.context["world"])["locations"]
                 if includeInactive or loc["isActive"]]
    return _paginate(locations, [_tail(loc["id"]) for loc in locations], first, last, after,
                     before, reverse)


def _resolve_location(source, info, id=None, **_kwargs):
    state = _state(info.context["world"])
    return next((loc for loc in state["locations"] if loc["id"] == id), None)


def _resolve_location_levels(source, info, first=None, last=None, after=None, before=None,
                             reverse=False, **_kwargs):
    from .shopify_sandbox import _paginate

    world = info.context["world"]
    items = _items_by_gid(world)
    nodes = []
    for (item_gid, location_gid), found in sorted(_state(world)["levels"].items()):
        if location_gid != source["id"]:
            continue
        nodes.append({"__typename": "InventoryLevel",
                      "id": f"gid://shopify/InventoryLevel/{_tail(location_gid)}"
                            f"?inventory_item_id={_tail(item_gid)}",
                      "item": items[item_gid], "location": source,
                      "available": found["available"], "updatedAt": found["updatedAt"],
                      "createdAt": "2026-10-01T00:00:00Z", "isActive": True,
                      "canDeactivate": True})
    return _paginate(nodes, [_tail(n["item"]["id"]) for n in nodes], first, last, after, before,
                     reverse)


def _resolve_level_quantities(source, info, names):
    return [{"__typename": "InventoryQuantity", "id": f"{source['id']}&name={name}",
             "name": name, "quantity": source["available"], "updatedAt": source["updatedAt"]}
            for name in names if name in NAMES]


def _resolve_product_variants(source, info, first=None, last=None, after=None, before=None,
                              reverse=False, **_kwargs):
    from .shopify_sandbox import _paginate

    found = variants(info.context["world"])
    return _paginate(found, [_tail(v["id"]) for v in found], first, last, after, before,
                     reverse)


def _resolve_variant_item(source, info):
    return inventory_item(info.context["world"], source)


def _idempotency_key(info):
    for directive in info.field_nodes[0].directives or ():
        if directive.name.value == "idempotent":
            for argument in directive.arguments:
                if argument.name.value == "key":
                    value = argument.value
                    if isinstance(value, graphql.VariableNode):
                        # graphql-core 3.3 wraps the values (``coerced``), 3.2 does not
                        values = getattr(info.variable_values, "coerced", info.variable_values)
                        return values.get(value.name.value)
                    return getattr(value, "value", None)
    return None


def _error(code, message, field=None):
    return {"code": code, "message": message, "field": field}


def _resolve_set_quantities(source, info, input):
    world, sandbox = info.context["world"], info.context["sandbox"]
    key = _idempotency_key(info)
    if not isinstance(key, str) or not key.strip():
        raise graphql.GraphQLError(
            "The @idempotent directive with a non-empty key is required for this mutation.")
    digest = hashlib.sha256(json.dumps(input, sort_keys=True).encode()).hexdigest()
    with _lock:
        known = getattr(sandbox, "idempotency", None)
        if known is None:
            known = sandbox.idempotency = {}
        if key in known:
            previous_digest, result = known[key]
            if previous_digest != digest:
                return {"inventoryAdjustmentGroup": None, "userErrors": [_error(
                    "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
                    "The same idempotency key was used with different parameters.")]}
            return result  # a replay: the first outcome, nothing applied again
        result = _apply_set_quantities(world, sandbox, input)
        known[key] = (digest, result)
        return result


def _apply_set_quantities(world, sandbox, input):
    state = _state(world)
    items = _items_by_gid(world)
    locations = {loc["id"]: loc for loc in state["locations"]}
    errors = []
    if input["name"] not in NAMES:
        errors.append(_error("INVALID_NAME", f"Invalid name: {input['name']}", ["input", "name"]))
    if input["reason"] not in REASONS:
        errors.append(_error("INVALID_REASON", f"Invalid reason: {input['reason']}",
                             ["input", "reason"]))
    quantities = input["quantities"]
    if len(quantities) > MAX_QUANTITIES:
        raise graphql.GraphQLError(
            f"The input array size of {len(quantities)} is greater than the maximum allowed "
            f"of {MAX_QUANTITIES}.")
    seen = set()
    for index, quantity in enumerate(quantities):
        field = ["input", "quantities", str(index)]
        pair = (quantity["inventoryItemId"], quantity["locationId"])
        if pair in seen:
            errors.append(_error("NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR",
                                 "The combination of inventoryItemId and locationId must be "
                                 "unique.", field))
            continue
        seen.add(pair)
        if pair[0] not in items:
            errors.append(_error("INVALID_INVENTORY_ITEM", "The specified inventory item could "
                                 "not be found.", field + ["inventoryItemId"]))
            continue
        if pair[1] not in locations:
            errors.append(_error("INVALID_LOCATION", "The specified location could not be "
                                 "found.", field + ["locationId"]))
            continue
        current = state["levels"].get(pair)
        if current is None:
            errors.append(_error("ITEM_NOT_STOCKED_AT_LOCATION", "The specified inventory item "
                                 "is not stocked at the location.", field + ["locationId"]))
            continue
        if "changeFromQuantity" not in quantity:
            errors.append(_error("COMPARE_QUANTITY_REQUIRED", "changeFromQuantity must be "
                                 "passed, null to skip the check.", field))
        elif quantity["changeFromQuantity"] is not None and (
            quantity["changeFromQuantity"] != current["available"]
        ):
            errors.append(_error("CHANGE_FROM_QUANTITY_STALE", "The changeFromQuantity does "
                                 "not match the persisted value.", field))
        if abs(quantity["quantity"]) > 1000000000:
            errors.append(_error("INVALID_QUANTITY_TOO_HIGH", "The quantity is too high.",
                                 field + ["quantity"]))
    if errors:  # nothing applied
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}
    now = _now()
    changes = []
    for quantity in quantities:
        pair = (quantity["inventoryItemId"], quantity["locationId"])
        delta = quantity["quantity"] - state["levels"][pair]["available"]
        state["levels"][pair] = {"available": quantity["quantity"], "updatedAt": now}
        changes.append({"name": input["name"], "delta": delta, "quantityAfterChange":
                        quantity["quantity"], "item": items[pair[0]],
                        "location": locations[pair[1]]})
    log = getattr(sandbox, "inventory_mutations", None)
    if log is None:
        log = sandbox.inventory_mutations = []
    log.append([(q["inventoryItemId"], q["locationId"], q["quantity"]) for q in quantities])
    group = {"__typename": "InventoryAdjustmentGroup",
             "id": _gid("InventoryAdjustmentGroup", 44000000000 + len(log)), "createdAt": now,
             "reason": input["reason"], "referenceDocumentUri": input.get("referenceDocumentUri"),
             "changes": changes}
    return {"inventoryAdjustmentGroup": group, "userErrors": []}


# --------------------------------------------------------------------------- fulfilments


def _shipped(order):
    shipped = {}
    for fulfilment in order.get("fulfillments") or []:
        for item in fulfilment.get("fulfillmentLineItems") or []:
            line_id = item["lineItem"]["id"]
            shipped[line_id] = shipped.get(line_id, 0) + item["quantity"]
    return shipped


def fulfillment_order(world, order):
    """The order's one fulfilment order, computed from what its fulfilments shipped."""
    state = _state(world)
    shipped = _shipped(order)
    lines = [{"__typename": "FulfillmentOrderLineItem",
              "id": _gid("FulfillmentOrderLineItem", 45000000000 + _tail(line["id"]) % 10**9),
              "remainingQuantity": line["quantity"] - shipped.get(line["id"], 0),
              "totalQuantity": line["quantity"], "sku": line.get("sku"),
              "variant": line.get("variant"), "lineItem": line}
             for line in order["lineItems"]]
    remaining = sum(line["remainingQuantity"] for line in lines)
    return {"__typename": "FulfillmentOrder",
            "id": _gid("FulfillmentOrder", 46000000000 + _tail(order["id"]) % 10**9),
            "status": "OPEN" if remaining else "CLOSED", "orderId": order["id"],
            "assignedLocation": {"location": state["locations"][0]},
            "lineItems": lines, "order": order}


def _resolve_fulfillment_orders(source, info, first=None, last=None, after=None, before=None,
                                reverse=False, **_kwargs):
    from .shopify_sandbox import _paginate

    nodes = [fulfillment_order(info.context["world"], source)]
    return _paginate(nodes, [0], first, last, after, before, reverse)


def _resolve_fulfillment_create(source, info, fulfillment, message=None):
    from .shopify_sandbox import iso

    world = info.context["world"]
    groups = fulfillment.get("lineItemsByFulfillmentOrder") or []
    if not groups:
        return {"fulfillment": None, "userErrors": [
            {"field": ["fulfillment"], "message": "Line items by fulfillment order are required."}
        ]}
    with _lock:
        orders = {fulfillment_order(world, order)["id"]: order for order in world.orders}
        order, shipped_items = None, []
        for group in groups:
            target = orders.get(group["fulfillmentOrderId"])
            if target is None or (order is not None and target is not order):
                return {"fulfillment": None, "userErrors": [
                    {"field": ["fulfillment"], "message": "Invalid fulfillment order id."}]}
            order = target
            lines = {line["id"]: line for line in fulfillment_order(world, order)["lineItems"]}
            wanted = group.get("fulfillmentOrderLineItems")
            if wanted is None:
                wanted = [{"id": line_id, "quantity": line["remainingQuantity"]}
                          for line_id, line in lines.items() if line["remainingQuantity"]]
            for item in wanted:
                line = lines.get(item["id"])
                if line is None or not 0 < item["quantity"] <= line["remainingQuantity"]:
                    return {"fulfillment": None, "userErrors": [
                        {"field": ["fulfillment"], "message":
                         f"Invalid quantity or line item {item['id']}."}]}
                shipped_items.append((line["lineItem"], item["quantity"]))
        if not shipped_items:
            return {"fulfillment": None, "userErrors": [
                {"field": ["fulfillment"], "message": "Nothing left to fulfill."}]}
        tracking = fulfillment.get("trackingInfo") or {}
        numbers = tracking.get("numbers") or ([tracking["number"]] if tracking.get("number")
                                              else [])
        urls = tracking.get("urls") or ([tracking["url"]] if tracking.get("url") else [])
        world._seq += 1
        now = iso(datetime.now(timezone.utc))
        record = {
            "__typename": "Fulfillment",
            "id": _gid("Fulfillment", 1390000000 + world._seq),
            "name": f"{order.get('name') or ''}-F{len(order['fulfillments']) + 1}",
            "status": "SUCCESS", "createdAt": now, "updatedAt": now,
            "trackingInfo": [{"company": tracking.get("company"), "number": number,
                              "url": urls[index] if index < len(urls) else None}
                             for index, number in enumerate(numbers)],
            "fulfillmentLineItems": [
                {"id": _gid("FulfillmentLineItem", 1490000000 + world._seq * 100 + index),
                 "quantity": quantity, "lineItem": line}
                for index, (line, quantity) in enumerate(shipped_items)],
        }
        order["fulfillments"].append(record)
    return {"fulfillment": record, "userErrors": []}


def install_resolvers(schema):
    """Called by the sandbox once per schema load."""
    root, mutation = schema.query_type, schema.mutation_type
    root.fields["locations"].resolve = _resolve_locations
    root.fields["location"].resolve = _resolve_location
    root.fields["productVariants"].resolve = _resolve_product_variants
    schema.get_type("Location").fields["inventoryLevels"].resolve = _resolve_location_levels
    schema.get_type("InventoryLevel").fields["quantities"].resolve = _resolve_level_quantities
    schema.get_type("ProductVariant").fields["inventoryItem"].resolve = _resolve_variant_item
    schema.get_type("Order").fields["fulfillmentOrders"].resolve = _resolve_fulfillment_orders
    mutation.fields["inventorySetQuantities"].resolve = _resolve_set_quantities
    mutation.fields["fulfillmentCreate"].resolve = _resolve_fulfillment_create
