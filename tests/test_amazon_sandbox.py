"""The Amazon sandbox speaks the SP-API wire format and serves a coherent seller month.

Plain pytest (no Odoo): ``.venv/bin/pytest -q tests/test_amazon_sandbox.py``. The conformance
tests validate every answer against Amazon's Swagger 2.0 models (Orders 2026-01-01, Reports
2021-06-30) and skip when the reference data is absent.
"""

import gzip
import json
from decimal import Decimal

import jsonschema
import pytest
import requests
from omni_sandboxes.amazon_sandbox import (
    CLIENT_ID,
    CLIENT_SECRET,
    DE,
    REFRESH_TOKEN,
    SETTLEMENT_COLUMNS,
    SETTLEMENT_REPORT_TYPE,
    US,
    AmazonSandbox,
    generate_month,
)
from omni_sandboxes.refdata import refdata_path
from omni_sandboxes.testing import load_http, load_registry  # noqa: F401 (see there)

MODELS = {
    "orders": ("amazon", "orders_2026-01-01.json"),
    "reports": ("amazon", "reports_2021-06-30.json"),
}
AMAZON_REFDATA_HINT = (
    "Amazon reference data not found: set OMNI_REFDATA to the shared/refdata folder of the "
    "project's steering repo (it holds amazon/orders_2026-01-01.json and "
    "amazon/reports_2021-06-30.json)."
)


@pytest.fixture(scope="module")
def world():
    return generate_month()


@pytest.fixture(scope="module")
def sandbox(world):
    with AmazonSandbox(world) as box:
        yield box


@pytest.fixture(autouse=True)
def _clean_sandbox(request):
    yield
    if "sandbox" in request.fixturenames:
        box = request.getfixturevalue("sandbox")
        box.clear_faults()
        box.page_size = 100
        box.broken_totals.clear()


