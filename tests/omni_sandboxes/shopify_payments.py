"""Shopify sandbox, the app side: Shopify Payments payouts and balance transactions, bulk
operations (JSONL served over HTTP), the client-credentials token endpoint and webhook
subscriptions. Hooked into :mod:`.shopify_sandbox` by one-line calls (resolvers, HTTP routes,
token check); state lives on the world (payouts) or on the sandbox (tokens, bulk operations,
subscriptions).

- :func:`seed_payouts` turns some seeded orders into Shopify Payments orders: each of their
  transactions gets a balance transaction (shop currency; charges pay a fee of
  ``fee_rate`` x amount + ``fee_fixed`` rounded half-up to the cent, refunds pay none) tied to
  it by ``sourceOrderTransactionId`` and ``associatedOrder``; balance transactions are paid out
  ``payout_delay`` days later, one payout per day, whose net is the sum of their nets.
- ``bulkOperationRunQuery`` validates the inner query against the schema, and is RUNNING for
  ``sandbox.bulk_polls`` polls of ``bulkOperation(id)`` before COMPLETED with a ``url`` served at
  ``GET /bulk/<n>.jsonl``: one line per node of the root connection and of the connections nested
  in it (``__parentId``), grouped under their parent when ``groupObjects`` is true.
- ``products`` / ``customers`` (``updated_at`` search, ``UPDATED_AT`` sort) over the world's
  products (with their variants) and customers.
- ``POST /admin/oauth/access_token`` (``grant_type=client_credentials``) issues tokens that expire
  after ``sandbox.token_lifetime`` seconds; GraphQL accepts them until then.
"""

import json
import threading
import time
import urllib.parse
import uuid
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import graphql

CENT = Decimal("0.01")
_lock = threading.Lock()
DEFAULT_SCOPES = (
    "read_orders",
    "read_all_orders",
    "read_returns",
    "read_products",
    "read_customers",
    "read_shopify_payments_payouts",
    "read_shopify_payments_disputes",
    "read_locations",
    "write_inventory",
    "write_merchant_managed_fulfillment_orders",
)


def _gid(kind, number):
    return f"gid://shopify/{kind}/{number}"


def _tail(value):
    return int(str(value).rsplit("/", 1)[-1])


def _iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(amount, currency):
    return {"amount": str(Decimal(amount).quantize(CENT)), "currencyCode": currency}


# --------------------------------------------------------------------------- payouts


def seed_payouts(world, every=2, fee_rate="0.029", fee_fixed="0.25", payout_delay=2,
                 scheduled_last=True):
    """Orders ``0, every, 2*every...`` become Shopify Payments orders (their transactions'
    gateway is ``shopify_payments``); returns (payouts, balance transactions)."""
    from datetime import datetime

    rate, fixed = Decimal(fee_rate), Decimal(fee_fixed)
    currency = world.currency
    txns = []
    seq = 0
    for index, order in enumerate(world.orders):
        if index % every:
            continue
        for txn in order["transactions"]:
            txn["gateway"] = "shopify_payments"
            txn["formattedGateway"] = "Shopify Payments"
            shop_amount = Decimal(txn["amountSet"]["shopMoney"]["amount"])
            seq += 1
            if txn["kind"] == "REFUND":
                amount, fee, kind = -shop_amount, Decimal(0), "REFUND"
            else:
                amount = shop_amount
                fee = (amount * rate + fixed).quantize(CENT, rounding=ROUND_HALF_UP)
                kind = "CHARGE"
            txns.append({
                "__typename": "ShopifyPaymentsBalanceTransaction",
                "id": _gid("ShopifyPaymentsBalanceTransaction", 2100000000 + seq),
                "type": kind,
                "test": True,
                "transactionDate": txn["processedAt"],
                "sourceType": kind,
                "sourceId": 2200000000 + seq,
                "sourceOrderTransactionId": _tail(txn["id"]),
                "adjustmentReason": None,
                "adjustmentsOrders": [],
                "amount": _money(amount, currency),
                "fee": _money(fee, currency),
                "net": _money(amount - fee, currency),
                "associatedOrder": {"id": order["id"], "name": order["name"]},
                "associatedPayout": {"id": None, "status": "PENDING"},
            })
    by_day = {}
    for txn in txns:
        day = datetime.fromisoformat(txn["transactionDate"].replace("Z", "+00:00")).date()
        by_day.setdefault(day + timedelta(days=payout_delay), []).append(txn)
    payouts = []
    days = sorted(by_day)
    for number, day in enumerate(days, start=1):
        legacy = 3100000000 + number
        members = by_day[day]
        status = "SCHEDULED" if scheduled_last and day == days[-1] else "PAID"
        payout_id = _gid("ShopifyPaymentsPayout", legacy)
        for txn in members:
            txn["associatedPayout"] = {"id": payout_id, "status": status}

        def total(kind, key, members=members):
            return sum((Decimal(t[key]["amount"]) for t in members if t["type"] == kind),
                       Decimal(0))

        zero = _money(0, currency)
        payouts.append({
            "__typename": "ShopifyPaymentsPayout",
            "id": payout_id,
            "legacyResourceId": str(legacy),
            "issuedAt": _iso(datetime(day.year, day.month, day.day, 8, 0)),
            "status": status,
            "transactionType": "DEPOSIT",
            "externalTraceId": f"TRACE{legacy}" if status == "PAID" else None,
            "net": _money(sum((Decimal(t["net"]["amount"]) for t in members), Decimal(0)),
                          currency),
            "summary": {
                "chargesGross": _money(total("CHARGE", "amount"), currency),
                "chargesFee": _money(total("CHARGE", "fee"), currency),
                "refundsFeeGross": _money(total("REFUND", "amount"), currency),
                "refundsFee": _money(total("REFUND", "fee"), currency),
                "adjustmentsGross": zero, "adjustmentsFee": zero,
                "reservedFundsGross": zero, "reservedFundsFee": zero,
                "retriedPayoutsGross": zero, "retriedPayoutsFee": zero,
                "advanceGross": zero, "advanceFees": zero,
                "usdcRebateCreditAmount": zero,
            },
        })
    world.payouts = payouts
    world.balance_transactions = txns
    world.payments_account = {
        "__typename": "ShopifyPaymentsAccount",
        "id": _gid("ShopifyPaymentsAccount", 1),
        "activated": True,
        "defaultCurrency": currency,
        "country": "FR",
        "onboardable": False,
    }
    for obj in payouts + txns:
        world._register(obj)
    return payouts, txns


