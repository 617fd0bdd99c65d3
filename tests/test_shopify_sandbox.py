"""The Shopify sandbox validates against the real Admin schema, paginates, throttles, faults
and signs webhooks like Shopify. Plain pytest (no Odoo):
``.venv/bin/pytest -q tests/test_shopify_sandbox.py``. Skips when the schema is absent."""

import base64
import hashlib
import hmac
import http.server
import importlib.util
import json
import threading
from decimal import Decimal
from pathlib import Path

import pytest
import requests
import shopify
from omni_sandboxes.refdata import refdata_path
from omni_sandboxes.shopify_sandbox import (
    API_VERSION,
    SHOPIFY_HINT,
    ShopifySandbox,
    generate_shop,
    has_shopify_schema,
    send_webhook,
    sign_webhook,
)
from omni_sandboxes.testing import load_http, load_registry  # noqa: F401 (see there)

TOKEN = "shpat_omni_sandbox"
# the connector's documents, read without importing Odoo
_spec = importlib.util.spec_from_file_location(
    "omni_shopify_queries",
    Path(__file__).resolve().parents[1] / "omni_connector_shopify" / "tools" / "queries.py",
)
queries = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(queries)
pytestmark = pytest.mark.skipif(not has_shopify_schema(), reason=SHOPIFY_HINT)


ORDERS = """
query($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id name updatedAt displayFinancialStatus displayFulfillmentStatus
      totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
      lineItems(first: 10) { nodes { id sku quantity
        taxLines { title rate priceSet { shopMoney { amount } } } } }
      refunds(first: 2) { id refundLineItems(first: 5) { nodes { quantity lineItem { id } } } }
    }
  }
}
"""


@pytest.fixture(scope="module")
def world():
    return generate_shop()


@pytest.fixture()
def sandbox(world):
    with ShopifySandbox(world, access_token=TOKEN, restore_rate=1e6) as box:
        yield box


def post(box, query, variables=None, token=TOKEN, timeout=5):
    return requests.post(
        box.graphql_url,
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": token},
        timeout=timeout,
    )


def test_generator_is_deterministic():
    one, two = generate_shop(seed=3), generate_shop(seed=3)
    assert [o["totalPriceSet"] for o in one.orders] == [o["totalPriceSet"] for o in two.orders]
    assert [o["totalPriceSet"] for o in one.orders] != [
        o["totalPriceSet"] for o in generate_shop(seed=4).orders
    ]


def test_generated_orders_add_up(world):
    currencies = {o["presentmentCurrencyCode"] for o in world.orders}
    assert currencies == {"EUR", "USD", "GBP"}
    assert {o["displayFulfillmentStatus"] for o in world.orders} == {
        "UNFULFILLED",
        "PARTIALLY_FULFILLED",
        "FULFILLED",
    }
    assert any(o["refunds"] for o in world.orders)
    assert any(o["totalDiscountsSet"]["shopMoney"]["amount"] != "0.00" for o in world.orders)
    for order in world.orders:
        from decimal import Decimal

        def shop(bag):
            return Decimal(bag["shopMoney"]["amount"])

        lines = sum(
            shop(li["originalUnitPriceSet"]) * li["quantity"]
            - sum(shop(a["allocatedAmountSet"]) for a in li["discountAllocations"])
            for li in order["lineItems"]
        )
        taxes = sum(shop(t["priceSet"]) for li in order["lineItems"] for t in li["taxLines"])
        taxes += sum(shop(t["priceSet"]) for s in order["shippingLines"] for t in s["taxLines"])
        shipping = sum(shop(s["originalPriceSet"]) for s in order["shippingLines"])
        assert lines + taxes + shipping == shop(order["totalPriceSet"])
        assert taxes == shop(order["totalTaxSet"])


def test_auth_required(sandbox):
    response = post(sandbox, "{ shop { name } }", token="wrong")
    assert response.status_code == 401
    assert "errors" in response.json()


def test_shop_and_cost_extensions(sandbox):
    body = post(sandbox, "{ shop { name currencyCode plan { publicDisplayName } } }").json()
    assert body["data"]["shop"] == {
        "name": "Omni Sandbox Shop",
        "currencyCode": "EUR",
        "plan": {"publicDisplayName": "Advanced"},
    }
    status = body["extensions"]["cost"]["throttleStatus"]
    assert set(status) == {"maximumAvailable", "currentlyAvailable", "restoreRate"}


