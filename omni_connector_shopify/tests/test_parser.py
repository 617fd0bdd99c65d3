"""The same order gives the same canonical order through a webhook (REST JSON) and through the
GraphQL pull; Shopify's documented webhook samples parse to what they say."""

import dataclasses
import json
import unittest
from datetime import datetime, timezone
from decimal import Decimal

from omni_sandboxes.refdata import REFDATA_HINT, refdata_path

from odoo.tests import BaseCase, tagged

from odoo.addons.omni_connector_base.tools import canonical
from odoo.addons.omni_connector_base.tools.errors import PayloadError

from ..tools import queries
from ..tools.parser import (
    parse_order_graphql,
    parse_order_rest,
    parse_refund_rest,
    parse_transaction_graphql,
    parse_transaction_rest,
)
from ..tools.parser_returns import (
    order_return_status,
    parse_return_graphql,
    return_gid_of_webhook,
)
from .common import ShopifyCase

SAMPLES = ("shopify", "webhook-samples-2025-10")


def with_transactions(order, rest):
    """A REST order completed by its transactions, as their own webhooks bring them: what the
    GraphQL node of the order holds."""
    payments = tuple(parse_transaction_rest(txn) for txn in rest["transactions_rest"])
    return dataclasses.replace(order, payments=payments)


def load_sample(topic):
    path = refdata_path(*SAMPLES, f"{topic.replace('/', '__')}.json")
    if not path.is_file():
        raise unittest.SkipTest(f"{path.name} absent. {REFDATA_HINT}")
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


@tagged("post_install", "-at_install")
class TestParserEquivalence(ShopifyCase):
    def pull_nodes(self):
        adapter = self.backend._shopify_adapter()
        nodes, cursor = [], None
        while True:
            page = adapter.execute(queries.ORDERS_QUERY, {"first": 2, "after": cursor})["orders"]
            nodes += page["nodes"]
            if not page["pageInfo"]["hasNextPage"]:
                return nodes
            cursor = page["pageInfo"]["endCursor"]

    def test_webhook_and_graphql_give_the_same_canonical_order(self):
        nodes = self.pull_nodes()
        self.assertEqual(len(nodes), len(self.world.orders))
        for node in nodes:
            rest = self.world.order_rest(self.world.order_by_gid[node["id"]])
            from_graphql, from_rest = parse_order_graphql(node), parse_order_rest(rest)
            self.assertEqual(from_graphql, with_transactions(from_rest, rest), node["name"])
        refunded = [parse_order_graphql(n) for n in nodes if n["refunds"]]
        self.assertTrue(refunded)
        self.assertTrue(all(o.refunds[0].lines for o in refunded))
        multi = [parse_order_graphql(n) for n in nodes if n["presentmentCurrencyCode"] != "EUR"]
        self.assertTrue(multi)
        for order in multi:
            self.assertNotEqual(order.presentment_currency, order.currency)
            self.assertIsInstance(order.amount_total_presentment, Decimal)

    def test_tips_and_duties_are_lines_of_their_own(self):
        node = self.pull_nodes()[0]
        rest = self.world.order_rest(self.world.order_by_gid[node["id"]])
        shop, pres = node["currencyCode"], node["presentmentCurrencyCode"]

        def bag(amount, amount_pres):
            return {
                "shopMoney": {"amount": amount, "currencyCode": shop},
                "presentmentMoney": {"amount": amount_pres, "currencyCode": pres},
            }

        # both are in the order's total
        total = Decimal(node["totalPriceSet"]["shopMoney"]["amount"]) + Decimal("5.60")
        total_pres = Decimal(node["totalPriceSet"]["presentmentMoney"]["amount"]) + Decimal("6.15")
        node = dict(
            node,
            totalTipReceivedSet=bag("2.50", "2.75"),
            originalTotalDutiesSet=bag("3.10", "3.40"),
            totalPriceSet=bag(str(total), str(total_pres)),
        )
        rest = dict(
            rest,
            total_tip_received="2.50",
            original_total_duties_set={
                "shop_money": {"amount": "3.10", "currency_code": shop},
                "presentment_money": {"amount": "3.40", "currency_code": pres},
            },
            total_price=str(total),
            total_price_set={
                "shop_money": {"amount": str(total), "currency_code": shop},
                "presentment_money": {"amount": str(total_pres), "currency_code": pres},
            },
        )
        from_graphql, from_rest = parse_order_graphql(node), parse_order_rest(rest)
        self.assertEqual(from_graphql, with_transactions(from_rest, rest))
        extra = {line.line_type: line for line in from_rest.lines if line.line_type != "product"}
        self.assertEqual(extra["tip"].price_unit, Decimal("2.50"))
        self.assertIsNone(extra["tip"].price_unit_presentment)
        self.assertEqual(
            (extra["duty"].price_unit, extra["duty"].price_unit_presentment),
            (Decimal("3.10"), Decimal("3.40")),
        )
        self.assertEqual(extra["tip"].taxes + extra["duty"].taxes, ())
        # none when there is none (the documented sample: total_tip_received "0.00")
        sample = parse_order_rest(load_sample("orders/create"))
        self.assertFalse([line for line in sample.lines if line.line_type in ("tip", "duty")])

    def test_truncated_connections_are_refused(self):
        node = self.pull_nodes()[0]
        node["lineItems"]["pageInfo"]["hasNextPage"] = True
        with self.assertRaisesRegex(PayloadError, "line items: more items than one page"):
            parse_order_graphql(node)

    def test_transactions_both_ways(self):
        order = self.world.orders[4]  # refunded: a sale and a refund
        for index, txn in enumerate(order["transactions"]):
            rest = self.world.transaction_rest(order, index)
            a = parse_transaction_rest(rest)
            b = parse_transaction_graphql(txn, str(rest["order_id"]))
            self.assertEqual(a, b)
            self.assertTrue(a.processor_reference.startswith("ch_"), a.processor_reference)
        sale, refund = (parse_transaction_graphql(t, "1") for t in order["transactions"])
        self.assertEqual((sale.payment_type, refund.payment_type), ("charge", "refund"))
        # presentment money, a refund negative
        paid, refunded = (
            Decimal(t["amountSet"]["presentmentMoney"]["amount"]) for t in order["transactions"]
        )
        self.assertEqual((sale.amount, refund.amount), (paid, -refunded))
        self.assertGreater(paid, 0)
        self.assertGreater(refunded, 0)
        self.assertEqual(sale.processor, "stripe")


