"""A ShipBob sandbox (Developer API 2026-01) on real HTTP, validated against ShipBob's OpenAPI.

- :class:`ShipBobWorld` is the 3PL's state: two fulfilment centres, a catalogue of inventory
  items with on-hand quantities per centre, the orders it was sent (``reference_id`` unique, as
  ShipBob refuses a second order with the same one), their shipments, and the webhook
  subscriptions with their ``whsec_`` secrets.
- :class:`ShipBobSandbox` serves ``/2026-01/order`` (list by ``ReferenceIds``, create, get,
  ``:cancel``), ``/2026-01/shipment/{id}``, ``/2026-01/inventory-level/locations``,
  ``/2026-01/fulfillment-center`` and ``/2026-01/webhook`` (list, create, delete) behind a
  Bearer personal access token. Given a validator (:func:`shipbob_validator`), every request
  body it reads and every answer it gives is validated against the spec's schemas; what does
  not fit is recorded in ``schema_errors`` (tests assert it stays empty). Faults: ``429``
  (``Retry-After``), ``500``, ``503``, ``timeout``, ``drop``.
- :meth:`ShipBobSandbox.ship` makes a shipment of some of an order's units (a partial
  shipment leaves the rest to a later one) and :meth:`ShipBobSandbox.deliver` posts a topic's
  webhook to every subscription of that topic, signed the Standard Webhooks way
  (``webhook-id``, ``webhook-timestamp``, ``webhook-signature: v1,<base64 HMAC-SHA256>`` with
  the subscription's secret) and named by ``x-webhook-topic``; the body of the shipment topics
  is the shipment (``Orders.ShipmentViewModel``), so duplicates and out-of-order deliveries
  are the caller's to play.

No Odoo import: usable from plain pytest and from Odoo tests alike.
"""

import base64
import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import requests
from standardwebhooks.webhooks import Webhook

from .httpserver import JsonHandler, Sandbox
from .openapi import StripeSchemaValidator
from .refdata import refdata_path

API = "/2026-01"
PAT = "pat_omni_shipbob_sandbox"
SPEC = ("shipbob", "openapi-2026-01.json")
SHIPBOB_HINT = (
    "ShipBob reference data not found: set OMNI_REFDATA to the shared/refdata folder of the "
    "project's steering repo (it holds shipbob/openapi-2026-01.json)."
)
FULFILLMENT_CENTERS = (
    {"id": 10, "name": "Cicero (IL)", "city": "Cicero", "state": "IL", "country": "USA"},
    {
        "id": 20,
        "name": "Moreno Valley (CA)",
        "city": "Moreno Valley",
        "state": "CA",
        "country": "USA",
    },
)
# sku, name, inventory id, on hand per fulfilment centre id
CATALOG = (
    ("SB-MUG", "Omni mug", 7001, {10: 120, 20: 40}),
    ("SB-TEE", "Omni t-shirt", 7002, {10: 75, 20: 0}),
    ("SB-CAP", "Omni cap", 7003, {10: 12, 20: 30}),
)
SHIPMENT_TOPICS = (
    "order.shipped",
    "order.shipment.delivered",
    "order.shipment.exception",
    "order.shipment.on_hold",
    "order.shipment.cancelled",
)


