"""The stock side of the Shopify sandbox (locations, inventory levels, inventorySetQuantities,
fulfilment orders) keeps the 2026-07 rules, over real HTTP, with the connector's own documents.
Plain pytest (no Odoo): ``.venv/bin/pytest -q tests/test_shopify_inventory_sandbox.py``.
Skips without the schema."""

import importlib.util
from pathlib import Path

import pytest
import requests
from omni_sandboxes import shopify_inventory
from omni_sandboxes.shopify_sandbox import (
    SHOPIFY_HINT,
    ShopifySandbox,
    generate_shop,
    has_shopify_schema,
)
from omni_sandboxes.testing import load_http, load_registry  # noqa: F401 (see there)

TOKEN = "shpat_omni_sandbox"
PARIS = "gid://shopify/Location/62000000001"
DEPOT = "gid://shopify/Location/62000000003"
pytestmark = pytest.mark.skipif(not has_shopify_schema(), reason=SHOPIFY_HINT)

# the connector's documents, read without importing Odoo
_spec = importlib.util.spec_from_file_location(
    "omni_shopify_queries",
    Path(__file__).resolve().parents[1] / "omni_connector_shopify" / "tools" / "queries.py",
)
queries = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(queries)


@pytest.fixture()
def world():
    return generate_shop(n_orders=6, seed=5)


@pytest.fixture()
def sandbox(world):
    with ShopifySandbox(world, access_token=TOKEN, restore_rate=1e6) as sandbox:
        yield sandbox


def gql(sandbox, query, variables=None):
    response = requests.post(
        sandbox.graphql_url,
        json={"query": query, "variables": variables},
        headers={"X-Shopify-Access-Token": TOKEN},
        timeout=10,
    )
    assert response.status_code == 200
    return response.json()


def first_item(sandbox):
    body = gql(sandbox, queries.INVENTORY_ITEMS_QUERY, {"first": 1})
    return body["data"]["productVariants"]["nodes"][0]["inventoryItem"]["id"]


def set_input(item, quantity, location=PARIS, **extra):
    line = {
        "inventoryItemId": item,
        "locationId": location,
        "quantity": quantity,
        "changeFromQuantity": None,
        **extra,
    }
    return {"name": "available", "reason": "correction", "quantities": [line]}


def run_set(sandbox, value, key):
    body = gql(sandbox, queries.INVENTORY_SET_QUERY, {"input": value, "key": key})
    return body["data"]["inventorySetQuantities"]


def test_locations_and_levels_are_listed(world, sandbox):
    body = gql(sandbox, queries.LOCATIONS_QUERY, {"first": 2})
    page = body["data"]["locations"]
    assert [n["name"] for n in page["nodes"]] == ["Paris Warehouse", "Berlin Store"]
    assert page["pageInfo"]["hasNextPage"]
    rest = gql(
        sandbox, queries.LOCATIONS_QUERY, {"first": 2, "after": page["pageInfo"]["endCursor"]}
    )["data"]["locations"]
    assert [(n["name"], n["isActive"]) for n in rest["nodes"]] == [("Old Depot", False)]
    levels = gql(sandbox, queries.INVENTORY_LEVELS_QUERY, {"location": PARIS, "first": 50})["data"][
        "location"
    ]["inventoryLevels"]
    assert [n["quantities"][0]["quantity"] for n in levels["nodes"]] == list(
        range(10, 10 + len(world.products))
    )
    depot = gql(sandbox, queries.INVENTORY_LEVELS_QUERY, {"location": DEPOT, "first": 50})
    assert depot["data"]["location"]["inventoryLevels"]["nodes"] == []


def test_set_quantities_is_idempotent_by_key(world, sandbox):
    item = first_item(sandbox)
    first = run_set(sandbox, set_input(item, 3), "key-1")
    assert first["userErrors"] == [] and first["inventoryAdjustmentGroup"]["id"]
    again = run_set(sandbox, set_input(item, 3), "key-1")
    assert again == first
    assert len(sandbox.inventory_mutations) == 1
    assert shopify_inventory.level(world, item, PARIS)[0] == 3
    mismatch = run_set(sandbox, set_input(item, 4), "key-1")
    assert [e["code"] for e in mismatch["userErrors"]] == ["IDEMPOTENCY_KEY_PARAMETER_MISMATCH"]
    assert shopify_inventory.level(world, item, PARIS)[0] == 3