def test_invalid_and_deprecated_documents_refused(sandbox):
    body = post(sandbox, "{ shop { nope } }").json()
    assert "data" not in body and body["errors"][0]["extensions"]["code"] == (
        "GRAPHQL_VALIDATION_FAILED"
    )
    body = post(sandbox, "{ shop { plan { displayName } } }").json()
    assert body["errors"][0]["extensions"]["code"] == "DEPRECATED_FIELD"
    body = post(sandbox, "{ orders(first: 1) { nodes { customer { email } } } }").json()
    assert "deprecated" in body["errors"][0]["message"]


def test_pagination_and_updated_at_filter(sandbox, world):
    since = world.orders[5]["updatedAt"]
    seen, after = [], None
    while True:
        body = post(
            sandbox, ORDERS, {"first": 4, "after": after, "query": f"updated_at:>={since}"}
        ).json()
        assert "errors" not in body, body
        page = body["data"]["orders"]
        seen += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    expected = sorted(
        (o for o in world.orders if o["updatedAt"] >= since),
        key=lambda o: (o["updatedAt"], o["id"]),
    )
    assert [o["id"] for o in seen] == [o["id"] for o in expected]
    node = seen[0]
    assert set(node["totalPriceSet"]) == {"shopMoney", "presentmentMoney"}
    assert isinstance(node["totalPriceSet"]["shopMoney"]["amount"], str)
    assert node["displayFinancialStatus"] in ("PAID", "PARTIALLY_REFUNDED")


def test_max_cost_and_throttle(world):
    with ShopifySandbox(
        world, access_token=TOKEN, maximum_available=20, restore_rate=1, max_query_cost=1000
    ) as box:
        body = post(box, ORDERS, {"first": 50}).json()
        assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
        body = post(box, ORDERS, {"first": 1}).json()
        assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
        status = body["extensions"]["cost"]["throttleStatus"]
        assert status["currentlyAvailable"] < body["extensions"]["cost"]["requestedQueryCost"]
        box.set_bucket(20)
        body = post(box, "{ shop { name } }").json()
        assert body["data"]["shop"]["name"]
        box.add_fault("throttled")
        body = post(box, "{ shop { name } }").json()
        assert body["errors"][0]["extensions"]["code"] == "THROTTLED"


def test_faults(sandbox):
    sandbox.add_fault("429", retry_after=7)
    response = post(sandbox, "{ shop { name } }")
    assert response.status_code == 429 and response.headers["Retry-After"] == "7"
    sandbox.add_fault("503")
    assert post(sandbox, "{ shop { name } }").status_code == 503
    sandbox.add_fault("drop")
    with pytest.raises(requests.ConnectionError):
        post(sandbox, "{ shop { name } }")
    sandbox.timeout_seconds = 1.0
    sandbox.add_fault("timeout")
    with pytest.raises(requests.Timeout):
        post(sandbox, "{ shop { name } }", timeout=0.3)
    assert post(sandbox, "{ shop { name } }").status_code == 200


def test_shopify_sdk_talks_to_sandbox(sandbox):
    session = shopify.Session("omni-sandbox.myshopify.com", API_VERSION, TOKEN)
    shopify.ShopifyResource.activate_session(session)
    try:
        shopify.ShopifyResource.set_site(f"{sandbox.url}/admin/api/{API_VERSION}")
        body = json.loads(shopify.GraphQL().execute("{ shop { name } }"))
    finally:
        shopify.ShopifyResource.clear_session()
    assert body["data"]["shop"]["name"] == "Omni Sandbox Shop"
    request = sandbox.graphql_requests()[-1]
    assert request.path == f"/admin/api/{API_VERSION}/graphql.json"


def test_signed_webhook_delivery(world):
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers.items()), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        payload = world.order_rest(world.orders[0])
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        responses = send_webhook(
            url, "orders/create", payload, "s3cret", webhook_id="wh-1", duplicate=True
        )
    finally:
        server.shutdown()
        server.server_close()
    assert [r.status_code for r in responses] == [200, 200]
    headers, body = received[0]
    expected = base64.b64encode(hmac.new(b"s3cret", body, hashlib.sha256).digest()).decode()
    assert headers["X-Shopify-Hmac-Sha256"] == expected == sign_webhook(body, "s3cret")
    assert headers["X-Shopify-Topic"] == "orders/create"
    assert headers["X-Shopify-Webhook-Id"] == "wh-1" == received[1][0]["X-Shopify-Webhook-Id"]
    assert headers["X-Shopify-Shop-Domain"] == "omni-sandbox.myshopify.com"
    assert json.loads(body)["admin_graphql_api_id"] == world.orders[0]["id"]