class SwaggerModel:
    """Validate JSON against one Swagger 2.0 model's definitions, refusing undeclared
    properties too (Amazon's models rarely close their objects themselves)."""

    def __init__(self, spec):
        self.definitions = spec["definitions"]

    def _resolve(self, schema):
        while "$ref" in schema:
            schema = self.definitions[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def validate(self, instance, name):
        jsonschema.Draft4Validator(
            {"$ref": f"#/definitions/{name}", "definitions": self.definitions}
        ).validate(instance)
        undeclared = list(self._undeclared(instance, {"$ref": f"#/definitions/{name}"}, name))
        assert not undeclared, f"properties not in the {name} model: {undeclared}"

    def _undeclared(self, instance, schema, where):
        schema = self._resolve(schema)
        if isinstance(instance, dict) and "properties" in schema:
            for key, value in instance.items():
                if key not in schema["properties"]:
                    yield f"{where}.{key}"
                else:
                    yield from self._undeclared(value, schema["properties"][key], f"{where}.{key}")
        elif isinstance(instance, list) and "items" in schema:
            for n, value in enumerate(instance):
                yield from self._undeclared(value, schema["items"], f"{where}[{n}]")


def _model(name):
    path = refdata_path(*MODELS[name])
    if not path.is_file():
        pytest.skip(AMAZON_REFDATA_HINT)
    return SwaggerModel(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def orders_model():
    return _model("orders")


@pytest.fixture(scope="module")
def reports_model():
    return _model("reports")


def token(sandbox):
    resp = requests.post(
        f"{sandbox.url}/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": REFRESH_TOKEN,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
        timeout=5,
    )
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"]


def get(sandbox, path, params=None, access_token=None):
    headers = {"x-amz-access-token": access_token or token(sandbox)}
    return requests.get(sandbox.url + path, params=params, headers=headers, timeout=5)


def search_all(sandbox, params):
    query = dict(params)
    access_token = token(sandbox)
    while True:
        resp = get(sandbox, "/orders/2026-01-01/orders", query, access_token)
        assert resp.status_code == 200, resp.text
        yield resp.json()
        next_token = (resp.json().get("pagination") or {}).get("nextToken")
        if not next_token:
            return
        query = dict(params, paginationToken=next_token)


# --------------------------------------------------------------------------- generated data


def test_month_content(world):
    assert generate_month().orders == world.orders  # deterministic
    marketplaces = {o["salesChannel"]["marketplaceId"] for o in world.orders}
    assert marketplaces == {US.marketplace_id, DE.marketplace_id}
    assert {o["fulfillment"]["fulfilledBy"] for o in world.orders} == {"AMAZON", "MERCHANT"}
    assert "CANCELLED" in {o["fulfillment"]["fulfillmentStatus"] for o in world.orders}
    assert {s.marketplace.currency for s in world.settlements} == {"USD", "EUR"}
    descriptions = {r["amount-description"] for s in world.settlements for r in s.rows}
    assert {
        "Principal",
        "Commission",
        "RefundCommission",
        "FBAPerUnitFulfillmentFee",
        "REVERSAL_REIMBURSEMENT",
        "Current Reserve Amount",
        "Previous Reserve Amount Balance",
        "Subscription Fee",
        "TransactionTotalAmount",
        "MarketplaceFacilitatorTax-Principal",
    } <= descriptions
    assert "Refund" in {r["transaction-type"] for s in world.settlements for r in s.rows}


def test_settlement_file_columns_and_local_format(world):
    for settlement in world.settlements:
        lines = settlement.text().splitlines()
        assert lines[0].split("\t") == SETTLEMENT_COLUMNS
        assert all(len(line.split("\t")) == len(SETTLEMENT_COLUMNS) for line in lines)
        header = dict(zip(SETTLEMENT_COLUMNS, lines[1].split("\t"), strict=True))
        assert header["transaction-type"] == "" and header["currency"]
        assert len(lines) == 2 + len(settlement.rows)
    de = next(s for s in world.settlements if s.marketplace is DE)
    text = de.text()
    assert "1.234,56" in text and "\t-3,75\t" in text and "02.11.2026" in text
    us = next(s for s in world.settlements if s.marketplace is US)
    assert "\t1234.56\t" in us.text() and "2026-11-08T" in us.text()  # the US way
    assert sum((r["amount"] for r in de.rows), Decimal(0)) == de.total


# --------------------------------------------------------------------------- wire format


def test_token_endpoint(sandbox):
    access_token = token(sandbox)
    assert access_token.startswith("Atza|")
    refused = requests.post(
        f"{sandbox.url}/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": "x",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
        timeout=5,
    )
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    resp = get(sandbox, "/orders/2026-01-01/orders", {"lastUpdatedAfter": "2026-01-01"}, "nope")
    assert resp.status_code == 403 and resp.json()["errors"][0]["code"] == "Unauthorized"


def test_orders_conform_and_paginate(sandbox, world, orders_model):
    sandbox.page_size = 5
    params = {"lastUpdatedAfter": "2026-10-01T00:00:00Z", "marketplaceIds": US.marketplace_id}
    pages = list(search_all(sandbox, params))
    assert len(pages) == 2
    for page in pages:
        orders_model.validate(page, "SearchOrdersResponse")
    ids = [o["orderId"] for page in pages for o in page["orders"]]
    expected = [
        o["orderId"]
        for o in world.orders
        if o["salesChannel"]["marketplaceId"] == US.marketplace_id
    ]
    assert sorted(ids) == sorted(expected)
    resp = get(sandbox, f"/orders/2026-01-01/orders/{ids[0]}")
    assert resp.status_code == 200
    orders_model.validate(resp.json(), "GetOrderResponse")
    later = list(search_all(sandbox, {"lastUpdatedAfter": "2027-01-01T00:00:00Z"}))
    assert later == [{"orders": []}]


def test_reports_and_documents_conform(sandbox, world, reports_model):
    resp = get(sandbox, "/reports/2021-06-30/reports", {"reportTypes": SETTLEMENT_REPORT_TYPE})
    assert resp.status_code == 200
    reports_model.validate(resp.json(), "GetReportsResponse")
    reports = resp.json()["reports"]
    assert len(reports) == len(world.settlements)
    for report, settlement in zip(reports, world.settlements, strict=True):
        doc = get(sandbox, f"/reports/2021-06-30/documents/{report['reportDocumentId']}")
        assert doc.status_code == 200
        reports_model.validate(doc.json(), "ReportDocument")
        data = requests.get(doc.json()["url"], timeout=5).content
        if doc.json().get("compressionAlgorithm") == "GZIP":
            data = gzip.decompress(data)
        assert data.decode() == settlement.text()
    missing = get(sandbox, "/reports/2021-06-30/documents/nope")
    assert missing.status_code == 404
    reports_model.validate(missing.json(), "ErrorList")


def test_paged_reports(sandbox, world):
    sandbox.page_size = 1
    first = get(sandbox, "/reports/2021-06-30/reports", {"reportTypes": SETTLEMENT_REPORT_TYPE})
    second = get(sandbox, "/reports/2021-06-30/reports", {"nextToken": first.json()["nextToken"]})
    assert [r["reportId"] for r in first.json()["reports"] + second.json()["reports"]] == [
        r["reportId"] for r in world.reports()
    ]
    assert "nextToken" not in second.json()


# --------------------------------------------------------------------------- faults


def assert_error_list(body):
    """Amazon's ErrorList (checked against the model where the reference data is)."""
    assert body["errors"] and all({"code", "message"} <= set(e) for e in body["errors"])


def test_faults(sandbox):
    access_token = token(sandbox)
    path, params = "/orders/2026-01-01/orders", {"lastUpdatedAfter": "2026-10-01T00:00:00Z"}
    sandbox.add_fault("429", retry_after=2, path_prefix="/orders/")
    resp = get(sandbox, path, params, access_token)
    assert resp.status_code == 429 and resp.headers["x-amzn-RateLimit-Limit"] == "0.5"
    assert_error_list(resp.json())
    sandbox.add_fault("500", path_prefix="/orders/")
    resp = get(sandbox, path, params, access_token)
    assert resp.status_code == 500
    assert_error_list(resp.json())
    sandbox.add_fault("503", path_prefix="/orders/")
    resp = get(sandbox, path, params, access_token)
    assert resp.status_code == 503 and resp.headers["Content-Type"] == "text/html"
    sandbox.add_fault("expired_token", path_prefix="/orders/")
    resp = get(sandbox, path, params, access_token)
    assert resp.status_code == 403 and "expired" in resp.json()["errors"][0]["message"]
    assert get(sandbox, path, params).status_code == 200  # a new token works
    sandbox.timeout_seconds = 1
    sandbox.add_fault("timeout", path_prefix="/orders/")
    with pytest.raises(requests.exceptions.Timeout):
        requests.get(sandbox.url + path, params=params, timeout=0.3)
