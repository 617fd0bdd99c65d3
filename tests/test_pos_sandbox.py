"""The POS sandbox serves the POS feed contract v1, deterministically, with faults.

Plain pytest (no Odoo): ``.venv/bin/pytest -q tests/test_pos_sandbox.py``.
"""

import hashlib
import hmac
import http.server
import json
import threading
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
import requests
from omni_sandboxes.pos_sandbox import (
    PosSandbox,
    generate_store_days,
    send_webhook,
    sign,
)
from omni_sandboxes.testing import load_http, load_registry  # noqa: F401 (see there)

API_KEY = "pos_key_test"
SCHEMA = json.loads(
    (
        Path(__file__).resolve().parents[1]
        / "omni_connector_pos/data/contract/pos-feed-v1.schema.json"
    ).read_text()
)


@pytest.fixture(scope="module")
def world():
    return generate_store_days(days=2, registers=2)


@pytest.fixture
def sandbox(world):
    with PosSandbox(world, api_key=API_KEY) as box:
        box.timeout_seconds = 1.0
        yield box


def get(sandbox, path, key=API_KEY, **params):
    return requests.get(
        f"{sandbox.url}{path}",
        params=params,
        headers={"Authorization": f"Bearer {key}"},
        timeout=(2, 0.5),
    )


def test_deterministic_and_conform(world):
    assert generate_store_days(days=2, registers=2).to_json() == world.to_json()
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.validate(world.batch(), SCHEMA)
    for record in world.records:
        jsonschema.validate(record, SCHEMA)


def test_seeded_cases(world):
    txns = world.transactions
    assert any(t["kind"] == "return" and t.get("original_transaction_id") for t in txns)
    assert any(t["kind"] == "return" and not t.get("original_transaction_id") for t in txns)
    assert any(t["kind"] == "exchange" for t in txns)
    assert any(t["kind"] == "void" for t in txns)
    cards = [tender for t in txns for tender in t.get("tenders", ()) if tender["type"] == "card"]
    assert any(not c.get("processor_reference") for c in cards)
    # Every transaction's tenders add up to its total, to the cent.
    for txn in txns:
        if txn["kind"] != "void":
            assert sum(Decimal(t["amount"]) for t in txn["tenders"]) == Decimal(txn["total"])
    # Exactly one till's Z report disagrees with its transactions.
    assert list(world.expected_gaps.values()) == [Decimal("-5.00")]


def test_pagination_and_since(sandbox, world):
    seen, cursor = [], None
    while True:
        params = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        page = get(sandbox, "/v1/records", **params).json()
        seen += page["records"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == world.records
    late = get(sandbox, "/v1/records", since="2026-11-03T00:00:00Z").json()["records"]
    assert late and all(r["business_date"] == "2026-11-03" for r in late)


def test_auth_and_faults(sandbox):
    assert get(sandbox, "/v1/health", key="wrong").status_code == 401
    assert get(sandbox, "/v1/records", limit="x").status_code == 400
    sandbox.add_fault("429", retry_after=9)
    response = get(sandbox, "/v1/records")
    assert (response.status_code, response.headers["Retry-After"]) == (429, "9")
    sandbox.add_fault("500")
    assert get(sandbox, "/v1/records").status_code == 500
    sandbox.add_fault("timeout")
    with pytest.raises(requests.Timeout):
        get(sandbox, "/v1/records")
    sandbox.add_fault("drop")
    with pytest.raises(requests.ConnectionError):
        get(sandbox, "/v1/records")
    assert get(sandbox, "/v1/health").json()["status"] == "ok"


def test_signed_webhook(world):
    received = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers["X-Pos-Signature"]))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        assert send_webhook(url, world.records[0], "s3cret").status_code == 200
    finally:
        server.shutdown()
        server.server_close()
    body, signature = received[0]
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert signature == f"sha256={expected}" == sign(body, "s3cret")
    assert json.loads(body) == world.records[0]
