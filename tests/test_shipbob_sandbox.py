"""The ShipBob sandbox speaks API 2026-01 and stays inside ShipBob's OpenAPI.

Plain pytest (no Odoo): ``.venv/bin/pytest -q tests/test_shipbob_sandbox.py``. The conformance
tests validate every answer (and every order and subscription request) against
``shipbob/openapi-2026-01.json`` and skip when the reference data is absent.
"""

from datetime import datetime, timedelta, timezone

import jsonschema
import pytest
import requests
from omni_sandboxes.refdata import refdata_path
from omni_sandboxes.shipbob_sandbox import (
    PAT,
    SHIPBOB_HINT,
    SPEC,
    ShipBobSandbox,
    ShipBobWorld,
    new_secret,
    shipbob_validator,
)
from omni_sandboxes.testing import load_http, load_registry  # noqa: F401 (see there)
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

API = "/2026-01"
AUTH = {"Authorization": f"Bearer {PAT}"}


def order_body(reference="WH/OUT/00001", **overrides):
    return {
        "reference_id": reference,
        "type": "DTC",
        "shipping_method": "Standard",
        "location_id": 10,
        "recipient": {
            "name": "Ann Buyer",
            "email": "ann@example.com",
            "address": {
                "address1": "1 Main St",
                "city": "Chicago",
                "country": "US",
                "state": "IL",
                "zip_code": "60601",
            },
        },
        "products": [
            {"reference_id": "SB-MUG", "sku": "SB-MUG", "name": "Omni mug", "quantity": 3},
            {"reference_id": "SB-TEE", "sku": "SB-TEE", "name": "Omni t-shirt", "quantity": 2},
        ],
        **overrides,
    }


@pytest.fixture(scope="module")
def validator():
    if not refdata_path(*SPEC).is_file():
        pytest.skip(SHIPBOB_HINT)
    return shipbob_validator()


@pytest.fixture
def sandbox(validator):
    with ShipBobSandbox(ShipBobWorld(), validator=validator) as box:
        yield box
    assert box.schema_errors == [], box.schema_errors


def call(sandbox, method, path, **kwargs):
    return requests.request(method, f"{sandbox.url}{path}", headers=AUTH, timeout=10, **kwargs)


def test_validator_refuses_what_the_spec_refuses(validator):
    """The translation of ShipBob's spec keeps its objects closed and typed: a check that can
    fail."""
    shipment = {"id": 1, "order_id": 2, "status": "Completed", "products": []}
    assert validator.is_valid(shipment, "Orders.ShipmentViewModel")
    assert not validator.is_valid({**shipment, "status": "Teleported"}, "Orders.ShipmentViewModel")
    assert not validator.is_valid({**shipment, "id": "one"}, "Orders.ShipmentViewModel")
    assert not validator.is_valid({**shipment, "surprise": 1}, "Orders.ShipmentViewModel")
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(order_body(products=[]), "Orders.CreateOrderModel")
    assert validator.is_valid(order_body(), "Orders.CreateOrderModel")


def test_orders_are_created_once_per_reference(sandbox):
    created = call(sandbox, "POST", f"{API}/order", json=order_body())
    assert created.status_code == 201, created.text
    order = created.json()
    assert order["reference_id"] == "WH/OUT/00001" and order["status"] == "Processing"
    again = call(sandbox, "POST", f"{API}/order", json=order_body())
    assert again.status_code == 422 and "reference_id" in again.json()
    found = call(sandbox, "GET", f"{API}/order", params={"ReferenceIds": "WH/OUT/00001"}).json()
    assert [o["id"] for o in found] == [order["id"]]
    assert call(sandbox, "GET", f"{API}/order/{order['id']}").json()["id"] == order["id"]


def test_invalid_order_request_is_refused(sandbox):
    response = call(sandbox, "POST", f"{API}/order", json=order_body(type="Teleport"))
    assert response.status_code == 400
    assert sandbox.schema_errors  # recorded, what the Odoo tests assert stays empty
    sandbox.schema_errors.clear()


def test_partial_shipments_and_inventory(sandbox):
    order = call(sandbox, "POST", f"{API}/order", json=order_body()).json()
    before = {
        i["sku"]: i
        for i in call(sandbox, "GET", f"{API}/inventory-level/locations").json()["items"]
    }
    first = sandbox.ship(order["id"], {"SB-MUG": 2}, tracking="TRK1")
    assert call(sandbox, "GET", f"{API}/order/{order['id']}").json()["status"] == (
        "PartiallyFulfilled"
    )
    sandbox.ship(order["id"], {"SB-MUG": 1, "SB-TEE": 2})
    assert call(sandbox, "GET", f"{API}/order/{order['id']}").json()["status"] == "Fulfilled"
    shipment = call(sandbox, "GET", f"{API}/shipment/{first['id']}").json()
    assert shipment["tracking"]["tracking_number"] == "TRK1"
    assert shipment["products"][0]["inventory_items"][0]["quantity"] == 2
    after = {
        i["sku"]: i
        for i in call(sandbox, "GET", f"{API}/inventory-level/locations").json()["items"]
    }
    cicero = [loc for loc in after["SB-MUG"]["locations"] if loc["location_id"] == 10][0]
    was = [loc for loc in before["SB-MUG"]["locations"] if loc["location_id"] == 10][0]
    assert cicero["on_hand_quantity"] == was["on_hand_quantity"] - 3


def test_cancel_before_and_after_shipping(sandbox):
    open_order = call(sandbox, "POST", f"{API}/order", json=order_body("A")).json()
    cancelled = call(sandbox, "POST", f"{API}/order/{open_order['id']}:cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "Success"
    shipped = call(sandbox, "POST", f"{API}/order", json=order_body("B")).json()
    sandbox.ship(shipped["id"], {"SB-MUG": 3, "SB-TEE": 2})
    refused = call(sandbox, "POST", f"{API}/order/{shipped['id']}:cancel")
    assert refused.status_code == 422 and refused.json()["status"] == "Failure"


def test_webhook_subscriptions_and_signed_deliveries(sandbox):
    secret = new_secret("test")
    created = call(
        sandbox,
        "POST",
        f"{API}/webhook",
        json={"topics": ["order.shipped"], "url": "https://example.com/hook", "secret": secret},
    )
    assert created.status_code == 200 and created.json()["secret"] == secret
    listed = call(sandbox, "GET", f"{API}/webhook").json()["items"]
    assert [s["url"] for s in listed] == ["https://example.com/hook"]
    assert "secret" not in listed[0]
    raw, headers = sandbox.signed("order.shipped", {"id": 1}, secret=secret)
    Webhook(secret).verify(raw, headers)  # the Standard Webhooks library accepts it
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret("other")).verify(raw, headers)
    old = datetime.now(timezone.utc) - timedelta(minutes=10)
    raw, headers = sandbox.signed("order.shipped", {"id": 1}, secret=secret, timestamp=old)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(raw, headers)
    assert call(sandbox, "DELETE", f"{API}/webhook/{listed[0]['id']}").status_code == 204
    assert call(sandbox, "GET", f"{API}/webhook").json()["items"] == []


def test_faults_and_auth(sandbox):
    assert requests.get(f"{sandbox.url}{API}/order", timeout=5).status_code == 401
    sandbox.add_fault("429", retry_after=7, path_prefix=f"{API}/order")
    throttled = call(sandbox, "GET", f"{API}/order")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "7"
    sandbox.add_fault("503")
    assert call(sandbox, "GET", f"{API}/order").status_code == 503
    assert call(sandbox, "GET", f"{API}/order").status_code == 200