@tagged("post_install", "-at_install")
class TestDocumentedSamples(ShopifyCase):
    def test_orders_samples(self):
        for topic in (
            "orders/create",
            "orders/updated",
            "orders/paid",
            "orders/cancelled",
            "orders/fulfilled",
            "orders/partially_fulfilled",
        ):
            data = load_sample(topic)
            order = parse_order_rest(data)
            self.assertEqual(order.external_id, "820982911946154508", topic)
            self.assertEqual(order.name, "#9999")
            self.assertEqual(order.currency, "USD")
            self.assertEqual(order.amount_total, Decimal("359.97"))
            self.assertEqual(order.amount_discount, Decimal("20.00"))
            self.assertEqual(order.updated_at, datetime(2022, 1, 1, 0, 0, tzinfo=timezone.utc))
            self.assertEqual(order.financial_status, data["financial_status"])
            self.assertEqual(order.fulfillment_status, data["fulfillment_status"] or "unfulfilled")
            self.assertEqual(order.cancel_reason, "customer")
            self.assertEqual(order.customer.external_id, "115310627314723954")
            self.assertEqual(order.customer.email, "john@example.com")
            items = [line for line in order.lines if line.line_type == "product"]
            self.assertEqual(len(items), len(data["line_items"]))
            self.assertEqual(items[0].external_id, "487817672276298554")
            self.assertEqual(items[0].price_unit, Decimal("89.99"))
            self.assertEqual(items[0].sku, "SKU2006-001")
            for line in order.lines:
                self.assertIsInstance(line.price_unit, Decimal)
            shipping = [line for line in order.lines if line.line_type == "shipping"]
            self.assertEqual(len(shipping), len(data["shipping_lines"]))

    def test_refund_sample(self):
        data = load_sample("refunds/create")
        refund = parse_refund_rest(data)
        self.assertEqual(refund.external_id, "890088186047892319")
        self.assertEqual(refund.currency, "USD")
        self.assertEqual(refund.lines[0].order_line_external_id, "487817672276298554")
        self.assertEqual(refund.lines[0].quantity, Decimal(1))
        self.assertFalse(refund.lines[0].restock)
        expected = sum(
            Decimal(item["subtotal_set"]["shop_money"]["amount"])
            + Decimal(item["total_tax_set"]["shop_money"]["amount"])
            for item in data["refund_line_items"]
        )
        self.assertEqual(
            refund.amount, expected + refund.shipping_amount + refund.adjustment_amount
        )
        self.assertEqual(refund.note, "Things were damaged")

    def test_transaction_sample(self):
        data = load_sample("order_transactions/create")
        payment = parse_transaction_rest(data)
        self.assertEqual(payment.external_id, "120560818172775265")
        self.assertEqual((payment.amount, payment.currency), (Decimal("374.97"), "USD"))
        self.assertEqual((payment.processor, payment.status), ("visa", "success"))
        self.assertEqual(payment.payment_type, "other")  # an authorization moves no money
        stripe = dict(data, kind="sale", gateway="stripe", authorization="ch_3Nomni", receipt={})
        self.assertEqual(parse_transaction_rest(stripe).processor_reference, "ch_3Nomni")
        stripe["receipt"] = {"charge": {"id": "ch_fromreceipt"}}
        self.assertEqual(parse_transaction_rest(stripe).processor_reference, "ch_fromreceipt")

    def test_money_must_be_strings(self):
        data = load_sample("orders/create")
        data = dict(
            data, total_price_set={"shop_money": {"amount": 359.97, "currency_code": "USD"}}
        )
        with self.assertRaises(PayloadError):
            parse_order_rest(data)