def test_set_quantities_refuses_what_2026_07_refuses(world, sandbox):
    item = first_item(sandbox)
    no_key = gql(
        sandbox,
        queries.INVENTORY_SET_QUERY.replace(
            "($input: InventorySetQuantitiesInput!, $key: String!)",
            "($input: InventorySetQuantitiesInput!)",
        ).replace(" @idempotent(key: $key)", ""),
        {"input": set_input(item, 1)},
    )
    assert "@idempotent" in no_key["errors"][0]["message"]
    value = set_input(item, 1)
    del value["quantities"][0]["changeFromQuantity"]
    assert [e["code"] for e in run_set(sandbox, value, "k2")["userErrors"]] == [
        "COMPARE_QUANTITY_REQUIRED"
    ]
    stale = run_set(sandbox, set_input(item, 1, changeFromQuantity=99), "k3")
    assert [e["code"] for e in stale["userErrors"]] == ["CHANGE_FROM_QUANTITY_STALE"]
    fresh = run_set(sandbox, set_input(item, 1, changeFromQuantity=10), "k4")
    assert fresh["userErrors"] == []
    not_stocked = run_set(sandbox, set_input(item, 1, location=DEPOT), "k5")
    assert [e["code"] for e in not_stocked["userErrors"]] == ["ITEM_NOT_STOCKED_AT_LOCATION"]
    bad = set_input(item, 1)
    bad["name"], bad["reason"] = "committed", "because"
    assert {e["code"] for e in run_set(sandbox, bad, "k6")["userErrors"]} == {
        "INVALID_NAME",
        "INVALID_REASON",
    }
    # all or nothing: one bad line, nothing applied
    mixed = set_input(item, 7)
    mixed["quantities"].append(
        dict(mixed["quantities"][0], inventoryItemId="gid://shopify/InventoryItem/1")
    )
    result = run_set(sandbox, mixed, "k7")
    assert result["userErrors"][0]["field"] == ["input", "quantities", "1", "inventoryItemId"]
    assert shopify_inventory.level(world, item, PARIS)[0] == 1
    too_many = set_input(item, 1)
    too_many["quantities"] *= 251
    body = gql(sandbox, queries.INVENTORY_SET_QUERY, {"input": too_many, "key": "k8"})
    assert "maximum allowed of 250" in body["errors"][0]["message"]


def test_fulfillment_create_ships_what_remains(world, sandbox):
    order = world.orders[0]
    data = gql(sandbox, queries.FULFILLMENT_ORDERS_QUERY, {"id": order["id"]})["data"]["order"]
    (fo,) = data["fulfillmentOrders"]["nodes"]
    assert fo["status"] == "OPEN"
    line = fo["lineItems"]["nodes"][0]
    too_much = [{"id": line["id"], "quantity": line["remainingQuantity"] + 1}]
    over = gql(
        sandbox,
        queries.FULFILLMENT_CREATE_QUERY,
        {
            "fulfillment": {
                "lineItemsByFulfillmentOrder": [
                    {"fulfillmentOrderId": fo["id"], "fulfillmentOrderLineItems": too_much}
                ]
            }
        },
    )
    assert over["data"]["fulfillmentCreate"]["userErrors"]
    created = gql(
        sandbox,
        queries.FULFILLMENT_CREATE_QUERY,
        {
            "fulfillment": {
                "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}],
                "trackingInfo": {"number": "TRK", "company": "DHL"},
            }
        },
    )["data"]["fulfillmentCreate"]
    assert created["userErrors"] == []
    assert created["fulfillment"]["trackingInfo"] == [
        {"number": "TRK", "company": "DHL", "url": None}
    ]
    data = gql(sandbox, queries.FULFILLMENT_ORDERS_QUERY, {"id": order["id"]})["data"]["order"]
    assert data["fulfillmentOrders"]["nodes"][0]["status"] == "CLOSED"
    again = gql(
        sandbox,
        queries.FULFILLMENT_CREATE_QUERY,
        {"fulfillment": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}]}},
    )
    assert again["data"]["fulfillmentCreate"]["userErrors"]
    assert len(order["fulfillments"]) == 1
