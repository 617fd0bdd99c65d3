"""An Amazon Selling Partner API sandbox: a deterministic seller month over real HTTP.

- :func:`generate_month` builds an :class:`AmazonWorld`: a month of orders on amazon.com (USD,
  marketplace facilitator tax) and amazon.de (EUR, the seller's own VAT), fulfilled by Amazon
  (FBA) and by the merchant, one cancelled, one refunded; and the two settlements Amazon would
  pay out for it as Flat File V2 reports (``GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2``,
  columns as documented): sales, tax, shipping, commissions, FBA fees, the refund with its
  refund commission, a promotion, advertising, a subscription fee, an FBA reimbursement and a
  reserve held and released. The amazon.de file writes amounts and dates the local way
  (``1.234,56``, ``02.11.2026``) and is served gzip-compressed.
- :class:`AmazonSandbox` serves it on ``http://127.0.0.1:<port>`` as Login with Amazon
  (``POST /auth/o2/token``), Orders 2026-01-01 (search with ``paginationToken``, get) and
  Reports 2021-06-30 (``getReports``, ``getReportDocument`` with a document URL the sandbox
  serves) do, with faults: ``429`` (``x-amzn-RateLimit-Limit``), ``500``, ``503`` (an outage
  page, not JSON), ``timeout``, ``drop`` and ``expired_token``.

No Odoo import: usable from plain pytest and from Odoo tests alike.
"""

import base64
import gzip
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from .httpserver import JsonHandler, Sandbox

CLIENT_ID = "amzn1.application-oa2-client.omni"
CLIENT_SECRET = "amzn1.oa2-cs.v1.omni-secret"
REFRESH_TOKEN = "Atzr|omni-refresh-token"
SELLER_ID = "A3OMNISELLER"
SETTLEMENT_REPORT_TYPE = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
DEFAULT_START = datetime(2026, 11, 1, tzinfo=timezone.utc)
RATE_LIMIT = "0.5"  # requests per second announced on every answer (x-amzn-RateLimit-Limit)
SETTLEMENT_COLUMNS = (
    "settlement-id settlement-start-date settlement-end-date deposit-date total-amount currency "
    "transaction-type order-id merchant-order-id adjustment-id shipment-id marketplace-name "
    "amount-type amount-description amount fulfillment-id posted-date posted-date-time "
    "order-item-code merchant-order-item-id merchant-adjustment-item-id sku quantity-purchased "
    "promotion-id"
).split()
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Marketplace:
    marketplace_id: str
    name: str  # as the settlement file's marketplace-name
    currency: str
    facilitator_tax: bool  # Amazon collects and remits the sales tax
    vat_rate: Decimal  # the seller's own tax when Amazon does not collect it
    local_format: bool  # comma decimals and DD.MM.YYYY dates in the settlement file


US = Marketplace("ATVPDKIKX0DER", "Amazon.com", "USD", True, Decimal("0.08"), False)
DE = Marketplace("A1PA6795UKMFR9", "Amazon.de", "EUR", False, Decimal("0.2"), True)
CATALOG = (  # sku, title, asin, price (marketplace currency)
    ("AMZ-MUG", "Omni mug", "B0OMNI0001", Decimal("12.50")),
    ("AMZ-TEE", "Omni t-shirt", "B0OMNI0002", Decimal("19.99")),
    ("AMZ-CAP", "Omni cap", "B0OMNI0003", Decimal("15.00")),
    ("AMZ-LAMP", "Omni desk lamp", "B0OMNI0004", Decimal("1234.56")),
)


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def money(amount, currency):
    return {"amount": str(amount.quantize(CENT)), "currencyCode": currency}


def format_amount(amount, local):
    """An amount as a settlement file writes it: ``-1234.56`` or, locally, ``-1.234,56``."""
    text = f"{amount.quantize(CENT):,.2f}" if local else str(amount.quantize(CENT))
    return text.replace(",", "#").replace(".", ",").replace("#", ".") if local else text


def format_date(moment, local, with_time=True):
    if local:
        return moment.strftime("%d.%m.%Y %H:%M:%S UTC" if with_time else "%d.%m.%Y")
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00" if with_time else "%Y-%m-%d")