def _bag(amount):
    return {
        "shopMoney": {"amount": amount, "currencyCode": "EUR"},
        "presentmentMoney": {"amount": amount, "currencyCode": "EUR"},
    }


RETURN_NODE = {
    "id": "gid://shopify/Return/9",
    "name": "#1001-R1",
    "status": "CLOSED",
    "createdAt": "2026-01-02T10:00:00Z",
    "closedAt": "2026-01-03T10:00:00Z",
    "order": {"id": "gid://shopify/Order/5"},
    "returnLineItems": {
        "nodes": [
            {
                "id": "gid://shopify/ReturnLineItem/1",
                "quantity": 2,
                "processedQuantity": 1,
                "returnReasonNote": "too small",
                "returnReasonDefinition": {"name": "Size too small"},
                "fulfillmentLineItem": {"lineItem": {"id": "gid://shopify/LineItem/77"}},
            }
        ]
    },
    "exchangeLineItems": {
        "nodes": [
            {
                "id": "gid://shopify/ExchangeLineItem/3",
                "quantity": 1,
                "lineItems": [
                    {
                        "id": "gid://shopify/LineItem/88",
                        "name": "Shirt L",
                        "sku": "SH-L",
                        "quantity": 1,
                        "variant": {"id": "gid://shopify/ProductVariant/4"},
                        "originalUnitPriceSet": _bag("20.00"),
                        "discountAllocations": [],
                        "taxLines": [{"title": "VAT", "rate": 0.2, "priceSet": _bag("4.00")}],
                    }
                ],
            }
        ]
    },
    "refunds": {"nodes": [{"id": "gid://shopify/Refund/12"}]},
}