def _search_terms(query):
    terms = []
    for term in (query or "").split():
        if term.upper() == "AND":
            continue
        field, sep, value = term.partition(":")
        if not sep:
            raise graphql.GraphQLError(f"Sandbox cannot search on {term!r}")
        op = ">=" if value.startswith(">=") else ">" if value.startswith(">") else "="
        if value.startswith("<"):
            raise graphql.GraphQLError(f"Sandbox cannot search on {term!r}")
        terms.append((field, op, value[len(op) if op != "=" else 0:].strip("'\"")))
    return terms


def _resolve_payouts(source, info, first=None, last=None, after=None, before=None,
                     reverse=False, query=None, sortKey="ID", **_kwargs):
    from .shopify_sandbox import _paginate, parse_iso

    payouts = list(getattr(info.context["world"], "payouts", []))
    for field, op, value in _search_terms(query):
        if field != "issued_at":
            raise graphql.GraphQLError(f"Sandbox cannot search payouts on {field!r}")
        bound = parse_iso(value)
        payouts = [p for p in payouts if (parse_iso(p["issuedAt"]) >= bound if op == ">="
                                          else parse_iso(p["issuedAt"]) > bound if op == ">"
                                          else parse_iso(p["issuedAt"]) == bound)]
    if sortKey not in ("ID", "ISSUED_AT"):
        raise graphql.GraphQLError(f"Sandbox cannot sort payouts by {sortKey}")
    keys = [[p["issuedAt"], _tail(p["id"])] if sortKey == "ISSUED_AT" else [_tail(p["id"])]
            for p in payouts]
    return _paginate(payouts, keys, first, last, after, before, reverse)


def _resolve_balance_transactions(source, info, first=None, last=None, after=None, before=None,
                                  reverse=False, query=None, sortKey="ID", **_kwargs):
    from .shopify_sandbox import _paginate

    txns = list(getattr(info.context["world"], "balance_transactions", []))
    for field, op, value in _search_terms(query):
        if field == "payments_transfer_id" and op == "=":
            wanted = _gid("ShopifyPaymentsPayout", value) if value.isdigit() else value
            txns = [t for t in txns if t["associatedPayout"]["id"] == wanted]
        elif field == "payout_status" and op == "=":
            txns = [t for t in txns
                    if (t["associatedPayout"]["status"] or "").lower() == value.lower()]
        else:
            raise graphql.GraphQLError(f"Sandbox cannot search balance transactions on {field!r}")
    if sortKey not in ("ID", "PROCESSED_AT"):
        raise graphql.GraphQLError(f"Sandbox cannot sort balance transactions by {sortKey}")
    keys = [[t["transactionDate"], _tail(t["id"])] if sortKey == "PROCESSED_AT"
            else [_tail(t["id"])] for t in txns]
    return _paginate(txns, keys, first, last, after, before, reverse)