def test_webhook_deliveries_duplicates_and_order(world):
    plain = world.webhooks_for_delivery()
    assert len(plain) == len(world.orders)
    assert [p["updated_at"] for __, p, __ in plain] == sorted(o["updatedAt"] for o in world.orders)
    shuffled = world.webhooks_for_delivery(shuffle_seed=1, duplicates=3)
    assert len(shuffled) == len(world.orders) + 3
    assert len({wid for __, __, wid in shuffled}) == len(world.orders)
    assert shuffled == world.webhooks_for_delivery(shuffle_seed=1, duplicates=3)
    assert [w for __, __, w in shuffled] != [w for __, __, w in plain][: len(shuffled)]


RETURNS = """
query($id: ID!) {
  order(id: $id) {
    returnStatus
    lineItems(first: 10) { nodes { id } }
    refunds(first: 5) { id return { id } refundLineItems(first: 5) { nodes { restockType } } }
    returns(first: 5) {
      nodes {
        id status
        returnLineItems(first: 5) {
          nodes {
            quantity processedQuantity
            ... on ReturnLineItem { fulfillmentLineItem { lineItem { id } } }
          }
        }
        exchangeLineItems(first: 5) { nodes { lineItems { id sku } } }
        refunds(first: 5) { nodes { id } }
      }
    }
  }
}
"""


def test_returns_of_every_kind_are_served():
    world = generate_shop(with_returns=True)
    assert world.returns, "fulfilled orders get returns"
    assert [r["_kind"] for r in world.returns][:4] == [
        "refunded",
        "exchange",
        "requested",
        "declined",
    ]
    assert [r["id"] for r in world.returns] == [
        r["id"] for r in generate_shop(with_returns=True).returns
    ]
    assert not generate_shop().returns
    with ShopifySandbox(world, access_token=TOKEN, restore_rate=1e6) as box:
        for ret in world.returns:
            body = post(box, RETURNS, {"id": ret["order"]["id"]}).json()
            assert "errors" not in body, body
            order = body["data"]["order"]
            (served,) = order["returns"]["nodes"]
            assert served["id"] == ret["id"] and served["status"] == ret["status"]
            (line,) = served["returnLineItems"]["nodes"]
            order_line_ids = {n["id"] for n in order["lineItems"]["nodes"]}
            assert line["fulfillmentLineItem"]["lineItem"]["id"] in order_line_ids
            kind = ret["_kind"]
            assert line["processedQuantity"] == (1 if kind in ("refunded", "exchange") else 0)
            settling = [r for r in order["refunds"] if r["return"]]
            exchanged = [i for n in served["exchangeLineItems"]["nodes"] for i in n["lineItems"]]
            if kind == "refunded":
                assert [r["id"] for r in settling] == [n["id"] for n in served["refunds"]["nodes"]]
                assert settling[0]["return"]["id"] == ret["id"]
                assert settling[0]["refundLineItems"]["nodes"][0]["restockType"] == "RETURN"
            else:
                assert not settling and not served["refunds"]["nodes"]
            if kind == "exchange":
                (item,) = exchanged
                assert item["id"] not in order_line_ids, "only the return holds the new item"
            else:
                assert not exchanged
            expected = {
                "refunded": "RETURNED",
                "exchange": "RETURNED",
                "requested": "RETURN_REQUESTED",
                "declined": "NO_RETURN",
            }[kind]
            assert order["returnStatus"] == expected
            one = post(
                box,
                "query($id: ID!) { return(id: $id) { id name order { id } } }",
                {"id": ret["id"]},
            ).json()["data"]["return"]
            assert one == {
                "id": ret["id"],
                "name": ret["name"],
                "order": {"id": ret["order"]["id"]},
            }
    topics = [topic for topic, __, __ in world.return_webhooks()]
    assert topics[:4] == ["returns/close", "returns/close", "returns/request", "returns/decline"]


def _line_item(item):
    """A LineItem as the connector's documents select it."""
    return {
        "id": item["id"],
        "name": item["name"],
        "sku": item["sku"],
        "quantity": item["quantity"],
        "variant": {"id": item["variant"]["id"]},
        "originalUnitPriceSet": item["originalUnitPriceSet"],
        "discountAllocations": item["discountAllocations"],
        "taxLines": [
            {"title": t["title"], "rate": t["rate"], "priceSet": t["priceSet"]}
            for t in item["taxLines"]
        ],
    }