@tagged("post_install", "-at_install")
class TestReturnParser(BaseCase):
    def test_return_with_exchange_item(self):
        ret = parse_return_graphql(RETURN_NODE)
        self.assertEqual((ret.external_id, ret.order_external_id, ret.status), ("9", "5", "CLOSED"))
        (line,) = ret.lines
        self.assertEqual(line.order_line_external_id, "77")
        self.assertEqual((line.quantity, line.processed_quantity), (Decimal(2), Decimal(1)))
        self.assertEqual((line.reason, line.note), ("Size too small", "too small"))
        (item,) = ret.exchange_lines
        self.assertEqual(
            (item.external_id, item.sku, item.price_unit), ("88", "SH-L", Decimal("20.00"))
        )
        self.assertEqual(item.taxes[0].amount, Decimal("4.00"))
        self.assertEqual(ret.refund_external_ids, ("12",))
        self.assertEqual(ret.closed_at, datetime(2026, 1, 3, 10, tzinfo=timezone.utc))
        self.assertEqual(parse_return_graphql(RETURN_NODE, order_id="5"), ret)

    def test_hostile_returns_are_payload_errors(self):
        line = RETURN_NODE["returnLineItems"]["nodes"][0]
        exchange = RETURN_NODE["exchangeLineItems"]["nodes"][0]

        def with_line(**changes):
            return dict(RETURN_NODE, returnLineItems={"nodes": [dict(line, **changes)]})

        for bad, message in (
            (None, "expected a JSON object"),
            ([RETURN_NODE], "expected a JSON object"),
            ({}, "missing 'id'"),
            ({"id": "gid://shopify/Return/1", "status": "OPEN"}, "missing 'order'"),
            (dict(RETURN_NODE, order={}), "order: missing 'id'"),
            (dict(RETURN_NODE, status=None), "missing 'status'"),
            (with_line(processedQuantity=3), "processed quantity 3 of 2"),
            (with_line(quantity=-1, processedQuantity=0), "not possible"),
            (with_line(quantity="two"), "quantity"),
            (with_line(processedQuantity="1e400x"), "processed quantity"),
            (with_line(quantity=None), "missing 'quantity'"),
            (with_line(id=None), "missing 'id'"),
            (with_line(fulfillmentLineItem={}), "missing 'lineItem'"),
            (with_line(fulfillmentLineItem={"lineItem": {"sku": "X"}}), "missing 'id'"),
            (with_line(fulfillmentLineItem="77"), "missing 'lineItem'"),
            (with_line(returnReasonDefinition="Too small"), "return reason"),
            (dict(RETURN_NODE, returnLineItems="lines"), "expected a connection"),
            (
                dict(
                    RETURN_NODE,
                    returnLineItems={"pageInfo": {"hasNextPage": True}, "nodes": [line]},
                ),
                "more items than one page",
            ),
            (dict(RETURN_NODE, returnLineItems={"nodes": ["x"]}), "missing 'id'"),
            (dict(RETURN_NODE, exchangeLineItems={"nodes": [5]}), "list of line items"),
            (
                dict(
                    RETURN_NODE,
                    exchangeLineItems={
                        "nodes": [dict(exchange, lineItems={"id": "gid://shopify/LineItem/1"})]
                    },
                ),
                "list of line items",
            ),
            (
                dict(RETURN_NODE, exchangeLineItems={"nodes": [{"lineItems": ["x"]}]}),
                "must be a JSON object",
            ),
            (
                dict(
                    RETURN_NODE,
                    exchangeLineItems={
                        "nodes": [
                            dict(
                                exchange, lineItems=[dict(exchange["lineItems"][0], quantity=None)]
                            )
                        ]
                    },
                ),
                "missing 'quantity'",
            ),
            (dict(RETURN_NODE, refunds={"nodes": [{}]}), "refund: missing 'id'"),
            (dict(RETURN_NODE, createdAt="yesterday"), "createdAt"),
        ):
            with self.assertRaisesRegex(PayloadError, message, msg=repr(bad)[:120]):
                parse_return_graphql(bad)

    def test_return_without_exchange_or_refund(self):
        node = dict(
            RETURN_NODE,
            status="requested",
            closedAt=None,
            exchangeLineItems=None,
            refunds={"nodes": []},
            order=None,
        )
        node["returnLineItems"] = {
            "nodes": [
                dict(
                    RETURN_NODE["returnLineItems"]["nodes"][0],
                    processedQuantity=None,
                    returnReasonDefinition=None,
                    returnReasonNote="",
                    customerNote="Wrong colour",
                )
            ]
        }
        ret = parse_return_graphql(node, order_id="gid://shopify/Order/5")
        self.assertEqual((ret.order_external_id, ret.status), ("5", "REQUESTED"))
        (line,) = ret.lines
        self.assertEqual(
            (line.processed_quantity, line.reason, line.note), (Decimal(0), "", "Wrong colour")
        )
        self.assertEqual(
            (ret.exchange_lines, ret.refund_external_ids, ret.closed_at), ((), (), None)
        )

    def test_return_status_and_webhook_id(self):
        self.assertEqual(order_return_status({"returnStatus": "NO_RETURN"}), "")
        self.assertEqual(order_return_status({"returnStatus": "RETURNED"}), "RETURNED")
        self.assertEqual(order_return_status({"returns": []}), "")
        self.assertTrue(order_return_status({"returns": [{"id": 1}]}))
        self.assertEqual(return_gid_of_webhook({"id": 7}), "gid://shopify/Return/7")
        for bad in (
            {"status": "requested"},
            None,
            "gid://shopify/Return/7",
            {"admin_graphql_api_id": "gid://shopify/Order/7"},
            {"id": "7) { id } order(id: 1"},
            {"admin_graphql_api_id": 7},
        ):
            with self.assertRaises(PayloadError, msg=repr(bad)):
                return_gid_of_webhook(bad)
        self.assertEqual(order_return_status(None), "")
        self.assertEqual(order_return_status({"returnStatus": None}), "")
        sample = load_sample("returns/request")
        self.assertEqual(return_gid_of_webhook(sample), sample["admin_graphql_api_id"])

    def test_refund_names_the_return_it_settles(self):
        self.assertEqual(parse_refund_rest(load_sample("refunds/create")).return_external_id, "")
        rest = dict(
            load_sample("refunds/create"),
            **{"return": {"id": 9, "admin_graphql_api_id": "gid://shopify/Return/9"}},
        )
        self.assertEqual(parse_refund_rest(rest).return_external_id, "9")
        with self.assertRaises(PayloadError):
            parse_refund_rest(dict(rest, **{"return": "9"}))