def iso(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def has_shipbob_spec():
    return refdata_path(*SPEC).is_file()


def _open_composites(node):
    """ShipBob's spec writes ``additionalProperties: false`` on every node, strings and
    ``oneOf`` wrappers included; in JSON Schema that forbids every property of an object
    described by its branches. Keep it only where the node lists its ``properties``."""
    if isinstance(node, dict):
        if node.get("additionalProperties") is False and "properties" not in node:
            node = {k: v for k, v in node.items() if k != "additionalProperties"}
        return {k: _open_composites(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_open_composites(v) for v in node]
    return node


def _flatten_inheritance(schemas):
    """A model "inheriting" a base (``allOf: [$ref base]`` beside its own ``properties``, both
    closed) would accept no property the base lacks: merge the base's properties into the
    model instead, so it stays closed over the union, as ShipBob means it."""
    prefix = "#/components/schemas/"
    for schema in schemas.values():
        if "properties" not in schema or "allOf" not in schema:
            continue
        rest = []
        for branch in schema["allOf"]:
            base = schemas.get(branch.get("$ref", "")[len(prefix) :]) if "$ref" in branch else None
            if base and "properties" in base:
                for name, sub in base["properties"].items():
                    schema["properties"].setdefault(name, sub)
            else:
                rest.append(branch)
        if rest:
            schema["allOf"] = rest
        else:
            del schema["allOf"]


def shipbob_validator():
    """A validator of ``components/schemas`` of ShipBob's spec (closed objects stay closed)."""
    path = refdata_path(*SPEC)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: {SHIPBOB_HINT}")
    with path.open(encoding="utf-8") as fh:
        spec = json.load(fh)
    _flatten_inheritance(spec["components"]["schemas"])
    return StripeSchemaValidator(_open_composites(spec))


def new_secret(seed):
    """A subscription secret as ShipBob writes them: ``whsec_`` and 32 base64 characters."""
    return "whsec_" + base64.b64encode(hashlib.sha256(seed.encode()).digest()[:24]).decode()


@dataclass
class ShipBobWorld:
    centers: tuple = FULFILLMENT_CENTERS
    catalog: tuple = CATALOG
    orders: dict = field(default_factory=dict)  # id -> order (Orders.OrderViewModel)
    shipments: dict = field(default_factory=dict)  # id -> shipment (Orders.ShipmentViewModel)
    on_hand: dict = field(default_factory=dict)  # (inventory id, centre id) -> quantity
    subscriptions: list = field(default_factory=list)  # WebhookViewModelV2 + "secret"
    next_id: int = 900000

    def __post_init__(self):
        for __, __, inventory_id, quantities in self.catalog:
            for center_id, quantity in quantities.items():
                self.on_hand.setdefault((inventory_id, center_id), quantity)

    def new_id(self):
        self.next_id += 1
        return self.next_id

    def item(self, sku):
        return next((row for row in self.catalog if row[0] == sku), None)

    def center(self, center_id):
        return next((c for c in self.centers if c["id"] == center_id), None)

    def order_by_reference(self, reference_id):
        return next((o for o in self.orders.values() if o["reference_id"] == reference_id), None)


def _shipment_products(order, quantities):
    products = []
    for line in order["products"]:
        quantity = quantities.get(line["sku"], 0)
        if quantity:
            products.append(
                {
                    "id": line["id"],
                    "reference_id": line["reference_id"],
                    "sku": line["sku"],
                    "name": line["reference_id"],
                    "inventory_items": [
                        {
                            "id": line["id"],
                            "name": line["reference_id"],
                            "quantity": quantity,
                            "quantity_committed": quantity,
                            "is_dangerous_goods": False,
                        }
                    ],
                }
            )
    return products


class _Handler(JsonHandler):
    server_version = "shipbob-api-sandbox"

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_DELETE(self):
        self._handle("DELETE")

    def response_headers(self):
        return {"x-request-id": f"req-{len(self.sandbox.requests):06d}"}

    def reply(self, status, body, schema=None):
        if schema:
            self.sandbox.check(body, schema, f"answer of {self.command} {self.path}")
        if body is None:
            return self.send_bytes(status, b"")
        return self.send_json(status, body)

    def problem(self, status, title):
        return self.send_json(status, {"type": "about:blank", "title": title, "status": status})

    def _handle(self, method):
        sandbox = self.sandbox
        split = urlsplit(self.path)
        path, query = split.path, parse_qs(split.query)
        raw = self.read_body()
        sandbox.requests.append((method, path, query, dict(self.headers.items()), raw))
        fault = sandbox._take_fault(path)
        if fault is not None:
            if self.transport_fault(fault):
                return
            if fault.kind == "429":
                return self.send_json(
                    429,
                    {"title": "Too Many Requests", "status": 429},
                    {"Retry-After": str(fault.retry_after)},
                )
            if fault.kind == "500":
                return self.problem(500, "Internal Server Error")
            if fault.kind == "503":
                return self.send_bytes(
                    503, b"<html><body>Service Unavailable</body></html>", content_type="text/html"
                )
        if self.headers.get("Authorization") != f"Bearer {sandbox.pat}":
            return self.problem(401, "Unauthorized")
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                return self.problem(400, "The body is not JSON")
        with sandbox._lock:
            return self._route(method, path, query, body)

    def _route(self, method, path, query, body):
        world = self.sandbox.world
        if path == f"{API}/order" and method == "GET":
            refs = set(",".join(query.get("ReferenceIds") or []).split(",")) - {""}
            ids = set(",".join(query.get("IDs") or []).split(",")) - {""}
            orders = [
                self.sandbox.public_order(o)
                for o in world.orders.values()
                if (not refs or o["reference_id"] in refs) and (not ids or str(o["id"]) in ids)
            ]
            return self.reply(200, orders, "Orders.OrderViewModelArray")
        if path == f"{API}/order" and method == "POST":
            return self._create_order(body)
        match = re.fullmatch(rf"{API}/order/(\d+)(:cancel)?", path)
        if match:
            order = world.orders.get(int(match[1]))
            if order is None:
                return self.problem(404, "Order not found")
            if match[2] and method == "POST":
                return self._cancel(order)
            if method == "GET":
                return self.reply(200, self.sandbox.public_order(order), "Orders.OrderViewModel")
        match = re.fullmatch(rf"{API}/shipment/(\d+)", path)
        if match and method == "GET":
            shipment = world.shipments.get(int(match[1]))
            if shipment is None:
                return self.problem(404, "Shipment not found")
            return self.reply(200, shipment, "Orders.ShipmentViewModel")
        if path == f"{API}/inventory-level/locations" and method == "GET":
            return self._inventory(query)
        if path == f"{API}/fulfillment-center" and method == "GET":
            return self.reply(200, list(world.centers), "Receiving.FulfillmentCenterViewModelArray")
        if path == f"{API}/webhook":
            if method == "GET":
                items = [{k: v for k, v in s.items() if k != "secret"} for s in world.subscriptions]
                return self.reply(
                    200, {"items": items, "next": None, "prev": None}, "Webhooks.GetWebhookResponse"
                )
            if method == "POST":
                return self._subscribe(body)
        match = re.fullmatch(rf"{API}/webhook/([^/]+)", path)
        if match and method == "DELETE":
            world.subscriptions[:] = [s for s in world.subscriptions if s["id"] != match[1]]
            return self.reply(204, None)
        return self.problem(404, f"{method} {path} is not a sandbox resource")

    def _create_order(self, body):
        sandbox, world = self.sandbox, self.sandbox.world
        errors = sandbox.check(body, "Orders.CreateOrderModel", "order request")
        if errors:
            return self.send_json(400, {"body": errors})
        if world.order_by_reference(body["reference_id"]):
            return self.reply(
                422,
                {"reference_id": [f"An order with reference id {body['reference_id']} exists"]},
                "Orders.Post.Api.Order.Unprocessable.Entity.Object",
            )
        unknown = [p.get("sku") for p in body["products"] if not world.item(p.get("sku"))]
        if unknown:
            return self.reply(
                422,
                {"products": [f"Unknown product {sku}" for sku in unknown]},
                "Orders.Post.Api.Order.Unprocessable.Entity.Object",
            )
        now = iso(sandbox.now())
        order_id = world.new_id()
        order = {
            "id": order_id,
            "created_date": now,
            "purchase_date": body.get("purchase_date"),
            "reference_id": body["reference_id"],
            "order_number": body.get("order_number"),
            "status": "Processing",
            "type": body["type"],
            "channel": {"id": 1, "name": "Omni API"},
            "shipping_method": body["shipping_method"],
            "recipient": body["recipient"],
            "products": [
                {
                    "id": world.item(p["sku"])[2],
                    "reference_id": p["reference_id"],
                    "sku": p["sku"],
                    "quantity": p["quantity"],
                    "unit_price": p.get("unit_price"),
                    "external_line_id": p.get("external_line_id"),
                }
                for p in body["products"]
            ],
            "shipments": [],
            "tags": body.get("tags") or [],
            "location_id": body.get("location_id"),  # dropped from answers, kept for ship()
        }
        world.orders[order_id] = order
        return self.reply(201, sandbox.public_order(order), "Orders.OrderViewModel")

    def _cancel(self, order):
        shipped = any(s["status"] == "Completed" for s in order["shipments"])
        results = [
            {
                "shipment_id": s["id"],
                "action": "Cancel",
                "is_success": s["status"] != "Completed",
                "reason": "Shipped already" if s["status"] == "Completed" else None,
            }
            for s in order["shipments"]
        ]
        if not shipped:
            order["status"] = "Cancelled"
            for shipment in order["shipments"]:
                shipment["status"] = "Cancelled"
        public = self.sandbox.public_order(order)
        body = {
            "order_id": order["id"],
            "order": public,
            "status": "Failure" if shipped else "Success",
            "canceled_shipment_results": results,
        }
        return self.reply(422 if shipped else 200, body, "Orders.CanceledOrderViewModel")

    def _inventory(self, query):
        world = self.sandbox.world
        location = (query.get("LocationId") or [""])[0]
        items = []
        for sku, name, inventory_id, __ in world.catalog:
            locations = [
                {
                    "location_id": center["id"],
                    "name": center["name"],
                    "on_hand_quantity": world.on_hand.get((inventory_id, center["id"]), 0),
                    "fulfillable_quantity": world.on_hand.get((inventory_id, center["id"]), 0),
                    "committed_quantity": 0,
                    "awaiting_quantity": 0,
                    "internal_transfer_quantity": 0,
                }
                for center in world.centers
                if not location or str(center["id"]) == location
            ]
            items.append(
                {"inventory_id": inventory_id, "sku": sku, "name": name, "locations": locations}
            )
        body = {"items": items, "first": None, "last": None, "next": None, "prev": None}
        return self.reply(200, body, "Inventory.InventoryQuantityFcResponsePagedResponse")

    def _subscribe(self, body):
        sandbox, world = self.sandbox, self.sandbox.world
        errors = sandbox.check(body, "Webhooks.V2.CreateSubscriptionRequest", "subscription")
        if errors:
            return self.send_json(422, {"errors": errors})
        subscription = {
            "id": str(world.new_id()),
            "created_at": iso(sandbox.now()),
            "description": body.get("description"),
            "topics": body["topics"],
            "url": body["url"],
            "enabled": True,
            "secret": body.get("secret") or new_secret(f"{body['url']}{len(world.subscriptions)}"),
        }
        world.subscriptions.append(subscription)
        answer = {k: v for k, v in subscription.items() if k != "enabled"}
        return self.reply(200, answer, "Webhooks.V2.Create.WebhookViewModelV2")


class ShipBobSandbox(Sandbox):
    handler_class = _Handler
    name = "shipbob-sandbox"
    fault_kinds = ("429", "500", "503", "timeout", "drop")

    def __init__(self, world=None, validator=None, pat=PAT):
        super().__init__()
        self.world = world or ShipBobWorld()
        self.validator = validator
        self.pat = pat
        self.schema_errors = []
        self.clock = None  # a fixed "now" (aware datetime) for deterministic dates

    def now(self):
        return self.clock or datetime.now(timezone.utc)

    def check(self, body, schema, what):
        """Validate ``body`` against ``schema``; the errors (also kept in ``schema_errors``)."""
        if self.validator is None:
            return []
        errors = [
            f"{what}: {schema} {e.json_path}: {e.message[:300]}"
            for e in self.validator.iter_errors(body, schema)
        ]
        self.schema_errors.extend(errors)
        return errors

    @staticmethod
    def public_order(order):
        return {k: v for k, v in order.items() if k != "location_id"}

    def request_paths(self, method=None, prefix=""):
        return [
            path
            for verb, path, *__ in self.requests
            if path.startswith(prefix) and (method is None or verb == method)
        ]

    # ------------------------------------------------------------------ the 3PL at work
    def ship(
        self,
        order_id,
        quantities,
        *,
        at=None,
        carrier="USPS",
        tracking=None,
        location_id=None,
        status="Completed",
    ):
        """A shipment of ``quantities`` ({sku: units}) of the order, shipped ``at`` (aware
        datetime) from ``location_id`` (the order's, else the first centre): the shipment."""
        with self._lock:
            world = self.world
            order = world.orders[order_id]
            at = at or self.now()
            center = world.center(location_id or order.get("location_id") or world.centers[0]["id"])
            shipment_id = world.new_id()
            tracking = tracking or f"9400{shipment_id:018d}"
            shipment = {
                "id": shipment_id,
                "order_id": order_id,
                "reference_id": order["reference_id"],
                "created_date": order["created_date"],
                "last_update_at": iso(at),
                "actual_fulfillment_date": iso(at) if status == "Completed" else None,
                "status": status,
                "location": {"id": center["id"], "name": center["name"]},
                "recipient": {
                    "name": order["recipient"]["name"],
                    "full_name": order["recipient"]["name"],
                    "address": order["recipient"]["address"],
                    "email": order["recipient"].get("email"),
                },
                "products": _shipment_products(order, quantities),
                "tracking": {
                    "carrier": carrier,
                    "carrier_service": "Ground",
                    "tracking_number": tracking,
                    "tracking_url": f"https://tools.usps.com/go/TrackConfirmAction?tLabels={tracking}",
                    "shipping_date": iso(at),
                },
                "is_tracking_uploaded": True,
                "require_signature": False,
                "status_details": [],
            }
            world.shipments[shipment_id] = shipment
            order["shipments"].append(shipment)
            shipped = {}
            for shp in order["shipments"]:
                if shp["status"] == "Completed":
                    for product in shp["products"]:
                        units = sum(i["quantity"] for i in product["inventory_items"])
                        shipped[product["sku"]] = shipped.get(product["sku"], 0) + units
            if status == "Completed":
                for sku, units in quantities.items():
                    key = (world.item(sku)[2], center["id"])
                    world.on_hand[key] = world.on_hand.get(key, 0) - units
                whole = all(shipped.get(p["sku"], 0) >= p["quantity"] for p in order["products"])
                order["status"] = "Fulfilled" if whole else "PartiallyFulfilled"
            self.check(shipment, "Orders.ShipmentViewModel", "shipment")
            return copy.deepcopy(shipment)

    def exception(
        self, shipment_id, name="OutOfStock", description="Not enough stock", status="Exception"
    ):
        """Put a shipment in exception (or ``OnHold``) with a status detail: the shipment."""
        with self._lock:
            shipment = self.world.shipments[shipment_id]
            shipment["status"] = status
            shipment["status_details"] = [{"id": 1, "name": name, "description": description}]
            shipment["last_update_at"] = iso(self.now())
            self.check(shipment, "Orders.ShipmentViewModel", "shipment")
            return copy.deepcopy(shipment)

    def charge(
        self, shipment_id, amount, *, fee="Shipping", kind="Charge", currency="USD", at=None
    ):
        """A billing transaction of a shipment (``Billing.TransactionDtoV3``): the body of the
        ``billing.charge.created`` (refund, credit) webhooks. ``amount`` is a decimal string,
        sent as the JSON number ShipBob sends (Python writes a float's shortest repr, the
        same digits for amounts of up to 15 significant digits)."""
        with self._lock:
            at = at or self.now()
            transaction = {
                "transaction_id": f"tx-{self.world.new_id()}",
                "amount": float(amount),
                "currency_code": currency,
                "charge_date": at.strftime("%Y-%m-%d"),
                "invoice_type": fee,
                "invoiced_status": False,
                "reference_id": str(shipment_id),
                "reference_type": "Shipment",
                "transaction_type": kind,
                "fulfillment_center": "Cicero (IL)",
                "taxes": [],
            }
            self.check(transaction, "Billing.TransactionDtoV3", "transaction")
            return transaction

    def signed(self, topic, body, *, secret, msg_id=None, timestamp=None):
        """(raw body, headers) of a webhook signed the Standard Webhooks way."""
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        msg_id = msg_id or f"msg_{hashlib.sha256(raw + topic.encode()).hexdigest()[:24]}"
        timestamp = timestamp or datetime.now(timezone.utc)
        signature = Webhook(secret).sign(msg_id, timestamp, raw)
        headers = {
            "Content-Type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(timestamp.timestamp())),
            "webhook-signature": signature,
            "x-webhook-topic": topic,
        }
        return raw, headers

    def deliver(self, topic, body, *, msg_id=None, timestamp=None, timeout=60):
        """POST the webhook to every enabled subscription of ``topic``: their responses."""
        responses = []
        for subscription in list(self.world.subscriptions):
            if subscription["enabled"] and topic in subscription["topics"]:
                raw, headers = self.signed(
                    topic, body, secret=subscription["secret"], msg_id=msg_id, timestamp=timestamp
                )
                responses.append(
                    requests.post(subscription["url"], data=raw, headers=headers, timeout=timeout)
                )
        return responses
