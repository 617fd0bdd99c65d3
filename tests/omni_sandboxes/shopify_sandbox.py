"""A Shopify Admin GraphQL API sandbox: a deterministic shop served over real HTTP.

- :func:`generate_shop` builds a :class:`ShopifyWorld`: customers, products with variants and
  SKUs, and orders with line items, discounts, tax lines, shipping lines, refunds, partial
  fulfilments and transactions, in a shop currency with several presentment currencies (every
  amount is a ``MoneyBag`` of decimal strings, ``shopMoney`` and ``presentmentMoney``). The
  world keeps the GraphQL shape of its records and renders the REST shape webhooks carry
  (:meth:`ShopifyWorld.order_rest`), so the two paths can be compared.
- :class:`ShopifySandbox` serves ``POST /admin/api/<version>/graphql.json`` on 127.0.0.1. Every
  document is validated against the real Admin schema (``admin_2026-07.json.gz``) and refused
  when it uses a deprecated field; it is then executed by graphql-core against that schema with
  the sandbox's resolvers, so answers have the schema's shape. Connections paginate with
  opaque cursors; ``orders(query: "updated_at:>=...")`` filters. The calculated query cost is
  charged to a leaky bucket reported in ``extensions.cost.throttleStatus``; an empty bucket
  answers ``THROTTLED``. Faults are switchable per test (429 + Retry-After, 5xx, THROTTLED,
  timeout, dropped connection).
- :func:`sign_webhook` / :func:`send_webhook` sign and deliver webhooks as Shopify does
  (``X-Shopify-Hmac-Sha256`` = base64 HMAC-SHA256 of the raw body with the app secret).

No Odoo import here: usable from plain pytest and from Odoo tests alike.
"""

import base64
import functools
import gzip
import hashlib
import hmac
import json
import random
import re
import time
import uuid
from collections import namedtuple
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import graphql
import requests
from graphql.validation import NoDeprecatedCustomRule, specified_rules

from . import shopify_inventory, shopify_payments
from .httpserver import JsonHandler, Sandbox
from .refdata import refdata_path

API_VERSION = "2026-07"
SCHEMA_FILE = ("shopify", "admin_2026-07.json.gz")
SHOPIFY_HINT = (
    "Shopify reference schema not found: set OMNI_REFDATA to the shared/refdata folder of the "
    "project's steering repo (it must hold shopify/admin_2026-07.json.gz)."
)
DEFAULT_START = datetime(2026, 10, 1, tzinfo=timezone.utc)
CENT = Decimal("0.01")
GRAPHQL_PATH = re.compile(r"^/admin/api/(?P<version>[0-9]{4}-[0-9]{2}|unstable)/graphql\.json$")
RecordedRequest = namedtuple("RecordedRequest", "method path headers body")


def has_shopify_schema():
    return refdata_path(*SCHEMA_FILE).is_file()


@functools.lru_cache(maxsize=2)
def _schema(path):
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        schema = graphql.build_client_schema(json.load(fh)["data"], assume_valid=True)
    _install_resolvers(schema)
    return schema


def load_schema():
    """The Admin API schema of :data:`API_VERSION` with the sandbox's resolvers (cached)."""
    path = refdata_path(*SCHEMA_FILE)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: {SHOPIFY_HINT}")
    return _schema(str(path))


def validate_document(schema, query):
    """Parse and validate ``query``; returns (document, errors as GraphQL error dicts).
    Deprecated fields, arguments and enum values are refused like validation errors."""
    try:
        document = graphql.parse(query)
    except graphql.GraphQLError as err:
        return None, [err.formatted]
    errors = graphql.validate(schema, document, [*specified_rules, NoDeprecatedCustomRule])
    return document, [err.formatted for err in errors]


# --------------------------------------------------------------------------- money & time


def money(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def iso(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)


def gid(kind, number):
    return f"gid://shopify/{kind}/{number}"


def gid_number(value):
    return int(str(value).rsplit("/", 1)[-1])


# --------------------------------------------------------------------------- resolvers


def _encode_cursor(key):
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _decode_cursor(cursor):
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError):
        raise graphql.GraphQLError(f"Invalid cursor: {cursor}") from None