def _tail(gid):
    return gid.rsplit("/", 1)[-1]


def _money(bag):
    return Decimal(bag["shopMoney"]["amount"]), Decimal(bag["presentmentMoney"]["amount"])


def expected_return(ret):
    """The canonical return a sandbox return stands for, written from the shop's records."""
    exchange_lines = []
    for exchange in ret["exchangeLineItems"]:
        for item in exchange["lineItems"]:
            price, price_pres = _money(item["originalUnitPriceSet"])
            exchange_lines.append(
                canonical.OrderLine(
                    external_id=_tail(item["id"]),
                    name=item["name"],
                    quantity=Decimal(item["quantity"]),
                    price_unit=price,
                    price_unit_presentment=price_pres,
                    sku=item["sku"],
                    product_external_id=_tail(item["variant"]["id"]),
                    taxes=tuple(
                        canonical.TaxLine(
                            tax["title"], Decimal(str(tax["rate"])), *_money(tax["priceSet"])
                        )
                        for tax in item["taxLines"]
                    ),
                )
            )
    return canonical.Return(
        external_id=_tail(ret["id"]),
        order_external_id=_tail(ret["order"]["id"]),
        name=ret["name"],
        status=ret["status"],
        lines=tuple(
            canonical.ReturnLine(
                external_id=_tail(item["id"]),
                order_line_external_id=_tail(item["fulfillmentLineItem"]["lineItem"]["id"]),
                quantity=Decimal(item["quantity"]),
                processed_quantity=Decimal(item["processedQuantity"]),
                reason=item["returnReasonDefinition"]["name"],
                note=item["returnReasonNote"] or "",
            )
            for item in ret["returnLineItems"]
        ),
        exchange_lines=tuple(exchange_lines),
        refund_external_ids=tuple(_tail(refund["id"]) for refund in ret["refunds"]),
        created_at=datetime.fromisoformat(ret["createdAt"].replace("Z", "+00:00")),
        closed_at=ret["closedAt"]
        and datetime.fromisoformat(ret["closedAt"].replace("Z", "+00:00")),
    )