def _expected_return(ret):
    """A return of the world as RETURN_FIELDS selects it."""
    no_more = {"hasNextPage": False}
    return {
        "id": ret["id"],
        "name": ret["name"],
        "status": ret["status"],
        "createdAt": ret["createdAt"],
        "closedAt": ret["closedAt"],
        "returnLineItems": {
            "pageInfo": no_more,
            "nodes": [
                {
                    "id": item["id"],
                    "quantity": item["quantity"],
                    "processedQuantity": item["processedQuantity"],
                    "returnReasonNote": item["returnReasonNote"],
                    "customerNote": item["customerNote"],
                    "returnReasonDefinition": item["returnReasonDefinition"],
                    "fulfillmentLineItem": {
                        "lineItem": {"id": item["fulfillmentLineItem"]["lineItem"]["id"]}
                    },
                }
                for item in ret["returnLineItems"]
            ],
        },
        "exchangeLineItems": {
            "pageInfo": no_more,
            "nodes": [
                {
                    "id": item["id"],
                    "quantity": item["quantity"],
                    "processedQuantity": item["processedQuantity"],
                    "lineItems": [_line_item(li) for li in item["lineItems"]],
                }
                for item in ret["exchangeLineItems"]
            ],
        },
        "refunds": {"nodes": [{"id": refund["id"]} for refund in ret["refunds"]]},
    }


def test_returns_generator_is_deterministic():
    def rendered(world):
        return json.dumps(
            [
                [world.order_rest(o) for o in world.orders],
                [world.return_rest(r) for r in world.returns],
                [_expected_return(r) for r in world.returns],
            ],
            sort_keys=True,
        )

    one = generate_shop(seed=5, with_returns=True)
    assert rendered(one) == rendered(generate_shop(seed=5, with_returns=True))
    assert rendered(one) != rendered(generate_shop(seed=6, with_returns=True))
    plain = generate_shop(seed=5)
    assert not plain.returns
    assert {o["returnStatus"] for o in plain.orders} == {"NO_RETURN"}
    assert all(plain.order_rest(o)["returns"] == [] for o in plain.orders)
    # returns change the orders they are on, and only those
    with_returns = {r["order"]["id"] for r in one.returns}
    for before, after in zip(plain.orders, one.orders):
        assert before["id"] == after["id"]
        if before["id"] in with_returns:
            assert after["updatedAt"] > before["updatedAt"] and after["returns"]
        else:
            assert plain.order_rest(before) == one.order_rest(after)