def _paginate(items, keys, first=None, last=None, after=None, before=None, reverse=False,
              page_limit=250):
    """A Relay connection over ``items`` (``keys``: sortable cursor key per item); at most
    ``page_limit`` per page, as Shopify (``None``: no limit, for bulk operations)."""
    pairs = sorted(zip(keys, items), key=lambda pair: pair[0], reverse=bool(reverse))
    if first is None and last is None:
        raise graphql.GraphQLError("you must provide one of first or last")
    for value, name in ((first, "first"), (last, "last")):
        if value is not None and not 0 <= value <= (page_limit or value):
            raise graphql.GraphQLError(f"{name} must be between 0 and {page_limit}")
    if after is not None:
        bound = _decode_cursor(after)
        pairs = [p for p in pairs if (p[0] < bound if reverse else p[0] > bound)]
    if before is not None:
        bound = _decode_cursor(before)
        pairs = [p for p in pairs if (p[0] > bound if reverse else p[0] < bound)]
    total = len(pairs)
    if first is not None:
        pairs = pairs[:first]
    if last is not None:
        pairs = pairs[-last:] if last else []
    edges = [{"cursor": _encode_cursor(key), "node": node} for key, node in pairs]
    return {
        "edges": edges,
        "nodes": [edge["node"] for edge in edges],
        "pageInfo": {
            "hasNextPage": first is not None and total > len(pairs),
            "hasPreviousPage": (last is not None and total > len(pairs)) or after is not None,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def _nested_connection(field_name):
    def resolve(source, info, first=None, last=None, after=None, before=None, reverse=False,
                **_kwargs):
        items = source.get(field_name) or []
        return _paginate(items, list(range(len(items))), first, last, after, before, reverse)

    return resolve


def _limited_list(field_name):
    def resolve(source, info, first=None, **_kwargs):
        items = source.get(field_name)
        return items if first is None or items is None else items[:first]

    return resolve


_SEARCH_TERM = re.compile(r"^(?P<field>[a-z_]+):(?P<op>>=|<=|>|<)?['\"]?(?P<value>[^'\"]+)['\"]?$")
_ORDER_SORT = {"ID": lambda o: [gid_number(o["id"])],
               "UPDATED_AT": lambda o: [o["updatedAt"], gid_number(o["id"])],
               "CREATED_AT": lambda o: [o["createdAt"], gid_number(o["id"])],
               "PROCESSED_AT": lambda o: [o["processedAt"], gid_number(o["id"])]}
_SEARCH_FIELDS = {
    "updated_at": "updatedAt", "created_at": "createdAt", "processed_at": "processedAt"
}


def _search_filter(query):
    """Shopify search syntax, the part a sync uses: ``updated_at:>=2026-10-01T00:00:00Z``
    (also created_at / processed_at, operators > >= < <=), terms joined by spaces or AND."""
    tests = []
    for term in re.split(r"\s+(?:AND\s+)?", (query or "").strip()):
        if not term:
            continue
        match = _SEARCH_TERM.match(term)
        if not match or match["field"] not in _SEARCH_FIELDS:
            raise graphql.GraphQLError(f"Sandbox cannot search on {term!r}")
        field, op = _SEARCH_FIELDS[match["field"]], match["op"] or ">="
        bound = parse_iso(match["value"])
        ops = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b,
               "<=": lambda a, b: a <= b, "<": lambda a, b: a < b}
        tests.append(lambda o, f=field, fn=ops[op], b=bound: fn(parse_iso(o[f]), b))
    return lambda order: all(test(order) for test in tests)


def _resolve_orders(source, info, first=None, last=None, after=None, before=None,
                    reverse=False, query=None, sortKey="ID", **_kwargs):
    world = info.context["world"]
    keep = _search_filter(query)
    orders = [o for o in world.orders if keep(o)]
    key = _ORDER_SORT.get(sortKey)
    if key is None:
        raise graphql.GraphQLError(f"Sandbox cannot sort orders by {sortKey}")
    if info.context.get("bulk"):  # a bulk operation reads the whole connection, no pages
        first, last = len(orders), None
    return _paginate(orders, [key(o) for o in orders], first, last, after, before, reverse,
                     page_limit=None if info.context.get("bulk") else 250)


def _resolve_order(source, info, id):
    return info.context["world"].order_by_gid.get(id)


def _resolve_node(source, info, id):
    return info.context["world"].node(id)


def _resolve_return(source, info, id):
    node = info.context["world"].node(id)
    return node if node and node.get("__typename") == "Return" else None


def _resolve_shop(source, info):
    return info.context["world"].shop


def _install_resolvers(schema):
    for type_ in schema.type_map.values():
        if not isinstance(type_, graphql.GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for name, field in type_.fields.items():
            named = graphql.get_named_type(field.type)
            if named.name.endswith("Connection") and "first" in field.args:
                field.resolve = _nested_connection(name)
            elif isinstance(graphql.get_nullable_type(field.type), graphql.GraphQLList) and (
                "first" in field.args
            ):
                field.resolve = _limited_list(name)
    root = schema.query_type
    root.fields["orders"].resolve = _resolve_orders
    root.fields["order"].resolve = _resolve_order
    root.fields["node"].resolve = _resolve_node
    root.fields["return"].resolve = _resolve_return
    root.fields["shop"].resolve = _resolve_shop
    shopify_payments.install_resolvers(schema)
    shopify_inventory.install_resolvers(schema)


# --------------------------------------------------------------------------- query cost


def query_cost(schema, document, variables=None, operation_name=None):
    """Shopify's calculated cost, simplified: objects cost 1, scalars and enums 0, connections
    2 + first x the cost of one node, lists with ``first`` first x one element."""
    variables = variables or {}
    fragments = {
        d.name.value: d for d in document.definitions
        if isinstance(d, graphql.FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, graphql.OperationDefinitionNode)]
    operation = next(
        (o for o in operations
         if not operation_name or (o.name and o.name.value == operation_name)),
        None,
    )
    if operation is None:
        return 0
    root = schema.mutation_type if operation.operation.value == "mutation" else schema.query_type

    def arg(field_node, name):
        for argument in field_node.arguments or ():
            if argument.name.value == name:
                value = argument.value
                if isinstance(value, graphql.VariableNode):
                    return variables.get(value.name.value)
                if isinstance(value, graphql.IntValueNode):
                    return int(value.value)
        return None

    def cost(selection_set, parent):
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, graphql.FragmentSpreadNode):
                fragment = fragments[selection.name.value]
                total += cost(fragment.selection_set,
                              schema.get_type(fragment.type_condition.name.value))
                continue
            if isinstance(selection, graphql.InlineFragmentNode):
                target = (schema.get_type(selection.type_condition.name.value)
                          if selection.type_condition else parent)
                total += cost(selection.selection_set, target)
                continue
            name = selection.name.value
            if name.startswith("__") or not hasattr(parent, "fields"):
                continue
            field = parent.fields.get(name)
            if field is None:
                continue
            named = graphql.get_named_type(field.type)
            if not selection.selection_set:
                continue
            inner = cost(selection.selection_set, named)
            count = arg(selection, "first") or arg(selection, "last")
            if named.name.endswith("Connection"):
                total += 2 + (count or 1) * max(inner - 1, 1)
            elif count:
                total += count * max(inner, 1)
            else:
                total += 1 + inner
        return total

    return cost(operation.selection_set, root)


# --------------------------------------------------------------------------- the world


_FIRST = ["Jane", "Ana", "Kenji", "Marie", "Otto", "Yuki", "Liam", "Sofia", "Noah", "Emma"]
_LAST = ["Doe", "Ruiz", "Sato", "Curie", "Lang", "Mori", "Smith", "Rossi", "Weber", "Martin"]
_PRODUCTS = ["Aviator Sunglasses", "Lounge Chair", "Canvas Tote", "Wool Scarf", "Desk Lamp",
             "Water Bottle", "Notebook", "Running Cap"]
_PRESENTMENT = {"EUR": Decimal("1"), "USD": Decimal("1.0825"), "GBP": Decimal("0.8650")}
_COUNTRIES = [("FR", "Paris", "75001"), ("DE", "Berlin", "10115"), ("US", "Austin", "73301"),
              ("GB", "London", "SW1A 1AA")]


class ShopifyWorld:
    """One shop's records in GraphQL shape (plain dicts; connection fields hold plain lists,
    which the resolvers paginate). ``orders`` are in creation order."""

    def __init__(self, shop_name="Omni Sandbox Shop", domain="omni-sandbox.myshopify.com",
                 currency="EUR", taxes_included=False):
        self.currency = currency
        self.taxes_included = taxes_included
        self.shop = {
            "__typename": "Shop",
            "id": gid("Shop", 60000001),
            "name": shop_name,
            "myshopifyDomain": domain,
            "currencyCode": currency,
            "taxesIncluded": taxes_included,
            "plan": {"publicDisplayName": "Advanced", "partnerDevelopment": False,
                     "shopifyPlus": False},
        }
        self.customers = []
        self.products = []  # (product, [variants])
        self.orders = []
        self.returns = []  # generate_shop(with_returns=True): each with its "_kind"
        self.order_by_gid = {}
        self._nodes = {}
        self._seq = 1000

    # -- helpers
    def _next(self, base):
        self._seq += 1
        return base + self._seq

    def node(self, node_id):
        return self._nodes.get(node_id)

    def _register(self, obj):
        self._nodes[obj["id"]] = obj
        return obj

    def bag(self, amount, presentment_currency, rate=None):
        """A MoneyBag: shop amount and its presentment counterpart, as decimal strings."""
        amount = money(amount)
        rate = _PRESENTMENT[presentment_currency] if rate is None else rate
        return {
            "shopMoney": {"amount": str(amount), "currencyCode": self.currency},
            "presentmentMoney": {"amount": str(money(amount * rate)),
                                 "currencyCode": presentment_currency},
        }

    def add_order(self, order):
        self.orders.append(order)
        self.order_by_gid[order["id"]] = order
        self._register(order)
        return order

    def touch(self, order_gid, when, **changes):
        """Change an order as the shop would (a new ``updatedAt``); returns the order."""
        order = self.order_by_gid[order_gid]
        order.update(changes)
        order["updatedAt"] = iso(when)
        return order

    # -- REST (webhook) rendering
    def order_rest(self, order):
        """The REST JSON a webhook of ``orders/*`` carries for ``order``."""

        def rest_bag(bag):
            return {
                "shop_money": {"amount": bag["shopMoney"]["amount"],
                               "currency_code": bag["shopMoney"]["currencyCode"]},
                "presentment_money": {"amount": bag["presentmentMoney"]["amount"],
                                      "currency_code": bag["presentmentMoney"]["currencyCode"]},
            }

        def taxes(lines):
            return [{"title": t["title"], "rate": t["rate"], "price": t["priceSet"]["shopMoney"][
                "amount"], "price_set": rest_bag(t["priceSet"]), "channel_liable": False}
                for t in lines]

        def allocations(items):
            return [{"amount": a["allocatedAmountSet"]["shopMoney"]["amount"],
                     "amount_set": rest_bag(a["allocatedAmountSet"]),
                     "discount_application_index": 0} for a in items]

        def address(addr):
            if not addr:
                return None
            first, __, last = addr["name"].partition(" ")
            return {"first_name": first, "last_name": last, "name": addr["name"],
                    "company": addr["company"], "address1": addr["address1"],
                    "address2": addr["address2"], "city": addr["city"], "zip": addr["zip"],
                    "province_code": addr["provinceCode"], "country_code": addr["countryCodeV2"],
                    "phone": addr["phone"]}

        def line_rest(line):
            return {
                "id": gid_number(line["id"]),
                "admin_graphql_api_id": line["id"],
                "name": line["name"],
                "title": line["name"],
                "sku": line["sku"],
                "quantity": line["quantity"],
                "price": line["originalUnitPriceSet"]["shopMoney"]["amount"],
                "price_set": rest_bag(line["originalUnitPriceSet"]),
                "total_discount": line["totalDiscountSet"]["shopMoney"]["amount"],
                "total_discount_set": rest_bag(line["totalDiscountSet"]),
                "discount_allocations": allocations(line["discountAllocations"]),
                "tax_lines": taxes(line["taxLines"]),
                "product_id": gid_number(line["product"]["id"]),
                "variant_id": gid_number(line["variant"]["id"]),
            }

        def txn_rest(txn):
            receipt = json.loads(txn["receiptJson"] or "{}")
            return {
                "id": gid_number(txn["id"]),
                "admin_graphql_api_id": txn["id"],
                "order_id": gid_number(order["id"]),
                "kind": txn["kind"].lower(),
                "status": txn["status"].lower(),
                "gateway": txn["gateway"],
                "amount": txn["amountSet"]["presentmentMoney"]["amount"],
                "currency": txn["amountSet"]["presentmentMoney"]["currencyCode"],
                "created_at": txn["createdAt"],
                "processed_at": txn["processedAt"],
                "authorization": receipt.get("id"),
                "receipt": receipt,
                "payment_id": txn["paymentId"],
                "parent_id": gid_number(txn["parentTransaction"]["id"])
                if txn["parentTransaction"] else None,
                "test": txn["test"],
            }

        customer = order["customer"]
        return {
            "id": gid_number(order["id"]),
            "admin_graphql_api_id": order["id"],
            "name": order["name"],
            "email": order["email"],
            "phone": order["phone"],
            "note": order["note"],
            "currency": order["currencyCode"],
            "presentment_currency": order["presentmentCurrencyCode"],
            "created_at": order["createdAt"],
            "updated_at": order["updatedAt"],
            "processed_at": order["processedAt"],
            "cancelled_at": order["cancelledAt"],
            "cancel_reason": order["cancelReason"].lower() if order["cancelReason"] else None,
            "taxes_included": order["taxesIncluded"],
            "financial_status": order["displayFinancialStatus"].lower(),
            "fulfillment_status": {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial",
                                   "UNFULFILLED": None}[order["displayFulfillmentStatus"]],
            "discount_codes": [{"code": code, "type": "percentage"}
                               for code in order["discountCodes"]],
            "total_price": order["totalPriceSet"]["shopMoney"]["amount"],
            "total_price_set": rest_bag(order["totalPriceSet"]),
            "current_total_price_set": rest_bag(order["currentTotalPriceSet"]),
            "subtotal_price_set": rest_bag(order["subtotalPriceSet"]),
            "total_tax": order["totalTaxSet"]["shopMoney"]["amount"],
            "total_tax_set": rest_bag(order["totalTaxSet"]),
            "total_discounts": order["totalDiscountsSet"]["shopMoney"]["amount"],
            "total_discounts_set": rest_bag(order["totalDiscountsSet"]),
            "total_shipping_price_set": rest_bag(order["totalShippingPriceSet"]),
            "tax_lines": taxes(order["taxLines"]),
            "customer": customer and {
                "id": gid_number(customer["id"]),
                "admin_graphql_api_id": customer["id"],
                "email": customer["defaultEmailAddress"]["emailAddress"],
                "phone": (customer["defaultPhoneNumber"] or {}).get("phoneNumber"),
                "first_name": customer["firstName"],
                "last_name": customer["lastName"],
            },
            "billing_address": address(order["billingAddress"]),
            "shipping_address": address(order["shippingAddress"]),
            "line_items": [line_rest(line) for line in order["lineItems"]],
            "shipping_lines": [
                {
                    "id": gid_number(ship["id"]),
                    "title": ship["title"],
                    "code": ship["code"],
                    "source": ship["source"],
                    "price": ship["originalPriceSet"]["shopMoney"]["amount"],
                    "price_set": rest_bag(ship["originalPriceSet"]),
                    "discounted_price": ship["discountedPriceSet"]["shopMoney"]["amount"],
                    "discounted_price_set": rest_bag(ship["discountedPriceSet"]),
                    "discount_allocations": allocations(ship["discountAllocations"]),
                    "tax_lines": taxes(ship["taxLines"]),
                }
                for ship in order["shippingLines"]
            ],
            "refunds": [
                {
                    "id": gid_number(refund["id"]),
                    "admin_graphql_api_id": refund["id"],
                    "order_id": gid_number(order["id"]),
                    "created_at": refund["createdAt"],
                    "processed_at": refund["processedAt"],
                    "note": refund["note"],
                    "restock": any(r["restockType"] != "NO_RESTOCK"
                                   for r in refund["refundLineItems"]),
                    "refund_line_items": [
                        {
                            "id": gid_number(item["id"]),
                            "line_item_id": gid_number(item["lineItem"]["id"]),
                            "quantity": item["quantity"],
                            "restock_type": item["restockType"].lower(),
                            "subtotal_set": rest_bag(item["subtotalSet"]),
                            "total_tax_set": rest_bag(item["totalTaxSet"]),
                            "line_item": line_rest(item["lineItem"]),
                        }
                        for item in refund["refundLineItems"]
                    ],
                    "refund_shipping_lines": [],
                    "order_adjustments": [],
                    "transactions": [txn_rest(t) for t in refund["transactions"]],
                    "return": refund.get("return") and {
                        "id": gid_number(refund["return"]["id"]),
                        "admin_graphql_api_id": refund["return"]["id"],
                    },
                }
                for refund in order["refunds"]
            ],
            "fulfillments": [
                {
                    "id": gid_number(f["id"]),
                    "admin_graphql_api_id": f["id"],
                    "order_id": gid_number(order["id"]),
                    "status": f["status"].lower(),
                    "created_at": f["createdAt"],
                    "line_items": [dict(line_rest(item["lineItem"]), quantity=item["quantity"])
                                   for item in f["fulfillmentLineItems"]],
                }
                for f in order["fulfillments"]
            ],
            "transactions_rest": [txn_rest(t) for t in order["transactions"]],
            "returns": [
                {"id": gid_number(ret["id"]), "admin_graphql_api_id": ret["id"],
                 "status": ret["status"].lower()}
                for ret in order["returns"]
            ],
        }

    def return_rest(self, ret):
        """The REST JSON a ``returns/*`` webhook carries (the shape of Shopify's sample)."""
        order_gid = ret["order"]["id"]
        return {
            "id": gid_number(ret["id"]),
            "admin_graphql_api_id": ret["id"],
            "status": ret["status"].lower(),
            "order": {"id": gid_number(order_gid), "admin_graphql_api_id": order_gid},
            "total_return_line_items": len(ret["returnLineItems"]),
            "name": ret["name"],
            "return_line_items": [
                {
                    "id": gid_number(item["id"]),
                    "admin_graphql_api_id": item["id"],
                    "quantity": item["quantity"],
                    "return_reason_note": item["returnReasonNote"],
                    "fulfillment_line_item": {
                        "id": gid_number(item["fulfillmentLineItem"]["id"]),
                        "line_item": {
                            "id": gid_number(item["fulfillmentLineItem"]["lineItem"]["id"]),
                        },
                    },
                }
                for item in ret["returnLineItems"]
            ],
            "return_shipping_fees": [],
            "exchange_line_items": [
                {"id": gid_number(item["id"]), "admin_graphql_api_id": item["id"]}
                for item in ret["exchangeLineItems"]
            ],
            "total_exchange_line_items": len(ret["exchangeLineItems"]),
        }

    def return_webhooks(self):
        """``(topic, REST payload, webhook id)`` per return: ``returns/request`` for a requested
        one, ``returns/close`` for a closed one, ``returns/decline`` for a declined one."""
        topics = {"REQUESTED": "returns/request", "CLOSED": "returns/close",
                  "DECLINED": "returns/decline", "OPEN": "returns/approve",
                  "CANCELED": "returns/cancel"}
        return [
            (topics[ret["status"]], self.return_rest(ret), f"wh-{gid_number(ret['id'])}")
            for ret in self.returns
        ]

    def webhooks_for_delivery(self, topic="orders/updated", shuffle_seed=None, duplicates=0):
        """``(topic, REST payload, webhook id)`` for every order, in order of update; with
        ``shuffle_seed`` out of order (deterministic), with ``duplicates`` the first N
        deliveries sent again with the same webhook id (Shopify retries at least once)."""
        deliveries = [
            (topic, self.order_rest(order), f"wh-{gid_number(order['id'])}-{order['updatedAt']}")
            for order in sorted(self.orders, key=lambda o: (o["updatedAt"], o["id"]))
        ]
        deliveries += deliveries[:duplicates]
        if shuffle_seed is not None:
            random.Random(shuffle_seed).shuffle(deliveries)
        return deliveries

    def transaction_rest(self, order, index=0):
        """The REST JSON of ``order_transactions/create`` for one of the order's transactions."""
        return self.order_rest(order)["transactions_rest"][index]


def _money_sum(values):
    return sum((Decimal(v) for v in values), Decimal("0"))


def generate_shop(n_orders=24, seed=7, start=DEFAULT_START, currency="EUR", tax_rate="0.2",
                  taxes_included=False, n_products=6, with_returns=False):
    """A deterministic shop: same arguments, same shop, byte for byte.

    Orders are one hour apart from ``start``. Every 4th order has a 10 % discount code; every
    5th a partial refund of one unit of its first line; order fulfilment cycles through
    unfulfilled / partially fulfilled / fulfilled; presentment currency cycles EUR, USD, GBP.
    Taxes are one "VAT" line at ``tax_rate`` per line and per shipping line, rounded per line.
    With ``with_returns`` the fully fulfilled orders without refund get a return each, their
    kinds cycling through :data:`RETURN_KINDS` (see :func:`_add_return`).
    """
    rng = random.Random(seed)
    rate = Decimal(tax_rate)
    world = ShopifyWorld(currency=currency, taxes_included=taxes_included)
    for index in range(8):
        first, last = _FIRST[index % len(_FIRST)], _LAST[(index * 3) % len(_LAST)]
        country, city, zip_code = _COUNTRIES[index % len(_COUNTRIES)]
        address = {
            "name": f"{first} {last}", "company": None, "address1": f"{index + 1} Main Street",
            "address2": None, "city": city, "zip": zip_code, "provinceCode": None,
            "countryCodeV2": country, "phone": f"+3361234{index:04d}",
        }
        world.customers.append(world._register({
            "__typename": "Customer",
            "id": gid("Customer", world._next(7000000000)),
            "firstName": first,
            "lastName": last,
            "displayName": f"{first} {last}",
            "defaultEmailAddress": {"emailAddress": f"{first}.{last}@example.com".lower()},
            "defaultPhoneNumber": {"phoneNumber": address["phone"]},
            "defaultAddress": address,
        }))
    for index in range(n_products):
        title = _PRODUCTS[index % len(_PRODUCTS)]
        product = world._register({"__typename": "Product",
                                   "id": gid("Product", world._next(8000000000)),
                                   "title": title})
        variant = world._register({
            "__typename": "ProductVariant",
            "id": gid("ProductVariant", world._next(9000000000)),
            "sku": f"SHOP-{index + 1:03d}",
            "barcode": f"40000000{index + 1:05d}",
            "title": "Default Title",
            "price": str(money(Decimal(rng.randrange(500, 12000)) / 100)),
            "product": product,
        })
        world.products.append((product, [variant]))

    presentments = list(_PRESENTMENT)
    for n in range(n_orders):
        created = start + timedelta(hours=n)
        pcur = presentments[n % len(presentments)]
        customer = world.customers[n % len(world.customers)]
        discount_pct = Decimal("0.10") if n % 4 == 3 else Decimal("0")
        order_num = world._next(5000000000)
        lines, line_taxes = [], []
        chosen = rng.sample(world.products, k=1 + n % 3)
        for product, variants in chosen:
            variant = variants[0]
            qty = 1 + rng.randrange(3)
            unit = Decimal(variant["price"])
            gross = money(unit * qty)
            discount = money(gross * discount_pct)
            base = gross - discount
            tax = money(base - base / (1 + rate)) if taxes_included else money(base * rate)
            allocations = (
                [{"allocatedAmountSet": world.bag(discount, pcur)}] if discount else []
            )
            tax_lines = [{"title": "VAT", "rate": float(rate),
                          "ratePercentage": float(rate * 100), "priceSet": world.bag(tax, pcur),
                          "channelLiable": False, "source": "Shopify"}]
            line_taxes.append(tax)
            lines.append({
                "__typename": "LineItem",
                "id": gid("LineItem", world._next(1100000000)),
                "name": product["title"],
                "title": product["title"],
                "sku": variant["sku"],
                "quantity": qty,
                "currentQuantity": qty,
                "originalUnitPriceSet": world.bag(unit, pcur),
                "discountedUnitPriceSet": world.bag(money(base / qty), pcur),
                "totalDiscountSet": world.bag(discount, pcur),
                "discountAllocations": allocations,
                "taxLines": tax_lines,
                "variant": variant,
                "product": product,
                "_gross": gross, "_discount": discount, "_tax": tax, "_unit": unit,
            })
        ship_price = Decimal("4.90") if n % 2 == 0 else Decimal("0.00")
        ship_tax = (money(ship_price - ship_price / (1 + rate)) if taxes_included
                    else money(ship_price * rate))
        shipping = [{
            "__typename": "ShippingLine",
            "id": gid("ShippingLine", world._next(1200000000)),
            "title": "Standard" if ship_price else "Free shipping",
            "code": "STANDARD" if ship_price else "FREE",
            "source": "shopify",
            "custom": False,
            "isRemoved": False,
            "originalPriceSet": world.bag(ship_price, pcur),
            "discountedPriceSet": world.bag(ship_price, pcur),
            "currentDiscountedPriceSet": world.bag(ship_price, pcur),
            "discountAllocations": [],
            "taxLines": [{"title": "VAT", "rate": float(rate),
                          "ratePercentage": float(rate * 100),
                          "priceSet": world.bag(ship_tax, pcur), "channelLiable": False,
                          "source": "Shopify"}] if ship_price else [],
        }]
        subtotal = sum((line["_gross"] - line["_discount"] for line in lines), Decimal(0))
        discount_total = sum((line["_discount"] for line in lines), Decimal(0))
        tax_total = sum(line_taxes, Decimal(0)) + ship_tax
        total = subtotal + ship_price + (Decimal(0) if taxes_included else tax_total)
        fulfil = ["UNFULFILLED", "PARTIALLY_FULFILLED", "FULFILLED"][n % 3]
        if fulfil == "FULFILLED" and n % 5 == 4:
            fulfil = "PARTIALLY_FULFILLED"  # refunded orders are never fully shipped here
        fulfilments = []
        if fulfil != "UNFULFILLED":
            items = lines if fulfil == "FULFILLED" else lines[:1]
            fulfilments.append({
                "__typename": "Fulfillment",
                "id": gid("Fulfillment", world._next(1300000000)),
                "name": f"#{1001 + n}-F1",
                "status": "SUCCESS",
                "createdAt": iso(created + timedelta(minutes=30)),
                "updatedAt": iso(created + timedelta(minutes=30)),
                "trackingInfo": [{"company": "DHL", "number": f"JD0146{n:08d}",
                                  "url": None}],
                "fulfillmentLineItems": [
                    {"id": gid("FulfillmentLineItem", world._next(1400000000)),
                     "quantity": item["quantity"] if fulfil == "FULFILLED"
                     else max(item["quantity"] - 1, 1), "lineItem": item}
                    for item in items
                ],
            })
        charge_id = f"ch_3Omni{order_num:012d}"
        sale = {
            "__typename": "OrderTransaction",
            "id": gid("OrderTransaction", world._next(1500000000)),
            "kind": "SALE",
            "status": "SUCCESS",
            "gateway": "stripe",
            "formattedGateway": "Stripe",
            "amountSet": world.bag(total, pcur),
            "createdAt": iso(created),
            "processedAt": iso(created),
            "receiptJson": json.dumps({"id": charge_id, "object": "charge",
                                       "amount": int(Decimal(world.bag(total, pcur)[
                                           "presentmentMoney"]["amount"]) * 100),
                                       "currency": pcur.lower()}),
            "paymentId": f"#{1001 + n}.1",
            "test": True,
            "manualPaymentGateway": False,
            "parentTransaction": None,
        }
        refunds, financial, updated = [], "PAID", created + timedelta(minutes=5)
        if n % 5 == 4:
            line = lines[0]
            unit_net = money((line["_gross"] - line["_discount"]) / line["quantity"])
            unit_tax = money(line["_tax"] / line["quantity"])
            refunded = unit_net + (Decimal(0) if taxes_included else unit_tax)
            refund_at = created + timedelta(days=2)
            refunds.append(_one_unit_refund(
                world, sale, line, pcur, iso(refund_at), refunded, unit_net, unit_tax,
                note="Damaged in transit", restock_type="NO_RESTOCK",
                receipt_id=f"re_3Omni{order_num:012d}", payment_id=f"#{1001 + n}.2",
            ))
            financial, updated = "PARTIALLY_REFUNDED", refund_at
        transactions = [sale] + [t for r in refunds for t in r["transactions"]]
        current_total = total - _money_sum(r["totalRefundedSet"]["shopMoney"]["amount"]
                                           for r in refunds)
        order = {
            "__typename": "Order",
            "id": gid("Order", order_num),
            "legacyResourceId": str(order_num),
            "name": f"#{1001 + n}",
            "email": customer["defaultEmailAddress"]["emailAddress"],
            "phone": None,
            "note": None,
            "createdAt": iso(created),
            "processedAt": iso(created),
            "updatedAt": iso(updated),
            "cancelledAt": None,
            "cancelReason": None,
            "closed": False,
            "test": True,
            "currencyCode": currency,
            "presentmentCurrencyCode": pcur,
            "taxesIncluded": taxes_included,
            "displayFinancialStatus": financial,
            "displayFulfillmentStatus": fulfil,
            "discountCodes": ["WELCOME10"] if discount_pct else [],
            "customer": customer,
            "billingAddress": customer["defaultAddress"],
            "shippingAddress": customer["defaultAddress"],
            "lineItems": lines,
            "shippingLines": shipping,
            "taxLines": [{"title": "VAT", "rate": float(rate),
                          "ratePercentage": float(rate * 100),
                          "priceSet": world.bag(tax_total, pcur), "channelLiable": False,
                          "source": "Shopify"}],
            "subtotalPriceSet": world.bag(subtotal, pcur),
            "totalDiscountsSet": world.bag(discount_total, pcur),
            "totalShippingPriceSet": world.bag(ship_price, pcur),
            "totalTaxSet": world.bag(tax_total, pcur),
            "totalPriceSet": world.bag(total, pcur),
            "currentTotalPriceSet": world.bag(current_total, pcur),
            "totalTipReceivedSet": world.bag(0, pcur),
            "refunds": refunds,
            "fulfillments": fulfilments,
            "transactions": transactions,
            "returns": [],
            "returnStatus": "NO_RETURN",
        }
        world.add_order(order)
        for obj in lines + shipping + refunds + transactions + fulfilments:
            world._register(obj)
    if with_returns:
        eligible = [o for o in world.orders
                    if o["displayFulfillmentStatus"] == "FULFILLED" and not o["refunds"]]
        for index, order in enumerate(eligible):
            _add_return(world, order, RETURN_KINDS[index % len(RETURN_KINDS)])
    return world


#: The returns ``generate_shop(with_returns=True)`` makes, in turn:
#: refunded - closed, 1 unit of the first line received and refunded (restocked, the refund
#:   names the return); exchange - closed, 1 unit of the first line received and exchanged
#:   for another product at the same price (a line item only the return holds), no refund;
#: requested - waiting for approval, nothing received; declined - the merchant said no.
RETURN_KINDS = ("refunded", "exchange", "requested", "declined")
_RETURN_STATUS = {"refunded": "CLOSED", "exchange": "CLOSED", "requested": "REQUESTED",
                  "declined": "DECLINED"}
_ORDER_RETURN_STATUS = {"refunded": "RETURNED", "exchange": "RETURNED",
                        "requested": "RETURN_REQUESTED", "declined": "NO_RETURN"}


def _one_unit_refund(world, sale, line, pcur, at, refunded, unit_net, unit_tax, *, note,
                     restock_type, receipt_id, payment_id, settles=None):
    """A refund of one unit of ``line`` at ``at`` (ISO), with its REFUND transaction against
    ``sale``; ``settles``: the return it settles, if any."""
    refund_txn = world._register(dict(
        sale,
        id=gid("OrderTransaction", world._next(1500000000)),
        kind="REFUND",
        amountSet=world.bag(refunded, pcur),
        createdAt=at,
        processedAt=at,
        receiptJson=json.dumps({"id": receipt_id, "object": "refund",
                                "charge": json.loads(sale["receiptJson"])["id"]}),
        paymentId=payment_id,
        parentTransaction={"id": sale["id"]},
    ))
    return world._register({
        "__typename": "Refund",
        "id": gid("Refund", world._next(1600000000)),
        "createdAt": at,
        "updatedAt": at,
        "processedAt": at,
        "note": note,
        "return": settles,
        "totalRefundedSet": world.bag(refunded, pcur),
        "refundLineItems": [{
            "id": gid("RefundLineItem", world._next(1700000000)),
            "lineItem": line,
            "quantity": 1,
            "restockType": restock_type,
            "restocked": restock_type != "NO_RESTOCK",
            "priceSet": world.bag(line["_unit"], pcur),
            "subtotalSet": world.bag(unit_net, pcur),
            "totalTaxSet": world.bag(unit_tax, pcur),
        }],
        "refundShippingLines": [],
        "orderAdjustments": [],
        "transactions": [refund_txn],
    })


def _add_return(world, order, kind):
    """One return of ``kind`` on a fulfilled ``order`` (one day after it), as Shopify shows it."""
    pcur = order["presentmentCurrencyCode"]
    line = order["lineItems"][0]
    fulfilment_line = next(
        item for f in order["fulfillments"] for item in f["fulfillmentLineItems"]
        if item["lineItem"] is line
    )
    processed = 1 if kind in ("refunded", "exchange") else 0
    at = parse_iso(order["createdAt"]) + timedelta(days=1)
    number = len(world.returns) + 1
    ret = world._register({
        "__typename": "Return",
        "id": gid("Return", world._next(1800000000)),
        "name": f"{order['name']}-R1",
        "status": _RETURN_STATUS[kind],
        "createdAt": iso(at),
        "closedAt": iso(at + timedelta(hours=2)) if processed else None,
        "totalQuantity": 1,
        "order": order,
        "returnLineItems": [{
            "__typename": "ReturnLineItem",
            "id": gid("ReturnLineItem", world._next(1810000000)),
            "quantity": 1,
            "processedQuantity": processed,
            "unprocessedQuantity": 1 - processed,
            "returnReasonNote": "Too small" if number % 2 else "",
            "customerNote": None,
            "returnReasonDefinition": {"name": "Size too small" if number % 2 else "Other"},
            "fulfillmentLineItem": fulfilment_line,
        }],
        "exchangeLineItems": [],
        "refunds": [],
        "_kind": kind,
    })
    unit_net = money((line["_gross"] - line["_discount"]) / line["quantity"])
    unit_tax = money(line["_tax"] / line["quantity"])
    if kind == "refunded":
        refunded = unit_net + (Decimal(0) if order["taxesIncluded"] else unit_tax)
        sale = order["transactions"][0]
        refund = _one_unit_refund(
            world, sale, line, pcur, ret["closedAt"], refunded, unit_net, unit_tax,
            note="Return received", restock_type="RETURN",
            receipt_id=f"re_3OmniR{gid_number(ret['id']):012d}",
            payment_id=f"{order['name']}.R", settles=ret,
        )
        refund_txn = refund["transactions"][0]
        ret["refunds"].append(refund)
        order["refunds"].append(refund)
        order["transactions"].append(refund_txn)
        order["displayFinancialStatus"] = "PARTIALLY_REFUNDED"
        current = Decimal(order["currentTotalPriceSet"]["shopMoney"]["amount"]) - refunded
        order["currentTotalPriceSet"] = world.bag(current, pcur)
    elif kind == "exchange":
        others = [v for __, variants in world.products for v in variants
                  if v["sku"] != line["sku"]]
        variant = others[number % len(others)]
        product = variant["product"]
        unit = line["_unit"]
        rate = Decimal(str(line["taxLines"][0]["rate"]))
        tax = money(unit - unit / (1 + rate)) if order["taxesIncluded"] else money(unit * rate)
        new_line = world._register({
            "__typename": "LineItem",
            "id": gid("LineItem", world._next(1100000000)),
            "name": product["title"],
            "title": product["title"],
            "sku": variant["sku"],
            "quantity": 1,
            "currentQuantity": 1,
            "originalUnitPriceSet": world.bag(unit, pcur),
            "discountedUnitPriceSet": world.bag(unit, pcur),
            "totalDiscountSet": world.bag(0, pcur),
            "discountAllocations": [],
            "taxLines": [dict(line["taxLines"][0], priceSet=world.bag(tax, pcur))],
            "variant": variant,
            "product": product,
        })
        ret["exchangeLineItems"].append({
            "__typename": "ExchangeLineItem",
            "id": gid("ExchangeLineItem", world._next(1820000000)),
            "quantity": 1,
            "processedQuantity": 1,
            "unprocessedQuantity": 0,
            "variantId": variant["id"],
            "lineItems": [new_line],
        })
    order["returns"] = order.get("returns", []) + [ret]
    order["returnStatus"] = _ORDER_RETURN_STATUS[kind]
    order["updatedAt"] = max(order["updatedAt"], ret["closedAt"] or ret["createdAt"])
    world.returns.append(ret)
    return ret


# --------------------------------------------------------------------------- webhooks


def sign_webhook(raw_body, secret):
    """``X-Shopify-Hmac-Sha256``: base64 of HMAC-SHA256(raw body, app secret)."""
    digest = hmac.new(secret.encode(), raw_body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def webhook_headers(raw_body, secret, topic, webhook_id=None,
                    shop_domain="omni-sandbox.myshopify.com", api_version=API_VERSION):
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign_webhook(raw_body, secret),
        "X-Shopify-Shop-Domain": shop_domain,
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-Triggered-At": iso(datetime.now(timezone.utc)),
        "X-Shopify-API-Version": api_version,
    }


def send_webhook(url, topic, payload, secret, webhook_id=None, duplicate=False, timeout=10,
                 **header_kwargs):
    """POST a signed webhook (a dict or raw bytes) to ``url``; with ``duplicate`` the same
    delivery (same webhook id) is sent twice. Returns the list of responses."""
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = webhook_headers(raw, secret, topic, webhook_id=webhook_id, **header_kwargs)
    responses = [requests.post(url, data=raw, headers=headers, timeout=timeout)]
    if duplicate:
        responses.append(requests.post(url, data=raw, headers=headers, timeout=timeout))
    return responses


# --------------------------------------------------------------------------- the server


class _Handler(JsonHandler):
    server_version = "shopify-sandbox"
    json_content_type = "application/json; charset=utf-8"

    def response_headers(self):
        return {"X-Request-Id": str(uuid.uuid4())}

    def do_GET(self):
        if shopify_payments.handle_route(self, "GET", b""):
            return
        self.send_json(405, {"errors": "Not Found"})

    def do_POST(self):
        sandbox = self.sandbox
        body = self.read_body()
        sandbox.requests.append(RecordedRequest("POST", self.path, dict(self.headers.items()),
                                                body))
        match = GRAPHQL_PATH.match(self.path.split("?", 1)[0])
        if not match and shopify_payments.handle_route(self, "POST", body):
            return
        if not match:
            self.send_json(404, {"errors": "Not Found"})
            return
        if match["version"] != sandbox.api_version:
            self.send_json(404, {"errors": f"API version {match['version']} not served"})
            return
        fault = sandbox._take_fault()
        if fault is not None:
            if self.transport_fault(fault):
                return
            if fault.kind == "429":
                self.send_json(429, {"errors": "Exceeded 2 calls per second for api client. "
                                               "Reduce request rates to resume uninterrupted "
                                               "service."},
                               {"Retry-After": str(fault.retry_after)})
                return
            if fault.kind in ("500", "502", "503"):
                self.send_json(int(fault.kind), {"errors": "Internal Server Error"})
                return
        token = self.headers.get("X-Shopify-Access-Token") or ""
        if not hmac.compare_digest(token.encode(), sandbox.access_token.encode()) and not (
            shopify_payments.token_valid(sandbox, token)
        ):
            self.send_json(401, {"errors": "[API] Invalid API key or access token "
                                           "(unrecognized login or wrong password)"})
            return
        try:
            request = json.loads(body or b"{}")
            if not isinstance(request, dict) or not isinstance(request.get("query"), str):
                raise ValueError("no query")
        except ValueError:
            self.send_json(400, {"errors": {"query": "Required parameter missing or invalid"}})
            return
        status, result = sandbox.execute(
            request["query"], request.get("variables"), request.get("operationName"),
            throttle=fault is not None and fault.kind == "throttled",
        )
        self.send_json(status, result)


class ShopifySandbox(Sandbox):
    """Serve a :class:`ShopifyWorld` on ``http://127.0.0.1:<port>`` (a daemon thread).

    ``requests``: every request received. ``costs``: the cost charged per executed query.
    Bucket: ``maximum_available`` points, refilled at ``restore_rate`` points per second; a
    single query may cost at most ``max_query_cost``.
    """

    handler_class = _Handler
    name = "shopify-sandbox"

    def __init__(self, world, access_token="shpat_omni_sandbox", api_version=API_VERSION,
                 maximum_available=2000.0, restore_rate=100.0, max_query_cost=1000):
        super().__init__()
        self.world = world
        self.access_token = access_token
        self.api_version = api_version
        self.schema = load_schema()
        self.costs = []
        self.maximum_available = float(maximum_available)
        self.max_query_cost = max_query_cost
        self.restore_rate = float(restore_rate)
        self._available = float(maximum_available)
        self._refilled_at = time.monotonic()

    @property
    def graphql_url(self):
        return f"{self.url}/admin/api/{self.api_version}/graphql.json"

    # -- test controls
    def add_fault(self, kind, times=1, retry_after=1, after=0):
        """Queue a fault for the next ``times`` GraphQL requests: "429" (Retry-After:
        ``retry_after``), "500" / "502" / "503", "throttled" (a THROTTLED answer whatever the
        bucket holds), "timeout" (stall ``timeout_seconds`` then answer), "drop" (close the
        connection without answering); ``after``: once that many requests were answered."""
        return super().add_fault(kind, times=times, retry_after=retry_after, after=after)

    def set_bucket(self, available):
        with self._lock:
            self._available = float(available)
            self._refilled_at = time.monotonic()

    def reset(self):
        self.clear_faults()
        self.requests.clear()
        self.costs.clear()
        self.set_bucket(self.maximum_available)

    def graphql_requests(self):
        return [r for r in self.requests if GRAPHQL_PATH.match(r.path.split("?", 1)[0])]

    # -- internals
    def _charge(self, cost, force_throttle=False):
        """Leaky bucket; returns (allowed, throttle status)."""
        with self._lock:
            now = time.monotonic()
            self._available = min(self.maximum_available,
                                  self._available + (now - self._refilled_at) * self.restore_rate)
            self._refilled_at = now
            allowed = not force_throttle and cost <= self._available
            if allowed:
                self._available -= cost
            status = {
                "maximumAvailable": self.maximum_available,
                "currentlyAvailable": int(self._available),
                "restoreRate": self.restore_rate,
            }
        return allowed, status

    def execute(self, query, variables=None, operation_name=None, throttle=False):
        """Validate, cost, execute: returns (HTTP status, JSON body) as Shopify would."""
        document, errors = validate_document(self.schema, query)
        if errors:
            for error in errors:
                error.setdefault("extensions", {})["code"] = (
                    "DEPRECATED_FIELD" if "deprecated" in error["message"]
                    else "GRAPHQL_VALIDATION_FAILED"
                )
            return 200, {"errors": errors}
        cost = query_cost(self.schema, document, variables, operation_name)
        if cost > self.max_query_cost:
            return 200, {"errors": [{"message": f"Query cost is {cost}, which exceeds the single "
                                                f"query max cost limit "
                                                f"({self.max_query_cost}).",
                                     "extensions": {"code": "MAX_COST_EXCEEDED", "cost": cost,
                                                    "maxCost": self.max_query_cost}}]}
        allowed, status = self._charge(cost, throttle)
        extensions = {"cost": {"requestedQueryCost": cost,
                               "actualQueryCost": cost if allowed else None,
                               "throttleStatus": status}}
        if not allowed:
            return 200, {"errors": [{"message": "Throttled", "extensions": {
                "code": "THROTTLED",
                "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
                "extensions": extensions}
        self.costs.append(cost)
        if document.definitions and any(
            isinstance(d, graphql.OperationDefinitionNode) and d.operation.value == "mutation"
            and any(self.schema.mutation_type.fields[f.name.value].resolve is None
                    for f in d.selection_set.selections if isinstance(f, graphql.FieldNode))
            for d in document.definitions
        ):  # mutations are served only where a sandbox module resolves them
            return 200, {"errors": [{"message": "The sandbox serves queries only",
                                     "extensions": {"code": "NOT_IMPLEMENTED"}}]}
        result = graphql.execute(self.schema, document, variable_values=variables or {},
                                 operation_name=operation_name,
                                 context_value={"world": self.world, "sandbox": self})
        body = {"data": result.data}
        if result.errors:
            body["errors"] = [err.formatted for err in result.errors]
        body["extensions"] = extensions
        return 200, body