@dataclass
class Settlement:
    settlement_id: str
    marketplace: Marketplace
    start: datetime
    end: datetime
    rows: list = field(default_factory=list)  # dicts of SETTLEMENT_COLUMNS (amount: Decimal)

    @property
    def total(self):
        return sum((row["amount"] for row in self.rows), Decimal(0))

    def add(self, moment, transaction_type, amount_type, description, amount, **values):
        self.rows.append(
            {
                "transaction-type": transaction_type,
                "amount-type": amount_type,
                "amount-description": description,
                "amount": amount.quantize(CENT),
                "marketplace-name": self.marketplace.name,
                "posted": moment,
                **values,
            }
        )

    def text(self, total=None):
        """The report file; ``total`` overrides the header's total (a broken report)."""
        local = self.marketplace.local_format
        header = {
            "settlement-id": self.settlement_id,
            "settlement-start-date": format_date(self.start, local),
            "settlement-end-date": format_date(self.end, local),
            "deposit-date": format_date(self.end + timedelta(days=2), local),
            "total-amount": format_amount(self.total if total is None else total, local),
            "currency": self.marketplace.currency,
        }
        lines = [
            "\t".join(SETTLEMENT_COLUMNS),
            "\t".join(header.get(c, "") for c in SETTLEMENT_COLUMNS),
        ]
        for row in self.rows:
            values = {
                **row,
                "settlement-id": self.settlement_id,
                "amount": format_amount(row["amount"], local),
                "posted-date": format_date(row["posted"], local, with_time=False),
                "posted-date-time": format_date(row["posted"], local),
            }
            lines.append("\t".join(str(values.get(c, "")) for c in SETTLEMENT_COLUMNS))
        return "\n".join(lines) + "\n"


@dataclass
class AmazonWorld:
    orders: list = field(default_factory=list)
    settlements: list = field(default_factory=list)
    created: datetime = DEFAULT_START

    def order(self, order_id):
        return next((o for o in self.orders if o["orderId"] == order_id), None)

    def reports(self):
        """Report objects of the settlements (Reports 2021-06-30), oldest first."""
        return [
            {
                "reportId": f"{5000 + n}",
                "reportType": SETTLEMENT_REPORT_TYPE,
                "marketplaceIds": [s.marketplace.marketplace_id],
                "dataStartTime": iso(s.start),
                "dataEndTime": iso(s.end),
                "createdTime": iso(s.end + timedelta(hours=6)),
                "processingStatus": "DONE",
                "processingStartTime": iso(s.end + timedelta(hours=5)),
                "processingEndTime": iso(s.end + timedelta(hours=6)),
                "reportDocumentId": f"amzn1.spdoc.1.4.{s.settlement_id}",
            }
            for n, s in enumerate(self.settlements)
        ]

    def document(self, document_id):
        """(settlement, gzip?) of a report document id."""
        for settlement in self.settlements:
            if document_id == f"amzn1.spdoc.1.4.{settlement.settlement_id}":
                return settlement, settlement.marketplace.local_format
        return None, False


def _order(marketplace, number, moment, sku_rows, fba, status="SHIPPED", buyer=None):
    items, total = [], Decimal(0)
    for position, (sku, quantity) in enumerate(sku_rows, start=1):
        __, title, asin, price = next(row for row in CATALOG if row[0] == sku)
        base = price * quantity
        tax = (base * marketplace.vat_rate).quantize(CENT)
        shipping = Decimal("0") if fba else Decimal("4.99")
        breakdowns = [{"type": "ITEM", "subtotal": money(base, marketplace.currency)}]
        if shipping:
            breakdowns.append(
                {"type": "SHIPPING", "subtotal": money(shipping, marketplace.currency)}
            )
        breakdowns.append({"type": "TAX", "subtotal": money(tax, marketplace.currency)})
        item = {
            "orderItemId": f"{number:05d}{position:03d}",
            "quantityOrdered": quantity,
            "product": {
                "asin": asin,
                "title": title,
                "sellerSku": sku,
                "price": {"unitPrice": money(price, marketplace.currency)},
            },
            "proceeds": {
                "proceedsTotal": money(base + shipping + tax, marketplace.currency),
                "breakdowns": breakdowns,
            },
            "fulfillment": {
                "quantityFulfilled": quantity if status == "SHIPPED" else 0,
                "quantityUnfulfilled": 0 if status == "SHIPPED" else quantity,
            },
        }
        if marketplace.facilitator_tax:
            item["tax"] = {
                "taxCollections": [
                    {
                        "model": "MARKETPLACE_FACILITATOR",
                        "responsibleParty": "Amazon Services, Inc.",
                    }
                ]
            }
        items.append(item)
        total += base + shipping + tax
    order = {
        "orderId": f"{'111' if marketplace is US else '302'}-{number:07d}-{number * 7919:07d}",
        "createdTime": iso(moment),
        "lastUpdatedTime": iso(moment + timedelta(hours=20)),
        "salesChannel": {
            "channelName": "AMAZON",
            "marketplaceId": marketplace.marketplace_id,
            "marketplaceName": marketplace.name,
        },
        "proceeds": {"grandTotal": money(total, marketplace.currency)},
        "fulfillment": {
            "fulfillmentStatus": status,
            "fulfilledBy": "AMAZON" if fba else "MERCHANT",
            "fulfillmentServiceLevel": "STANDARD",
        },
        "orderItems": items,
    }
    if not fba and buyer:  # FBA orders carry no buyer data for a seller without the role
        order["buyer"] = {"buyerName": buyer[0], "buyerEmail": buyer[1]}
        order["recipient"] = {
            "deliveryAddress": {
                "name": buyer[0],
                "addressLine1": "1 Main Street",
                "city": "Seattle" if marketplace is US else "Berlin",
                "postalCode": "98101" if marketplace is US else "10115",
                "countryCode": "US" if marketplace is US else "DE",
                "addressType": "RESIDENTIAL",
            }
        }
    return order


