"""The app side of the Shopify sandbox (Shopify Payments, bulk operations, client-credentials
tokens, webhook subscriptions) is consistent and honest. Plain pytest (no Odoo):
``.venv/bin/pytest -q tests/test_shopify_payments_sandbox.py``. Skips without the schema."""

import json
from decimal import Decimal

import pytest
import requests
from omni_sandboxes.shopify_payments import (
    bulk_jsonl,
    enable_client_credentials,
    expire_tokens,
    seed_payouts,
)
from omni_sandboxes.shopify_sandbox import (
    SHOPIFY_HINT,
    ShopifySandbox,
    generate_shop,
    has_shopify_schema,
)
from omni_sandboxes.testing import load_http, load_registry  # noqa: F401 (see there)

TOKEN = "shpat_omni_sandbox"
pytestmark = pytest.mark.skipif(not has_shopify_schema(), reason=SHOPIFY_HINT)


@pytest.fixture()
def world():
    world = generate_shop(n_orders=15, seed=3)
    seed_payouts(world, every=1)
    return world


@pytest.fixture()
def sandbox(world):
    with ShopifySandbox(world, access_token=TOKEN, restore_rate=1e6) as sandbox:
        yield sandbox


def gql(sandbox, query, variables=None, token=TOKEN):
    response = requests.post(
        sandbox.graphql_url,
        json={"query": query, "variables": variables},
        headers={"X-Shopify-Access-Token": token},
        timeout=10,
    )
    return response.status_code, response.json()


def test_payouts_are_the_sum_of_their_balance_transactions(world):
    assert world.payouts and world.balance_transactions
    orders = {o["id"]: o for o in world.orders}
    for payout in world.payouts:
        members = [
            t for t in world.balance_transactions if t["associatedPayout"]["id"] == payout["id"]
        ]
        assert members
        assert sum(Decimal(t["net"]["amount"]) for t in members) == Decimal(payout["net"]["amount"])
        summary = payout["summary"]
        charges = [t for t in members if t["type"] == "CHARGE"]
        assert sum(Decimal(t["fee"]["amount"]) for t in charges) == Decimal(
            summary["chargesFee"]["amount"]
        )
    for txn in world.balance_transactions:
        assert Decimal(txn["amount"]["amount"]) - Decimal(txn["fee"]["amount"]) == Decimal(
            txn["net"]["amount"]
        )
        order = orders[txn["associatedOrder"]["id"]]
        (source,) = [
            t
            for t in order["transactions"]
            if int(t["id"].rsplit("/", 1)[-1]) == txn["sourceOrderTransactionId"]
        ]
        assert source["gateway"] == "shopify_payments"
        assert abs(Decimal(txn["amount"]["amount"])) == Decimal(
            source["amountSet"]["shopMoney"]["amount"]
        )
        assert (Decimal(txn["amount"]["amount"]) < 0) == (source["kind"] == "REFUND")


def test_unknown_search_terms_are_refused(sandbox):
    query = """query($q: String) { shopifyPaymentsAccount {
        balanceTransactions(first: 5, query: $q) { nodes { id } } } }"""
    __, body = gql(sandbox, query, {"q": "payout_date:2026-10-01"})
    assert body["errors"] and "cannot search" in body["errors"][0]["message"]


def test_mutations_without_a_resolver_are_still_refused(sandbox):
    __, body = gql(
        sandbox,
        """mutation { tagsAdd(id: "gid://shopify/Order/1", tags: ["x"]) {
        userErrors { message } } }""",
    )
    assert body["errors"][0]["extensions"]["code"] == "NOT_IMPLEMENTED"


def test_bulk_refuses_an_invalid_inner_query_and_runs_one_at_a_time(sandbox):
    run = """mutation($q: String!) { bulkOperationRunQuery(query: $q, groupObjects: false) {
        bulkOperation { id status } userErrors { code message } } }"""
    __, body = gql(sandbox, run, {"q": "{ orders { edges { node { nope } } } }"})
    result = body["data"]["bulkOperationRunQuery"]
    assert result["bulkOperation"] is None and result["userErrors"]
    __, body = gql(sandbox, run, {"q": "{ orders { edges { node { id } } } }"})
    assert body["data"]["bulkOperationRunQuery"]["bulkOperation"]["status"] == "CREATED"
    __, body = gql(sandbox, run, {"q": "{ orders { edges { node { id } } } }"})
    (error,) = body["data"]["bulkOperationRunQuery"]["userErrors"]
    assert error["code"] == "OPERATION_IN_PROGRESS"


def test_ungrouped_jsonl_puts_children_after_every_parent():
    data = {
        "orders": {
            "edges": [
                {
                    "node": {
                        "id": f"gid://shopify/Order/{n}",
                        "lineItems": {"edges": [{"node": {"id": f"gid://shopify/LineItem/{n}0"}}]},
                    }
                }
                for n in (1, 2)
            ]
        }
    }
    grouped = [json.loads(line) for line in bulk_jsonl(data).splitlines()]
    ungrouped = [json.loads(line) for line in bulk_jsonl(data, grouped=False).splitlines()]
    assert [line["id"].rsplit("/", 1)[-1] for line in grouped] == ["1", "10", "2", "20"]
    assert [line["id"].rsplit("/", 1)[-1] for line in ungrouped] == ["1", "2", "10", "20"]
    assert ungrouped[2]["__parentId"] == "gid://shopify/Order/1"


def test_client_credentials_tokens(sandbox):
    url = f"{sandbox.url}/admin/oauth/access_token"
    form = {"grant_type": "client_credentials", "client_id": "cid", "client_secret": "sec"}
    assert requests.post(url, data=form, timeout=10).status_code == 400  # not enabled
    enable_client_credentials(sandbox, "cid", "sec", lifetime=60)
    assert (
        requests.post(url, data=dict(form, client_secret="bad"), timeout=10).json()["error"]
        == "invalid_client"
    )
    assert (
        requests.post(url, data=dict(form, grant_type="password"), timeout=10).json()["error"]
        == "unsupported_grant_type"
    )
    answer = requests.post(url, data=form, timeout=10).json()
    assert answer["expires_in"] == 60 and "read_orders" in answer["scope"].split(",")
    query = "{ shop { name } }"
    assert gql(sandbox, query, token=answer["access_token"])[0] == 200
    expire_tokens(sandbox)
    assert gql(sandbox, query, token=answer["access_token"])[0] == 401


def test_bulk_reads_the_whole_connection_beyond_one_page():
    """Bulk operations have no page size: all 260 orders, where a page holds at most 250."""
    with ShopifySandbox(
        generate_shop(n_orders=260, seed=5), access_token=TOKEN, restore_rate=1e6
    ) as sandbox:
        sandbox.bulk_polls = 0
        run = """mutation($q: String!) { bulkOperationRunQuery(query: $q, groupObjects: false) {
            bulkOperation { id } userErrors { message } } }"""
        __, body = gql(sandbox, run, {"q": "{ orders { edges { node { id } } } }"})
        operation_id = body["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
        poll = "query($id: ID!) { bulkOperation(id: $id) { status url } }"
        __, body = gql(sandbox, poll, {"id": operation_id})
        operation = body["data"]["bulkOperation"]
        assert operation["status"] == "COMPLETED", operation
        lines = requests.get(operation["url"], timeout=10).text.splitlines()
        assert len(lines) == 260
        __, body = gql(sandbox, "{ orders(first: 251) { edges { node { id } } } }")
        assert "between 0 and 250" in body["errors"][0]["message"]