def _resolve_account(source, info):
    return getattr(info.context["world"], "payments_account", None)


# --------------------------------------------------------------------------- bulk operations


def _with_first(schema, document):
    """The bulk document with ``first: 250`` on every connection that has no first/last, so
    the sandbox's resolvers (which insist on one, as Shopify does outside bulk) return all."""
    type_info = graphql.TypeInfo(schema)

    class AddFirst(graphql.Visitor):
        def enter_field(self, node, *_args):
            field = type_info.get_field_def()
            if field is None or "first" not in field.args:
                return None
            named = graphql.get_named_type(field.type)
            given = {arg.name.value for arg in node.arguments or ()}
            if not named.name.endswith("Connection") or given & {"first", "last"}:
                return None
            argument = graphql.ArgumentNode(name=graphql.NameNode(value="first"),
                                            value=graphql.IntValueNode(value="250"))
            return graphql.FieldNode(alias=node.alias, name=node.name,
                                     arguments=(*(node.arguments or ()), argument),
                                     directives=node.directives,
                                     selection_set=node.selection_set)

    return graphql.visit(document, graphql.TypeInfoVisitor(type_info, AddFirst()))


def _connection_items(value):
    if isinstance(value, dict) and isinstance(value.get("edges"), list):
        return [edge["node"] for edge in value["edges"] if isinstance(edge, dict)]
    if isinstance(value, dict) and isinstance(value.get("nodes"), list):
        return value["nodes"]
    return None


def bulk_jsonl(data, grouped=True):
    """Shopify's JSONL of a bulk query result: the root connection's nodes, then (grouped) each
    nested connection's nodes right after their parent, with ``__parentId``."""
    roots = []
    for value in data.values():
        items = _connection_items(value)
        roots.extend(items or [])
    lines, deferred = [], []

    def emit(node, parent_id, out):
        line, children = {}, []
        for key, value in node.items():
            items = _connection_items(value)
            if items is not None:
                children.extend(items)
            else:
                line[key] = value
        if parent_id:
            line["__parentId"] = parent_id
        out.append(line)
        for child in children:
            emit(child, node.get("id"), out if grouped else deferred)

    for root in roots:
        emit(root, None, lines)
    return "".join(json.dumps(line) + "\n" for line in lines + deferred)


def _bulk_state(sandbox):
    if not hasattr(sandbox, "bulk_operations"):
        sandbox.bulk_operations = {}
        sandbox.bulk_polls = getattr(sandbox, "bulk_polls", 1)
    return sandbox.bulk_operations


def _resolve_bulk_run(source, info, query, groupObjects):
    from .shopify_sandbox import iso, validate_document

    sandbox = info.context["sandbox"]
    operations = _bulk_state(sandbox)
    document, errors = validate_document(sandbox.schema, query)
    if errors:
        return {"bulkOperation": None, "userErrors": [
            {"field": ["query"], "message": error["message"], "code": "INVALID"}
            for error in errors]}
    running = [op for op in operations.values() if op["status"] in ("CREATED", "RUNNING")]
    if running:
        return {"bulkOperation": None, "userErrors": [{
            "field": None, "code": "OPERATION_IN_PROGRESS",
            "message": f"A bulk query operation for this app and shop is already in progress: "
                       f"{running[0]['id']}."}]}
    number = 4100000000 + len(operations) + 1
    from datetime import datetime, timezone

    operation = {
        "__typename": "BulkOperation",
        "id": _gid("BulkOperation", number),
        "status": "CREATED",
        "type": "QUERY",
        "query": query,
        "createdAt": iso(datetime.now(timezone.utc)),
        "completedAt": None,
        "errorCode": None,
        "objectCount": "0",
        "rootObjectCount": "0",
        "fileSize": None,
        "url": None,
        "partialDataUrl": None,
        "_document": document,
        "_grouped": bool(groupObjects),
        "_polls": 0,
    }
    operations[operation["id"]] = operation
    return {"bulkOperation": operation, "userErrors": []}