def _settle_order(settlement, order, fba, moment):
    marketplace = settlement.marketplace
    values = {
        "order-id": order["orderId"],
        "shipment-id": f"S{order['orderId'][-7:]}",
        "fulfillment-id": "AFN" if fba else "MFN",
    }
    for item in order["orderItems"]:
        amounts = {
            b["type"]: Decimal(b["subtotal"]["amount"]) for b in item["proceeds"]["breakdowns"]
        }
        item_values = {
            **values,
            "order-item-code": item["orderItemId"],
            "sku": item["product"]["sellerSku"],
            "quantity-purchased": item["quantityOrdered"],
        }
        settlement.add(moment, "Order", "ItemPrice", "Principal", amounts["ITEM"], **item_values)
        settlement.add(moment, "Order", "ItemPrice", "Tax", amounts["TAX"], **item_values)
        if marketplace.facilitator_tax:
            settlement.add(
                moment,
                "Order",
                "ItemWithheldTax",
                "MarketplaceFacilitatorTax-Principal",
                -amounts["TAX"],
                **item_values,
            )
        if amounts.get("SHIPPING"):
            settlement.add(
                moment, "Order", "ItemPrice", "Shipping", amounts["SHIPPING"], **item_values
            )
        commission = -(amounts["ITEM"] * Decimal("0.15")).quantize(CENT)
        settlement.add(moment, "Order", "ItemFees", "Commission", commission, **item_values)
        if fba:
            settlement.add(
                moment,
                "Order",
                "ItemFees",
                "FBAPerUnitFulfillmentFee",
                Decimal("-3.22") * item["quantityOrdered"],
                **item_values,
            )


def generate_month(seed=16, start=DEFAULT_START, orders_per_marketplace=6):
    """A seeded month: orders on amazon.com and amazon.de and their two settlements."""
    rng = random.Random(seed)
    world = AmazonWorld(created=start)
    number = 1
    for marketplace, settlement_id in ((US, "12345678901"), (DE, "12345678902")):
        settlement = Settlement(settlement_id, marketplace, start, start + timedelta(days=14))
        for n in range(orders_per_marketplace):
            moment = start + timedelta(
                days=n * 2, hours=rng.randint(8, 20), minutes=rng.randint(0, 59)
            )
            fba = n % 2 == 0
            status = "CANCELLED" if n == orders_per_marketplace - 1 else "SHIPPED"
            skus = [
                (CATALOG[(n + k) % len(CATALOG)][0], rng.randint(1, 2)) for k in range(1 + n % 2)
            ]
            if marketplace is DE and n == 1:
                skus = [("AMZ-LAMP", 1)]  # a four-digit amount: 1.234,56 in the report
            buyer = (f"Buyer {number}", f"buyer{number}@marketplace.amazon.example")
            order = _order(marketplace, number, moment, skus, fba, status, buyer)
            world.orders.append(order)
            number += 1
            if status == "SHIPPED":
                _settle_order(settlement, order, fba, moment + timedelta(days=1))
        _settle_extras(settlement, world.orders[-orders_per_marketplace], start)
        world.settlements.append(settlement)
    return world