def test_connector_return_queries_through_the_sandbox():
    world = generate_shop(n_orders=24, seed=7, with_returns=True)
    kinds = [r["_kind"] for r in world.returns]
    assert kinds == [
        "refunded",
        "exchange",
        "requested",
        "declined",
        "refunded",
        "exchange",
        "requested",
    ]
    status = {
        "refunded": "RETURNED",
        "exchange": "RETURNED",
        "requested": "RETURN_REQUESTED",
        "declined": "NO_RETURN",
    }
    with ShopifySandbox(world, access_token=TOKEN, restore_rate=1e6) as box:
        for ret in world.returns:
            order = ret["order"]
            body = post(box, queries.ORDER_RETURNS_QUERY, {"id": order["id"]}).json()
            assert "errors" not in body, body
            assert body["data"]["order"] == {
                "id": order["id"],
                "taxesIncluded": False,
                "returnStatus": status[ret["_kind"]],
                "returns": {"pageInfo": {"hasNextPage": False}, "nodes": [_expected_return(ret)]},
            }
            body = post(box, queries.RETURN_QUERY, {"id": ret["id"]}).json()
            assert "errors" not in body, body
            assert body["data"]["return"] == dict(
                _expected_return(ret), order={"id": order["id"], "taxesIncluded": False}
            )
        # return(id) answers for returns only
        other = world.orders[0]["id"]
        for unknown in (other, "gid://shopify/Return/1"):
            body = post(box, queries.RETURN_QUERY, {"id": unknown}).json()
            assert body == {"data": {"return": None}, "extensions": body["extensions"]}
        # the orders' pull sees each order's return status and the return a refund settles
        served, after = {}, None
        while True:
            body = post(box, queries.ORDERS_QUERY, {"first": 2, "after": after}).json()
            assert "errors" not in body, body
            page = body["data"]["orders"]
            served.update((node["id"], node) for node in page["nodes"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert len(served) == len(world.orders)
    for ret in world.returns:
        node = served[ret["order"]["id"]]
        assert node["returnStatus"] == status[ret["_kind"]]
        settling = [r["id"] for r in node["refunds"] if r["return"]]
        assert settling == [r["id"] for r in ret["refunds"]]
        assert all(r["return"] == {"id": ret["id"]} for r in node["refunds"] if r["return"])
        line_ids = {n["id"] for n in node["lineItems"]["nodes"]}
        for item in ret["exchangeLineItems"]:
            assert not {li["id"] for li in item["lineItems"]} & line_ids
    assert all(
        not r["return"]
        for o in served.values()
        for r in o["refunds"]
        if o["id"] not in {ret["order"]["id"] for ret in world.returns}
    )


def test_returns_of_each_kind_add_up():
    world = generate_shop(n_orders=24, seed=7, with_returns=True)
    for ret in world.returns:
        order, kind = ret["order"], ret["_kind"]
        (item,) = ret["returnLineItems"]
        line = order["lineItems"][0]
        assert item["fulfillmentLineItem"]["lineItem"] is line
        assert ret in order["returns"] and order["updatedAt"] >= ret["createdAt"]
        if kind == "refunded":
            (refund,) = ret["refunds"]
            assert refund in order["refunds"] and refund["return"] is ret
            (refund_line,) = refund["refundLineItems"]
            assert refund_line["lineItem"] is line and refund_line["restockType"] == "RETURN"
            (txn,) = refund["transactions"]
            assert txn in order["transactions"] and txn["kind"] == "REFUND"
            assert txn["amountSet"] == refund["totalRefundedSet"]
            assert order["displayFinancialStatus"] == "PARTIALLY_REFUNDED"
            total = Decimal(order["totalPriceSet"]["shopMoney"]["amount"])
            refunded = Decimal(refund["totalRefundedSet"]["shopMoney"]["amount"])
            assert Decimal(order["currentTotalPriceSet"]["shopMoney"]["amount"]) == (
                total - refunded
            )
            assert refunded == sum(
                Decimal(refund_line[key]["shopMoney"]["amount"])
                for key in ("subtotalSet", "totalTaxSet")
            )
        else:
            assert not ret["refunds"] and order["displayFinancialStatus"] == "PAID"
        if kind == "exchange":
            (exchange,) = ret["exchangeLineItems"]
            (new,) = exchange["lineItems"]
            assert new not in order["lineItems"] and new["sku"] != line["sku"]
            assert new["originalUnitPriceSet"] == line["originalUnitPriceSet"]
            assert new["taxLines"][0]["rate"] == line["taxLines"][0]["rate"]
            tax = Decimal(new["taxLines"][0]["priceSet"]["shopMoney"]["amount"])
            assert tax == (
                Decimal(new["originalUnitPriceSet"]["shopMoney"]["amount"]) * Decimal("0.2")
            ).quantize(Decimal("0.01"))
        else:
            assert not ret["exchangeLineItems"]
        processed = 1 if kind in ("refunded", "exchange") else 0
        assert item["processedQuantity"] == processed
        assert bool(ret["closedAt"]) == bool(processed)


def test_return_rest_shapes():
    world = generate_shop(n_orders=24, seed=7, with_returns=True)
    webhooks = world.return_webhooks()
    assert [topic for topic, __, __ in webhooks] == [
        "returns/close",
        "returns/close",
        "returns/request",
        "returns/decline",
        "returns/close",
        "returns/close",
        "returns/request",
    ]
    sample_path = refdata_path("shopify", "webhook-samples-2025-10", "returns__request.json")
    sample = json.loads(sample_path.read_text()) if sample_path.is_file() else None
    for (__, payload, webhook_id), ret in zip(webhooks, world.returns):
        if sample is not None:
            assert set(payload) == set(sample)
        assert payload["admin_graphql_api_id"] == ret["id"]
        assert payload["status"] == ret["status"].lower()
        assert payload["order"]["admin_graphql_api_id"] == ret["order"]["id"]
        assert payload["total_return_line_items"] == len(payload["return_line_items"]) == 1
        assert webhook_id
        rest_order = world.order_rest(ret["order"])
        assert [r["admin_graphql_api_id"] for r in rest_order["returns"]] == [ret["id"]]
        settling = [r["return"] for r in rest_order["refunds"] if r["return"]]
        if ret["_kind"] == "refunded":
            assert settling == [
                {"id": int(ret["id"].rsplit("/", 1)[1]), "admin_graphql_api_id": ret["id"]}
            ]
        else:
            assert not settling
    assert len({w for __, __, w in webhooks}) == len(webhooks)