def _resolve_bulk_operation(source, info, id):
    from datetime import datetime, timezone

    from .shopify_sandbox import iso

    sandbox = info.context["sandbox"]
    operation = _bulk_state(sandbox).get(id)
    if operation is None or operation["status"] in ("COMPLETED", "FAILED", "CANCELED"):
        return operation
    operation["_polls"] += 1
    if operation.get("_fail"):
        operation.update(status="FAILED", errorCode=operation["_fail"])
        return operation
    if operation["_polls"] <= sandbox.bulk_polls:
        operation["status"] = "RUNNING"
        return operation
    result = graphql.execute(sandbox.schema, _with_first(sandbox.schema, operation["_document"]),
                             context_value={"world": sandbox.world, "sandbox": sandbox,
                                            "bulk": True})
    if result.errors:
        operation.update(status="FAILED", errorCode="INTERNAL_SERVER_ERROR")
        return operation
    body = bulk_jsonl(result.data, grouped=operation["_grouped"])
    lines = body.splitlines()
    number = _tail(operation["id"])
    sandbox.bulk_files = getattr(sandbox, "bulk_files", {})
    sandbox.bulk_files[f"/bulk/{number}.jsonl"] = body.encode()
    operation.update(
        status="COMPLETED",
        completedAt=iso(datetime.now(timezone.utc)),
        objectCount=str(len(lines)),
        rootObjectCount=str(sum(1 for line in lines if "__parentId" not in line)),
        fileSize=str(len(body.encode())),
        url=f"{sandbox.url}/bulk/{number}.jsonl" if lines else None,
    )
    return operation


# --------------------------------------------------------------------------- app, webhooks


def _resolve_installation(source, info):
    sandbox = info.context["sandbox"]
    scopes = getattr(sandbox, "access_scopes", DEFAULT_SCOPES)
    return {"__typename": "AppInstallation", "id": _gid("AppInstallation", 1),
            "accessScopes": [{"handle": s, "description": s} for s in scopes]}


def _subscriptions(sandbox):
    if not hasattr(sandbox, "webhook_subscriptions"):
        sandbox.webhook_subscriptions = []
    return sandbox.webhook_subscriptions


def _resolve_subscriptions(source, info, first=None, last=None, after=None, before=None,
                           reverse=False, uri=None, topics=None, **_kwargs):
    from .shopify_sandbox import _paginate

    subs = [s for s in _subscriptions(info.context["sandbox"])
            if (uri is None or s["uri"] == uri) and (not topics or s["topic"] in topics)]
    return _paginate(subs, [_tail(s["id"]) for s in subs], first, last, after, before, reverse)


def _resolve_subscription_create(source, info, topic, webhookSubscription):
    from datetime import datetime, timezone

    from .shopify_sandbox import iso

    subs = _subscriptions(info.context["sandbox"])
    uri = (webhookSubscription or {}).get("uri") or ""
    parsed = urllib.parse.urlparse(uri)
    if parsed.scheme not in ("https", "http") or not parsed.netloc:
        return {"webhookSubscription": None,
                "userErrors": [{"field": ["webhookSubscription", "uri"],
                                "message": "Address is invalid"}]}
    if any(s["topic"] == topic and s["uri"] == uri for s in subs):
        return {"webhookSubscription": None,
                "userErrors": [{"field": ["webhookSubscription", "uri"],
                                "message": "Address for this topic has already been taken"}]}
    now = iso(datetime.now(timezone.utc))
    sub = {"__typename": "WebhookSubscription", "id": _gid("WebhookSubscription",
                                                            5100000000 + len(subs) + 1),
           "topic": topic, "uri": uri, "format": webhookSubscription.get("format") or "JSON",
           "createdAt": now, "updatedAt": now, "apiVersion": None, "filter": None,
           "includeFields": [], "metafieldNamespaces": [], "metafields": [], "name": None,
           "legacyResourceId": str(5100000000 + len(subs) + 1)}
    subs.append(sub)
    return {"webhookSubscription": sub, "userErrors": []}


# --------------------------------------------------------------------------- master data


def _updated_filter(query):
    from .shopify_sandbox import parse_iso

    tests = []
    for field, op, value in _search_terms(query):
        if field != "updated_at":
            raise graphql.GraphQLError(f"Sandbox cannot search on {field!r}")
        bound = parse_iso(value)
        tests.append(lambda o, op=op, b=bound: (
            parse_iso(o["updatedAt"]) >= b if op == ">=" else parse_iso(o["updatedAt"]) > b
            if op == ">" else parse_iso(o["updatedAt"]) == b))
    return lambda obj: all(test(obj) for test in tests)


