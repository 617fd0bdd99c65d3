"""The Stripe sandbox speaks what the official SDK expects and serves Stripe-shaped data.

Plain pytest (no Odoo): ``.venv/bin/pytest -q tests/test_stripe_sandbox.py``. The conformance
tests (OpenAPI validation, fixture fields) skip when the reference data is absent.
"""

import http.server
import json
import threading
import time
from collections import Counter, defaultdict

import jsonschema
import pytest
import requests
import stripe
from omni_sandboxes.openapi import StripeSchemaValidator
from omni_sandboxes.refdata import (
    REFDATA_HINT,
    has_stripe_refdata,
    load_stripe_fixtures,
    load_stripe_spec,
)
from omni_sandboxes.stripe_sandbox import (
    DAY,
    DEFAULT_START,
    DISPUTE_FEE,
    RESOURCES,
    StripeSandbox,
    generate_month,
    send_event,
    sign_payload,
    stripe_fee,
)
from omni_sandboxes.testing import load_http, load_registry  # noqa: F401 (see there)

API_KEY = "sk_test_omni"


@pytest.fixture(scope="module")
def world():
    return generate_month()


@pytest.fixture(scope="module")
def sandbox(world):
    with StripeSandbox(world, api_key=API_KEY) as box:
        yield box


@pytest.fixture(autouse=True)
def _clean_sandbox(request):
    yield
    if "sandbox" in request.fixturenames:
        box = request.getfixturevalue("sandbox")
        box.reset()
        box.timeout_seconds = 3.0


@pytest.fixture
def client(sandbox):
    return stripe.StripeClient(API_KEY, base_addresses={"api": sandbox.url}, max_network_retries=0)


@pytest.fixture(scope="module")
def validator():
    if not has_stripe_refdata():
        pytest.skip(REFDATA_HINT)
    return StripeSchemaValidator(load_stripe_spec())


def raw_get(sandbox, path, params=None, key=API_KEY):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return requests.get(sandbox.url + path, params=params, headers=headers, timeout=5)


def raw_list_all(sandbox, resource, params=None):
    """Every object of a list endpoint, as raw JSON, following ``starting_after``."""
    out, query = [], dict(params or {}, limit=100)
    while True:
        resp = raw_get(sandbox, f"/v1/{resource}", query)
        assert resp.status_code == 200, resp.text
        page = resp.json()
        assert page["object"] == "list" and page["url"] == f"/v1/{resource}"
        assert isinstance(page["has_more"], bool)
        out += page["data"]
        if not page["has_more"]:
            return out
        query["starting_after"] = page["data"][-1]["id"]


# --------------------------------------------------------------------------- generated data