@tagged("post_install", "-at_install")
class TestParserEquivalenceWithReturns(TestParserEquivalence):
    """A shop with returns of every kind: the same orders both ways (a refund names the return
    it settles in both shapes), and the connector's return documents parse to the returns."""

    shop_kwargs = {"with_returns": True}

    def test_refunds_name_their_return_both_ways(self):
        by_id = {node["id"]: node for node in self.pull_nodes()}
        kinds = sorted(ret["_kind"] for ret in self.world.returns)
        self.assertEqual(kinds, ["declined", "exchange", "refunded", "requested"])
        for ret in self.world.returns:
            node = by_id[ret["order"]["id"]]
            rest = self.world.order_rest(ret["order"])
            from_graphql, from_rest = parse_order_graphql(node), parse_order_rest(rest)
            self.assertEqual(from_graphql, with_transactions(from_rest, rest))
            settling = [r.external_id for r in from_graphql.refunds if r.return_external_id]
            self.assertEqual(settling, [_tail(r["id"]) for r in ret["refunds"]])
            for refund in from_graphql.refunds:
                self.assertIn(refund.return_external_id, ("", _tail(ret["id"])))
            self.assertEqual(bool(order_return_status(node)), ret["_kind"] != "declined")
            self.assertTrue(order_return_status(rest))
            # a refunds/create webhook of the refund alone names the return too
            alone = [parse_refund_rest(refund, str(rest["id"])) for refund in rest["refunds"]]
            self.assertEqual(
                [r.return_external_id for r in alone],
                [r.return_external_id for r in from_rest.refunds],
            )
            self.assertEqual(
                [r.return_external_id for r in alone],
                [_tail(ret["id"])] if ret["_kind"] == "refunded" else [],
            )
        plain = [n for gid, n in by_id.items() if not self.world.order_by_gid[gid]["returns"]]
        self.assertTrue(plain)
        self.assertFalse([n for n in plain if order_return_status(n)])

    def test_every_kind_of_return_parses_from_both_queries(self):
        adapter = self.backend._shopify_adapter()
        for ret in self.world.returns:
            expected = expected_return(ret)
            data = adapter.execute(queries.ORDER_RETURNS_QUERY, {"id": ret["order"]["id"]})
            (node,) = data["order"]["returns"]["nodes"]
            from_order = parse_return_graphql(node, order_id=data["order"]["id"])
            one = adapter.execute(queries.RETURN_QUERY, {"id": ret["id"]})["return"]
            from_return = parse_return_graphql(one)
            self.assertEqual(from_order, expected, ret["_kind"])
            self.assertEqual(from_return, expected, ret["_kind"])
            processed = Decimal(1 if ret["_kind"] in ("refunded", "exchange") else 0)
            self.assertEqual([line.processed_quantity for line in expected.lines], [processed])
            self.assertEqual(bool(expected.exchange_lines), ret["_kind"] == "exchange")
            self.assertEqual(bool(expected.refund_external_ids), ret["_kind"] == "refunded")
        # the exchange item reads like an order line: same reader, same taxes
        exchange = next(r for r in self.world.returns if r["_kind"] == "exchange")
        (item,) = expected_return(exchange).exchange_lines
        (order,) = (
            parse_order_graphql(node)
            for node in self.pull_nodes()
            if node["id"] == exchange["order"]["id"]
        )
        first = order.lines[0]
        self.assertNotIn(item.external_id, {line.external_id for line in order.lines})
        self.assertEqual(
            (item.price_unit, item.taxes[0].rate), (first.price_unit, first.taxes[0].rate)
        )
        self.assertEqual(
            item.taxes[0].amount, (item.price_unit * item.taxes[0].rate).quantize(Decimal("0.01"))
        )