def _sorted_connection(items, sortKey, first, last, after, before, reverse):
    from .shopify_sandbox import _paginate

    if sortKey not in ("ID", "UPDATED_AT"):
        raise graphql.GraphQLError(f"Sandbox cannot sort by {sortKey}")
    keys = [[o["updatedAt"], _tail(o["id"])] if sortKey == "UPDATED_AT" else [_tail(o["id"])]
            for o in items]
    return _paginate(items, keys, first, last, after, before, reverse)


def _resolve_products(source, info, first=None, last=None, after=None, before=None,
                      reverse=False, query=None, sortKey="ID", **_kwargs):
    from .shopify_sandbox import DEFAULT_START, iso

    world = info.context["world"]
    # copies: a product holding its variants would make the world's records cyclic
    products = [dict(product, variants=variants,
                     updatedAt=product.get("updatedAt") or iso(DEFAULT_START))
                for product, variants in world.products]
    keep = _updated_filter(query)
    products = [product for product in products if keep(product)]
    return _sorted_connection(products, sortKey, first, last, after, before, reverse)


def _resolve_customers(source, info, first=None, last=None, after=None, before=None,
                       reverse=False, query=None, sortKey="ID", **_kwargs):
    from .shopify_sandbox import DEFAULT_START, iso

    world = info.context["world"]
    for customer in world.customers:
        customer.setdefault("updatedAt", iso(DEFAULT_START))
    keep = _updated_filter(query)
    customers = [customer for customer in world.customers if keep(customer)]
    return _sorted_connection(customers, sortKey, first, last, after, before, reverse)


def install_resolvers(schema):
    """Called by the sandbox once per schema load."""
    root, mutation = schema.query_type, schema.mutation_type
    root.fields["shopifyPaymentsAccount"].resolve = _resolve_account
    account = schema.get_type("ShopifyPaymentsAccount")
    account.fields["payouts"].resolve = _resolve_payouts
    account.fields["balanceTransactions"].resolve = _resolve_balance_transactions
    root.fields["bulkOperation"].resolve = _resolve_bulk_operation
    root.fields["currentAppInstallation"].resolve = _resolve_installation
    root.fields["webhookSubscriptions"].resolve = _resolve_subscriptions
    root.fields["products"].resolve = _resolve_products
    root.fields["customers"].resolve = _resolve_customers
    mutation.fields["bulkOperationRunQuery"].resolve = _resolve_bulk_run
    mutation.fields["webhookSubscriptionCreate"].resolve = _resolve_subscription_create


# --------------------------------------------------------------------------- auth & routes


def enable_client_credentials(sandbox, client_id, client_secret, lifetime=86399):
    """Let the sandbox issue tokens for this Dev Dashboard app (client-credentials grant)."""
    sandbox.client_credentials = (client_id, client_secret)
    sandbox.token_lifetime = lifetime
    sandbox.issued_tokens = {}


def token_valid(sandbox, token):
    """An issued, unexpired client-credentials token."""
    expiry = getattr(sandbox, "issued_tokens", {}).get(token)
    return expiry is not None and time.monotonic() < expiry


def expire_tokens(sandbox):
    for token in getattr(sandbox, "issued_tokens", {}):
        sandbox.issued_tokens[token] = 0


def handle_route(handler, method, body):
    """Routes beyond GraphQL; True when the request was answered."""
    sandbox = handler.server.sandbox
    path = handler.path.split("?", 1)[0]
    if method == "GET" and path in getattr(sandbox, "bulk_files", {}):
        data = sandbox.bulk_files[path]
        handler.send_response(200)
        handler.send_header("Content-Type", "application/jsonl")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
        return True
    if method == "POST" and path == "/admin/oauth/access_token":
        content_type = handler.headers.get("Content-Type") or ""
        try:
            if "json" in content_type:
                params = json.loads(body or b"{}")
            else:
                params = dict(urllib.parse.parse_qsl(body.decode()))
        except (ValueError, UnicodeDecodeError):
            params = {}
        expected = getattr(sandbox, "client_credentials", None)
        if params.get("grant_type") != "client_credentials":
            handler.send_json(400, {"error": "unsupported_grant_type"})
            return True
        if not expected or (params.get("client_id"), params.get("client_secret")) != expected:
            handler.send_json(400, {"error": "invalid_client",
                                     "error_description": "Client authentication failed"})
            return True
        token = f"shpat_cc_{uuid.uuid4().hex}"
        with _lock:
            sandbox.issued_tokens[token] = time.monotonic() + sandbox.token_lifetime
        scopes = getattr(sandbox, "access_scopes", DEFAULT_SCOPES)
        handler.send_json(200, {"access_token": token, "scope": ",".join(scopes),
                                 "expires_in": sandbox.token_lifetime})
        return True
    return False