def test_month_content(world):
    s = world.summary()
    assert s["counts"]["charges"] == 180 == s["counts"]["payment_intents"]
    assert {c["currency"] for c in world.charges} == {"usd", "eur", "jpy"}
    assert world.now == DEFAULT_START + 30 * DAY

    payouts = {p["id"]: p for p in world.payouts}
    failed = [p for p in world.payouts if p["status"] == "failed"]
    assert [p["id"] for p in failed] == [world.failed_payout_id]
    assert failed[0]["failure_code"] == "account_closed" and failed[0]["failure_message"]
    assert all(p["status"] == "paid" for p in world.payouts if p is not failed[0])

    disputes = {d["status"]: d for d in world.disputes}
    assert sorted(disputes) == ["lost", "won"]
    assert disputes["won"]["id"] == world.won_dispute_id
    assert disputes["lost"]["id"] == world.lost_dispute_id

    metadata_kinds = Counter(
        "order_ref"
        if "order_ref" in c["metadata"]
        else "shopify"
        if "shopify_order_id" in c["metadata"]
        else "none"
        for c in world.charges
    )
    assert metadata_kinds["order_ref"] > metadata_kinds["shopify"] > 0
    assert metadata_kinds["none"] > 0

    txns = {t["id"]: t for t in world.balance_transactions}
    for ch in world.charges:
        assert ch["status"] == "succeeded" and ch["paid"] and ch["captured"]
        txn = txns[ch["balance_transaction"]]
        assert (txn["type"], txn["reporting_category"], txn["source"]) == (
            "charge",
            "charge",
            ch["id"],
        )
        assert txn["amount"] == ch["amount"] and txn["currency"] == ch["currency"]
        assert txn["fee"] == stripe_fee(ch["amount"], ch["currency"])
        assert [f["type"] for f in txn["fee_details"]] == ["stripe_fee"]
        assert txn["fee_details"][0]["amount"] == txn["fee"]
        assert txn["net"] == txn["amount"] - txn["fee"]
        assert txn["available_on"] == ch["created"] + 2 * DAY
        if ch["currency"] == "jpy":
            assert ch["amount"] % 100 == 0
        refunded = sum(r["amount"] for r in world.refunds if r["charge"] == ch["id"])
        assert ch["amount_refunded"] == refunded
        assert ch["refunded"] == (refunded == ch["amount"])
        assert [r["id"] for r in ch["refunds"]["data"]] == [
            r["id"] for r in world.refunds if r["charge"] == ch["id"]
        ][::-1]
    assert any(0 < c["amount_refunded"] < c["amount"] for c in world.charges)
    assert sum(c["refunded"] for c in world.charges) == 1

    for r in world.refunds:
        txn = txns[r["balance_transaction"]]
        assert (txn["type"], txn["source"], txn["fee"]) == ("refund", r["id"], 0)
        assert txn["amount"] == -r["amount"] == txn["net"]

    for dp in world.disputes:
        dtx = [t for t in world.balance_transactions if t["source"] == dp["id"]]
        assert dp["balance_transactions"] == dtx
        assert dtx[0]["type"] == "adjustment" and dtx[0]["reporting_category"] == "dispute"
        assert dtx[0]["amount"] == -dp["amount"] and dtx[0]["fee"] == DISPUTE_FEE
        if dp["status"] == "won":
            assert [t["reporting_category"] for t in dtx] == ["dispute", "dispute_reversal"]
            assert dtx[1]["amount"] == dp["amount"] and dtx[1]["fee"] == -DISPUTE_FEE
        else:
            assert len(dtx) == 1

    for po in world.payouts:
        own = txns[po["balance_transaction"]]
        assert (own["type"], own["source"], own["amount"]) == ("payout", po["id"], -po["amount"])
        assert po["arrival_date"] == (po["created"] // DAY + 1) * DAY
    failure = txns[failed[0]["failure_balance_transaction"]]
    assert failure["type"] == "payout_failure" and failure["amount"] == failed[0]["amount"]
    next_payout = payouts[world.payout_of(failure["id"])]
    assert next_payout["currency"] == failed[0]["currency"]
    assert next_payout["status"] == "paid" and next_payout["created"] > failure["created"]

    types = Counter(e["type"] for e in world.events)
    assert types["charge.succeeded"] == types["payment_intent.succeeded"] == 180
    assert types["charge.refunded"] == types["charge.refund.updated"] == len(world.refunds)
    assert types["charge.dispute.created"] == types["charge.dispute.closed"] == 2
    assert types["payout.failed"] == 1
    assert types["payout.paid"] == len(world.payouts) - 1
    succeeded = [e for e in world.events if e["type"] == "charge.succeeded"]
    assert all(e["data"]["object"]["amount_refunded"] == 0 for e in succeeded)


def test_every_balance_transaction_is_paid_out_once_available(world):
    for txn in world.balance_transactions:
        payout_id = world.payout_of(txn["id"])
        if txn["available_on"] <= world.now - DAY:
            assert payout_id, txn
        if payout_id:
            payout = world.find("payouts", payout_id)
            assert payout["currency"] == txn["currency"]
            assert txn["available_on"] <= payout["created"]
    for po in world.payouts:
        group = world.transactions_of_payout(po["id"])
        assert sum(t["net"] for t in group) == 0
        assert sum(t["net"] for t in group if t["type"] != "payout") == po["amount"] > 0


def test_balance_invariant(world):
    balance = world.balance()
    available = {b["currency"]: b["amount"] for b in balance["available"]}
    pending = {b["currency"]: b["amount"] for b in balance["pending"]}
    nets = defaultdict(int)
    for txn in world.balance_transactions:
        nets[txn["currency"]] += txn["net"]
    assert set(nets) == set(available) == set(pending) == {"usd", "eur", "jpy"}
    for currency, net in nets.items():
        assert available[currency] + pending[currency] == net
        assert pending[currency] > 0  # the last two days' charges are not available yet


def test_determinism():
    first, second = generate_month(seed=7), generate_month(seed=7)
    assert first.to_json() == second.to_json()
    assert generate_month(seed=8).to_json() != first.to_json()


def test_generation_without_reference_data():
    world = generate_month(seed=3, days=12, fixtures={})
    assert world.failed_payout_id and world.won_dispute_id and world.lost_dispute_id
    nets = defaultdict(int)
    for txn in world.balance_transactions:
        nets[txn["currency"]] += txn["net"]
    balance = world.balance()
    for avail, pend in zip(balance["available"], balance["pending"]):
        assert avail["amount"] + pend["amount"] == nets[avail["currency"]]


def test_objects_carry_every_fixture_field(world):
    if not has_stripe_refdata():
        pytest.skip(REFDATA_HINT)
    resources = load_stripe_fixtures()["resources"]
    for segment, name in RESOURCES.items():
        expected = set(resources[name])
        for obj in world.collection(segment):
            assert expected <= set(obj), (name, expected - set(obj))
    assert set(resources["balance"]) <= set(world.balance())


# --------------------------------------------------------------------------- API via the SDK


def test_auto_pagination_returns_every_balance_transaction(world, sandbox, client):
    listed = list(client.v1.balance_transactions.list({"limit": 100}).auto_paging_iter())
    assert len(listed) == len(world.balance_transactions)
    assert [t.id for t in listed] == [
        t["id"]
        for t in sorted(
            world.balance_transactions, key=lambda t: (t["created"], t["id"]), reverse=True
        )
    ]
    pages = sandbox.requests_to("/v1/balance_transactions")
    assert len(pages) == -(-len(listed) // 100)
    assert "starting_after" not in pages[0].query and "starting_after" in pages[1].query
    assert pages[0].headers["Authorization"] == f"Bearer {API_KEY}"


def test_default_limit_and_backward_pagination(world, client):
    page = client.v1.charges.list()
    assert len(page.data) == 10 and page.has_more and page.url == "/v1/charges"
    oldest = min(world.charges, key=lambda c: (c["created"], c["id"]))
    backwards = list(
        client.v1.charges.list({"ending_before": oldest["id"], "limit": 7}).auto_paging_iter()
    )
    ascending = sorted(world.charges, key=lambda c: (c["created"], c["id"]))
    assert [c.id for c in backwards] == [c["id"] for c in ascending[1:]]


def test_payout_filter(world, client):
    for po in world.payouts:
        txns = list(
            client.v1.balance_transactions.list(
                {"payout": po["id"], "limit": 100}
            ).auto_paging_iter()
        )
        assert {t.id for t in txns} == {t["id"] for t in world.transactions_of_payout(po["id"])}
        own = [t for t in txns if t.type == "payout"]
        assert [t.source for t in own] == [po["id"]]
        assert sum(t.net for t in txns if t.type != "payout") == po["amount"] == -own[0].amount
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.balance_transactions.list({"payout": "po_missing"})
    assert exc.value.http_status == 404 and exc.value.code == "resource_missing"


def test_failed_payout_via_api(world, client):
    failed = client.v1.payouts.list({"status": "failed"}).data
    assert [p.id for p in failed] == [world.failed_payout_id]
    assert failed[0].failure_code == "account_closed"
    failure = client.v1.balance_transactions.retrieve(failed[0].failure_balance_transaction)
    assert failure.type == "payout_failure" and failure.source == failed[0].id
    refill = client.v1.balance_transactions.list({"type": "payout_failure"}).data
    assert [t.id for t in refill] == [failure.id]
    next_id = world.payout_of(failure.id)
    group = client.v1.balance_transactions.list({"payout": next_id, "limit": 100}).data
    assert failure.id in {t.id for t in group}


def test_expand_source(world, sandbox, client):
    page = client.v1.balance_transactions.list(
        {"type": "charge", "limit": 25, "expand": ["data.source"]}
    )
    assert len(page.data) == 25
    for txn in page.data:
        assert isinstance(txn.source, stripe.Charge)
        assert txn.source.balance_transaction == txn.id
    assert sandbox.requests[-1].query["expand[0]"] == "data.source"
    refund = world.refunds[0]
    txn = client.v1.balance_transactions.retrieve(
        refund["balance_transaction"], {"expand": ["source"]}
    )
    assert txn.source.object == "refund" and txn.source.id == refund["id"]
    payout = client.v1.payouts.retrieve(world.payouts[0]["id"], {"expand": ["balance_transaction"]})
    assert payout.balance_transaction.amount == -payout.amount
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.balance_transactions.list({"expand": ["data.currency"]})


def test_created_filter(world, sandbox, client):
    since = DEFAULT_START + 10 * DAY
    until = DEFAULT_START + 12 * DAY
    got = list(
        client.v1.balance_transactions.list(
            {"created": {"gte": since}, "limit": 100}
        ).auto_paging_iter()
    )
    assert {t.id for t in got} == {
        t["id"] for t in world.balance_transactions if t["created"] >= since
    }
    got = list(
        client.v1.charges.list(
            {"created": {"gt": since, "lt": until}, "limit": 100}
        ).auto_paging_iter()
    )
    assert {c.id for c in got} == {c["id"] for c in world.charges if since < c["created"] < until}
    assert sandbox.requests[-1].query["created[gt]"] == str(since)
    exact = world.charges[0]
    got = client.v1.charges.list({"created": exact["created"]}).data
    assert exact["id"] in {c.id for c in got}


def test_other_filters(world, client):
    ch = next(c for c in world.charges if c["refunds"]["data"])
    assert [c.id for c in client.v1.charges.list({"payment_intent": ch["payment_intent"]})] == [
        ch["id"]
    ]
    assert {r.id for r in client.v1.refunds.list({"charge": ch["id"]})} == {
        r["id"] for r in ch["refunds"]["data"]
    }
    dp = client.v1.disputes.list({"charge": world.find("disputes", world.won_dispute_id)["charge"]})
    assert [d.id for d in dp] == [world.won_dispute_id]
    events = client.v1.events.list({"type": "charge.dispute.*", "limit": 100}).data
    assert Counter(e.type for e in events) == {
        "charge.dispute.created": 2,
        "charge.dispute.closed": 2,
    }
    refunds = client.v1.balance_transactions.list({"type": "refund", "limit": 100}).data
    assert len(refunds) == len(world.refunds)
    pi = client.v1.payment_intents.retrieve(ch["payment_intent"])
    assert pi.latest_charge == ch["id"] and pi.status == "succeeded"


def test_balance_endpoint(world, sandbox):
    balance = sandbox.client(timeout=5).v1.balance.retrieve()
    assert balance.to_dict(recursive=True) == world.balance()


def test_errors(sandbox, client):
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.charges.retrieve("ch_nope")
    assert exc.value.http_status == 404 and exc.value.code == "resource_missing"
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.charges.list({"limit": 101})
    assert exc.value.http_status == 400
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.charges.list({"bogus": 1})
    assert exc.value.code == "parameter_unknown"
    bad = stripe.StripeClient(
        "sk_test_wrong", base_addresses={"api": sandbox.url}, max_network_retries=0
    )
    with pytest.raises(stripe.AuthenticationError) as exc:
        bad.v1.balance.retrieve()
    assert exc.value.http_status == 401
    resp = raw_get(sandbox, "/v1/charges", key=None)
    assert resp.status_code == 401
    assert resp.json()["error"]["type"] == "invalid_request_error"
    assert raw_get(sandbox, "/v1/nothing").status_code == 404


def test_post_is_refused_but_idempotency_key_recorded(sandbox):
    resp = requests.post(
        sandbox.url + "/v1/refunds",
        data={"charge": "ch_x"},
        headers={"Authorization": f"Bearer {API_KEY}", "Idempotency-Key": "omni-key-1"},
        timeout=5,
    )
    assert resp.status_code == 405
    assert resp.json()["error"]["type"] == "invalid_request_error"
    assert sandbox.idempotency_keys == ["omni-key-1"]
    assert sandbox.requests[-1].method == "POST"
    assert sandbox.requests[-1].query == {"charge": "ch_x"}


# --------------------------------------------------------------------------- faults


def test_fault_429(sandbox, client):
    sandbox.add_fault("429", retry_after=7)
    with pytest.raises(stripe.RateLimitError) as exc:
        client.v1.charges.list()
    assert exc.value.http_status == 429
    assert exc.value.headers["Retry-After"] == "7"
    assert exc.value.json_body["error"]["code"] == "rate_limit"
    assert len(client.v1.charges.list().data) == 10  # consumed


def test_fault_500_with_prefix_and_times(sandbox, client):
    sandbox.add_fault("500", path_prefix="/v1/payouts", times=2)
    assert client.v1.charges.list().data  # other paths unaffected
    for _ in range(2):
        with pytest.raises(stripe.APIError) as exc:
            client.v1.payouts.list()
        assert exc.value.http_status == 500
    assert client.v1.payouts.list().data
    assert sandbox.faults == []


def test_faults_consumed_in_order(sandbox, client):
    sandbox.add_fault("429")
    sandbox.add_fault("500")
    with pytest.raises(stripe.RateLimitError):
        client.v1.charges.list()
    with pytest.raises(stripe.APIError):
        client.v1.charges.list()
    assert client.v1.charges.list().data


def test_fault_timeout(sandbox):
    sandbox.timeout_seconds = 1.5
    sandbox.add_fault("timeout")
    client = stripe.StripeClient(
        API_KEY,
        base_addresses={"api": sandbox.url},
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=0.4),
    )
    started = time.monotonic()
    with pytest.raises(stripe.APIConnectionError):
        client.v1.balance_transactions.list()
    assert time.monotonic() - started < 1.4
    assert client.v1.balance_transactions.list().data


def test_fault_drop(sandbox, client):
    sandbox.add_fault("drop")
    with pytest.raises(stripe.APIConnectionError):
        client.v1.balance.retrieve()
    assert client.v1.balance.retrieve().object == "balance"


# --------------------------------------------------------------------------- schema conformance


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_served_objects_match_openapi_spec(sandbox, validator, resource):
    served = raw_list_all(sandbox, resource)
    assert len(served) == len(sandbox.world.collection(resource))
    for obj in served:
        validator.validate(obj, RESOURCES[resource])
        if resource == "events":
            inner = obj["data"]["object"]
            validator.validate(inner, inner["object"])
        if resource in {"charges", "payouts"}:
            one = raw_get(sandbox, f"/v1/{resource}/{obj['id']}").json()
            assert one == obj


def test_expanded_and_balance_match_openapi_spec(sandbox, validator):
    expanded = raw_list_all(sandbox, "balance_transactions", {"expand[]": "data.source"})
    kinds = Counter(t["source"]["object"] for t in expanded)
    assert set(kinds) == {"charge", "refund", "dispute", "payout"}
    for txn in expanded:
        validator.validate(txn, "balance_transaction")
    validator.validate(raw_get(sandbox, "/v1/balance").json(), "balance")


def test_validator_reports_path(validator, world):
    charge = json.loads(json.dumps(world.charges[0]))
    charge["refunds"]["data"] = [{"id": "re_x", "object": "refund", "amount": "12"}]
    with pytest.raises(Exception) as exc:
        validator.validate(charge, "charge")
    assert "refunds" in str(exc.value)
    txn = dict(world.balance_transactions[0], net=None)
    with pytest.raises(Exception) as exc:
        validator.validate(txn, "balance_transaction")
    assert "$.net" in str(exc.value)
    validator.validate(dict(world.balance_transactions[0], description=None), "balance_transaction")
    charge = json.loads(json.dumps(world.charges[0]))
    charge["outcome"]["type"] = 5
    expanded = dict(world.balance_transactions[0], source=charge)
    with pytest.raises(jsonschema.ValidationError) as exc:
        validator.validate(expanded, "balance_transaction")
    assert str(exc.value).startswith("balance_transaction $.source.outcome.type: 5 is not of")
    assert list(exc.value.path) == ["source", "outcome", "type"]


# --------------------------------------------------------------------------- Stripe's special cases


@pytest.fixture(scope="module")
def special_world():
    return generate_month(days=12, charges_per_day=8, currencies=("isk", "huf", "twd", "ugx"))


def test_special_currency_amounts(special_world):
    """docs.stripe.com/currencies#special-cases: ISK and UGX in hundredths, always whole;
    HUF and TWD charge with decimals but pay out whole units."""
    by_currency = defaultdict(list)
    for txn in special_world.balance_transactions:
        by_currency[txn["currency"]].append(txn)
    assert set(by_currency) == {"isk", "huf", "twd", "ugx"}
    for code in ("isk", "ugx"):
        for txn in by_currency[code]:
            assert all(txn[k] % 100 == 0 for k in ("amount", "fee", "net")), txn
    for code in ("huf", "twd"):
        charges = [c for c in special_world.charges if c["currency"] == code]
        assert any(c["amount"] % 100 for c in charges), "two-decimal charges"
    assert special_world.payouts
    for payout in special_world.payouts:
        assert payout["amount"] % 100 == 0, payout
    # What a whole-unit payout cannot take (under one unit) stays in the balance.
    for payout in special_world.payouts:
        paid = special_world.transactions_of_payout(payout["id"])
        rest = sum(t["net"] for t in paid if t["id"] != payout["balance_transaction"])
        assert 0 <= rest - payout["amount"] < 100


def test_special_currency_objects_match_openapi_spec(special_world, validator):
    for resource in ("balance_transactions", "charges", "payouts"):
        for obj in special_world.collection(resource):
            validator.validate(obj, RESOURCES[resource])


def test_later_shapes_match_openapi_spec(validator):
    world = generate_month(days=10, charges_per_day=4)
    refund = world.fail_refund(world.refunds[0]["id"])
    failure = world.get(refund["failure_balance_transaction"])
    assert (failure["type"], failure["amount"], failure["source"]) == (
        "refund_failure",
        refund["amount"],
        refund["id"],
    )
    validator.validate(refund, "refund")
    validator.validate(failure, "balance_transaction")
    fee = world.add_application_fee("usd", 250)
    fee_refund = world.add_application_fee("usd", 100, refund=True)
    assert (fee["type"], fee["net"], fee_refund["type"], fee_refund["net"]) == (
        "application_fee",
        250,
        "application_fee_refund",
        -100,
    )
    validator.validate(fee, "balance_transaction")
    validator.validate(fee_refund, "balance_transaction")
    intent = world.legacy_payment_intent(world.payment_intents[0]["id"])
    assert "latest_charge" not in intent
    assert [c["id"] for c in intent["charges"]["data"]] == [world.charges[0]["id"]]
    validator.validate(intent, "payment_intent")
    dispute = world.serve_legacy_dispute(world.disputes[0]["id"])
    assert dispute["balance_transaction"] == dispute["balance_transactions"][0]["id"]
    validator.validate(dispute, "dispute")
    for event_type, obj in (("refund.failed", refund), ("payment_intent.succeeded", intent)):
        event = world.make_event(event_type, obj)
        assert event["type"] == event_type and event["data"]["object"] == obj
        validator.validate(event, "event")


# --------------------------------------------------------------------------- webhooks

SECRET = "whsec_omni_test"


def test_signature_round_trip(world):
    payload = json.dumps(world.events[0]).encode()
    header = sign_payload(payload, SECRET)
    event = stripe.Webhook.construct_event(payload, header, SECRET, tolerance=300)
    assert event.id == world.events[0]["id"]

    rotated = sign_payload(payload, "whsec_old", extra_secrets=[SECRET], v0_secret="whsec_v0")
    assert rotated.count("v1=") == 2 and "v0=" in rotated
    stripe.Webhook.construct_event(payload, rotated, SECRET, tolerance=300)

    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload + b" ", header, SECRET, tolerance=300)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, header, "whsec_other", tolerance=300)
    stale = sign_payload(payload, SECRET, timestamp=int(time.time()) - 301)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, stale, SECRET, tolerance=300)


class _Receiver(http.server.BaseHTTPRequestHandler):
    received = None  # set per server

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            event = stripe.Webhook.construct_event(
                body, self.headers.get("Stripe-Signature"), SECRET, tolerance=300
            )
            self.server.received.append(event.id)
            status = 200
        except (stripe.SignatureVerificationError, ValueError):
            status = 400
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def receiver():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.received = []
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_send_event_delivers_signed_events(world, receiver):
    url = f"http://127.0.0.1:{receiver.server_address[1]}/omni/webhook/stripe"
    events = world.events_for_delivery(shuffle_seed=5, duplicates=3)
    assert len(events) == len(world.events) + 3
    ids = [e["id"] for e in events]
    assert ids != [e["id"] for e in world.events]  # out of order
    assert sorted(Counter(ids).values())[-3:] == [2, 2, 2]
    in_order = world.events_for_delivery()
    assert [e["created"] for e in in_order] == sorted(e["created"] for e in in_order)

    for event in events[:5]:
        assert send_event(url, event, SECRET).status_code == 200
    assert send_event(url, events[5], SECRET, duplicate=True).status_code == 200
    assert send_event(url, events[6], "whsec_wrong").status_code == 400
    assert receiver.received == ids[:5] + [ids[5], ids[5]]