def _settle_extras(settlement, refunded, start):
    """A refund of the month's first order, and the movements that belong to no order."""
    moment = start + timedelta(days=10)
    item = refunded["orderItems"][0]
    principal = Decimal(item["product"]["price"]["unitPrice"]["amount"])
    values = {
        "order-id": refunded["orderId"],
        "adjustment-id": f"A{refunded['orderId'][-7:]}",
        "sku": item["product"]["sellerSku"],
        "quantity-purchased": 1,
    }
    commission = (principal * Decimal("0.15")).quantize(CENT)
    settlement.add(moment, "Refund", "ItemPrice", "Principal", -principal, **values)
    settlement.add(moment, "Refund", "ItemFees", "Commission", commission, **values)
    settlement.add(
        moment,
        "Refund",
        "ItemFees",
        "RefundCommission",
        -min(commission * Decimal("0.2"), Decimal("5")).quantize(CENT),
        **values,
    )
    settlement.add(
        moment,
        "Order",
        "Promotion",
        "Shipping",
        Decimal("-2.00"),
        **{"order-id": refunded["orderId"], "promotion-id": "PROMO-FREESHIP"},
    )
    settlement.add(
        moment, "ServiceFee", "Cost of Advertising", "TransactionTotalAmount", Decimal("-25.40")
    )
    settlement.add(
        moment, "other-transaction", "other-transaction", "Subscription Fee", Decimal("-39.99")
    )
    settlement.add(
        moment,
        "FBA Inventory Reimbursement",
        "FBA Inventory Reimbursement",
        "REVERSAL_REIMBURSEMENT",
        Decimal("8.75"),
        **{"sku": "AMZ-MUG", "quantity-purchased": 1},
    )
    settlement.add(
        start,
        "other-transaction",
        "other-transaction",
        "Previous Reserve Amount Balance",
        Decimal("50.00"),
    )
    settlement.add(
        moment,
        "other-transaction",
        "other-transaction",
        "Current Reserve Amount",
        Decimal("-60.00"),
    )


# ----------------------------------------------------------------------------------------
# HTTP
# ----------------------------------------------------------------------------------------


def _error(code, message):
    return {"errors": [{"code": code, "message": message, "details": ""}]}


