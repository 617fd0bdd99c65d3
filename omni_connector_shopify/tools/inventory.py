"""Pure helpers of the stock synchronisation: inventory payloads, quantity deltas, batches.

No Odoo import beyond the error types: testable without a database.
"""

import hashlib
import json
import math

from odoo.tools.translate import _lt

from odoo.addons.omni_connector_base.tools.dates import parse_iso
from odoo.addons.omni_connector_base.tools.errors import PayloadError

#: inventorySetQuantities accepts at most 250 quantities per call.
MAX_BATCH = 250
#: Shopify refuses quantities above 1,000,000,000.
MAX_QUANTITY = 1_000_000_000
INVENTORY_NAME = "available"
INVENTORY_REASON = "correction"


def gid(kind, number):
    return f"gid://shopify/{kind}/{number}"


def _positive_int(value, what):
    """A REST id: an integer (or its decimal string), never a bool, a float or a negative."""
    if isinstance(value, bool) or value is None:
        raise PayloadError(_lt("%(what)s is missing or not an id", what=what))
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise PayloadError(_lt("%(what)s: %(value)r is not an id", what=what, value=value))
    if number <= 0:
        raise PayloadError(_lt("%(what)s: %(value)r is not an id", what=what, value=value))
    return number


def parse_inventory_level_rest(data):
    """An ``inventory_levels/update`` webhook (REST shape): ``{"inventory_item_id",
    "location_id", "available", "updated_at", "admin_graphql_api_id"}``. Returns a dict of
    GraphQL ids, the available quantity (int) and the aware UTC datetime of the report.
    ``available`` is null for an item that is not tracked: that is a payload Odoo cannot use."""
    if not isinstance(data, dict):
        raise PayloadError(_lt("inventory level payload is not a JSON object"))
    item = _positive_int(data.get("inventory_item_id"), "inventory_item_id")
    location = _positive_int(data.get("location_id"), "location_id")
    available = data.get("available")
    if isinstance(available, bool) or not isinstance(available, int):
        raise PayloadError(
            _lt(
                "available: %(available)r is not an integer quantity (untracked item?)",
                available=available,
            )
        )
    updated_at = parse_iso(data.get("updated_at"), "updated_at")
    if updated_at is None:
        raise PayloadError(_lt("inventory level without updated_at"))
    return {
        "inventory_item_id": gid("InventoryItem", item),
        "location_id": gid("Location", location),
        "available": available,
        "updated_at": updated_at,
    }


def parse_inventory_level_graphql(node):
    """One ``InventoryLevel`` node of INVENTORY_LEVELS_QUERY: (item gid, available, updatedAt)."""
    item = ((node or {}).get("item") or {}).get("id")
    if not item:
        raise PayloadError(_lt("inventory level without item"))
    quantities = {q.get("name"): q.get("quantity") for q in node.get("quantities") or []}
    available = quantities.get(INVENTORY_NAME)
    if isinstance(available, bool) or not isinstance(available, int):
        raise PayloadError(_lt("inventory level of %(item)s: no available quantity", item=item))
    return item, available, parse_iso(node.get("updatedAt"), "updatedAt")


def push_quantity(quantity):
    """The whole units Odoo offers for sale: floored (half a unit cannot be sold), never
    negative (a negative available would sell goods Odoo does not have)."""
    if quantity is None or (isinstance(quantity, float) and math.isnan(quantity)):
        return 0
    return max(0, min(MAX_QUANTITY, math.floor(quantity + 1e-9)))


def stock_deltas(desired, known):
    """The quantities to send: ``desired`` maps key → quantity Odoo offers, ``known`` maps
    key → the quantity the channel is known to have (absent or None: unknown). Sorted by key
    so that batches (and their idempotency keys) are stable across retries."""
    return sorted(
        (key, quantity)
        for key, quantity in desired.items()
        if known.get(key) is None or known[key] != quantity
    )


def batches(items, size=MAX_BATCH):
    if size < 1 or size > MAX_BATCH:
        raise ValueError(f"batch size must be between 1 and {MAX_BATCH}")
    items = list(items)
    return [items[i : i + size] for i in range(0, len(items), size)]


def set_quantities_input(location_gid, batch, reference=None):
    """``InventorySetQuantitiesInput`` of one batch of (inventory item gid, quantity)."""
    value = {
        "name": INVENTORY_NAME,
        "reason": INVENTORY_REASON,
        "quantities": [
            # changeFromQuantity must be given explicitly since 2026-04; null = no CAS check
            {
                "inventoryItemId": item,
                "locationId": location_gid,
                "quantity": quantity,
                "changeFromQuantity": None,
            }
            for item, quantity in batch
        ],
    }
    if reference:
        value["referenceDocumentUri"] = reference
    return value


def refused_indexes(user_errors, each=False):
    """Indexes of the quantities ``userErrors`` point at (``field``: ``["input",
    "quantities", "3", ...]``). None when an error concerns the whole request. ``each``: the
    index of every error in order (None for a request-wide one)."""
    indexes = []
    for error in user_errors or []:
        field = [str(part) for part in (error or {}).get("field") or []]
        index = None
        if len(field) >= 3 and field[:2] == ["input", "quantities"] and field[2].isdigit():
            index = int(field[2])
        indexes.append(index)
    if each:
        return indexes
    if not indexes or None in indexes:
        return None
    return set(indexes)


def idempotency_key(seed, payload):
    """Stable for the same push attempt (``seed``: the job) and the same content, so a retry
    of a batch Shopify already applied is not applied twice; a later push of the same
    quantities (another job) is a new request."""
    digest = hashlib.sha256(
        json.dumps([seed, payload], sort_keys=True, default=str).encode()
    ).hexdigest()
    return f"omni-{digest[:40]}"