class _Handler(JsonHandler):
    server_version = "amazon-sp-api-sandbox"

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def response_headers(self):
        return {
            "x-amzn-RequestId": f"req-{len(self.sandbox.requests):06d}",
            "x-amzn-RateLimit-Limit": RATE_LIMIT,
        }

    def _handle(self, method):
        sandbox = self.sandbox
        split = urlsplit(self.path)
        path, query = split.path, parse_qs(split.query)
        body = self.read_body()
        sandbox.requests.append((method, path, query, dict(self.headers.items())))
        fault = sandbox._take_fault(path)
        if fault is not None:
            if self.transport_fault(fault):
                return
            if fault.kind == "429":
                self.send_json(
                    429,
                    _error("QuotaExceeded", "You exceeded your quota for the requested resource."),
                    {"x-amzn-RateLimit-Limit": str(fault.retry_after and 1 / fault.retry_after)},
                )
                return
            if fault.kind == "500":
                self.send_json(
                    500,
                    _error(
                        "InternalFailure", "We encountered an internal error. Please try again."
                    ),
                )
                return
            if fault.kind == "503":
                self.send_bytes(
                    503, b"<html><body>Service Unavailable</body></html>", content_type="text/html"
                )
                return
            if fault.kind == "expired_token":
                sandbox.tokens.clear()
        if method == "POST" and path == "/auth/o2/token":
            return self._token(parse_qs(body.decode()))
        if path.startswith("/documents/"):
            return self._document(path.rsplit("/", 1)[-1])
        if method != "GET":
            return self.send_json(
                405, _error("MethodNotAllowed", f"{method} {path} is not supported")
            )
        token = self.headers.get("x-amz-access-token")
        if token not in sandbox.tokens:
            message = (
                "The access token you provided has expired."
                if token in sandbox.issued
                else "Access to requested resource is denied."
            )
            return self.send_json(403, _error("Unauthorized", message))
        route = {
            "/orders/2026-01-01/orders": self._search_orders,
            "/reports/2021-06-30/reports": self._reports,
        }.get(path)
        if route:
            return route(query)
        if path.startswith("/orders/2026-01-01/orders/"):
            order = sandbox.world.order(path.rsplit("/", 1)[-1])
            if order is None:
                return self.send_json(404, _error("NotFound", "The order does not exist."))
            return self.send_json(200, {"order": order})
        if path.startswith("/reports/2021-06-30/documents/"):
            document_id = path.rsplit("/", 1)[-1]
            settlement, compressed = sandbox.world.document(document_id)
            if settlement is None:
                return self.send_json(
                    404, _error("NotFound", "The report document does not exist.")
                )
            body = {
                "reportDocumentId": document_id,
                "url": f"{sandbox.url}/documents/{document_id}",
            }
            if compressed:
                body["compressionAlgorithm"] = "GZIP"
            return self.send_json(200, body)
        return self.send_json(404, _error("NotFound", f"{path} is not a sandbox resource"))

    def _token(self, form):
        sandbox = self.sandbox

        def one(key):
            return (form.get(key) or [""])[0]

        if (one("client_id"), one("client_secret")) != (sandbox.client_id, sandbox.client_secret):
            return self.send_json(
                401,
                {"error": "invalid_client", "error_description": "Client authentication failed"},
            )
        if one("grant_type") != "refresh_token" or one("refresh_token") != sandbox.refresh_token:
            return self.send_json(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "The request has an invalid grant parameter",
                },
            )
        token = f"Atza|omni-{len(sandbox.issued) + 1}"
        sandbox.issued.append(token)
        sandbox.tokens.add(token)
        return self.send_json(
            200,
            {
                "access_token": token,
                "refresh_token": sandbox.refresh_token,
                "token_type": "bearer",
                "expires_in": 3600,
            },
        )

    def _search_orders(self, query):
        world, sandbox = self.sandbox.world, self.sandbox

        def one(key):
            return (query.get(key) or [""])[0]

        since, token = one("lastUpdatedAfter"), one("paginationToken")
        if not (since or one("createdAfter")):
            return self.send_json(
                400,
                _error("InvalidInput", "Either createdAfter or lastUpdatedAfter must be given."),
            )
        marketplaces = set(",".join(query.get("marketplaceIds") or []).split(",")) - {""}
        orders = sorted(
            (
                o
                for o in world.orders
                if o["lastUpdatedTime"] >= (since or "")
                and (not marketplaces or o["salesChannel"]["marketplaceId"] in marketplaces)
            ),
            key=lambda o: (o["lastUpdatedTime"], o["orderId"]),
        )
        offset = int(base64.b64decode(token).decode()) if token else 0
        size = min(int(one("maxResultsPerPage") or 100), 100, sandbox.page_size)
        body = {"orders": orders[offset : offset + size]}
        if offset + size < len(orders):
            body["pagination"] = {
                "nextToken": base64.b64encode(str(offset + size).encode()).decode()
            }
        return self.send_json(200, body)

    def _reports(self, query):
        def one(key):
            return (query.get(key) or [""])[0]

        reports = self.sandbox.world.reports()
        token = one("nextToken")
        if not token:
            types = set(",".join(query.get("reportTypes") or []).split(",")) - {""}
            if not types:
                return self.send_json(
                    400, _error("InvalidInput", "reportTypes is required without nextToken.")
                )
            reports = [
                r
                for r in reports
                if r["reportType"] in types and r["createdTime"] >= one("createdSince")
            ]
        offset = int(token) if token else 0
        body = {"reports": reports[offset : offset + self.sandbox.page_size]}
        if offset + self.sandbox.page_size < len(reports):
            body["nextToken"] = str(offset + self.sandbox.page_size)
        return self.send_json(200, body)

    def _document(self, document_id):
        settlement, compressed = self.sandbox.world.document(document_id)
        if settlement is None:
            return self.send_bytes(404, b"NoSuchKey", content_type="text/plain")
        data = self.sandbox.document_text(settlement).encode()
        self.send_bytes(
            200,
            gzip.compress(data, mtime=0) if compressed else data,
            content_type="text/tab-separated-values; charset=UTF-8",
        )


class AmazonSandbox(Sandbox):
    handler_class = _Handler
    name = "amazon-sandbox"
    fault_kinds = ("429", "500", "503", "timeout", "drop", "expired_token")

    def __init__(self, world=None, page_size=100):
        super().__init__()
        self.world = world or generate_month()
        self.page_size = page_size
        self.client_id, self.client_secret, self.refresh_token = (
            CLIENT_ID,
            CLIENT_SECRET,
            REFRESH_TOKEN,
        )
        self.issued = []  # every access token handed out
        self.tokens = set()  # the ones still valid
        self.broken_totals = {}  # settlement id -> total written in its header instead

    def document_text(self, settlement):
        return settlement.text(total=self.broken_totals.get(settlement.settlement_id))

    def request_paths(self, prefix=""):
        return [path for __, path, *__ in self.requests if path.startswith(prefix)]
