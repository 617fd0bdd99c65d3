"""Shopify returns end to end through the sandbox: the pull imports each order's returns after
the order (goods follow returns: processed units come back through a validated return receipt,
once; exchange items become sale lines that Odoo delivers; money follows refunds: the refund
settling a return books its credit note only), returns/* webhooks read the return again, a
return waits for its order a few attempts, and a return naming a line its order does not have
fails alone, visibly, writing nothing."""

import copy
import json
from decimal import Decimal

from omni_sandboxes.shopify_sandbox import webhook_headers

from odoo.tests import HttpCase, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import SECRET, ShopifyCase


def tail(gid):
    return gid.rsplit("/", 1)[-1]


class ReturnsCase(ShopifyCase):
    shop_kwargs = {"with_returns": True}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        kinds = [ret["_kind"] for ret in cls.world.returns]
        assert sorted(kinds) == ["declined", "exchange", "refunded", "requested"], kinds
        cls.by_kind = {ret["_kind"]: ret for ret in cls.world.returns}

    def pull(self):
        """The pull job, then the jobs it enqueues as queue_job would run them: the orders'
        processing, then the jobs importing their returns (one event each, enqueued by the
        order's processing)."""
        with trap_jobs() as trap:
            self.backend._shopify_pull_orders()
            for __ in range(5):
                if not trap.enqueued_jobs:
                    break
                trap.perform_enqueued_jobs()

    def returns(self):
        return self.env["omni.return"].search([("backend_id", "=", self.backend.id)])

    def return_of(self, kind):
        return self.returns().filtered(lambda r: r.external_id == tail(self.by_kind[kind]["id"]))

    def order_of(self, kind):
        return self.env["omni.order"]._find(self.backend, tail(self.by_kind[kind]["order"]["id"]))

    def receipts(self, sale_orders=None):
        sale_orders = sale_orders if sale_orders is not None else self.sale_orders()
        return sale_orders.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")


@tagged("post_install", "-at_install")
class TestReturnsPull(ReturnsCase):
    def test_pull_imports_the_returns_exactly(self):
        self.pull()
        failed = self.events().filtered(lambda e: e.state != "done")
        self.assertFalse(failed, failed.mapped("error_message"))
        # The declined request leaves its order without return status: the pull does not
        # read it (its returns/decline webhook does, see TestReturnWebhooks).
        pulled = [ret for kind, ret in self.by_kind.items() if kind != "declined"]
        self.assertEqual(
            sorted(self.returns().mapped("external_id")), sorted(tail(r["id"]) for r in pulled)
        )
        for ret in pulled:
            record = self.return_of(ret["_kind"])
            self.assertEqual(record.state, ret["status"].lower(), ret["_kind"])
            self.assertEqual(record.channel_status, ret["status"])
            self.assertEqual(record.name, ret["name"])
            self.assertEqual(record.omni_order_id, self.order_of(ret["_kind"]))
            self.assertEqual(record.sale_order_id, record.omni_order_id.sale_order_id)
            (item,) = ret["returnLineItems"]
            line = record.line_ids
            self.assertEqual(len(line), 1)
            self.assertEqual(line.external_id, tail(item["id"]))
            self.assertEqual(
                line.order_line_id.external_id, tail(item["fulfillmentLineItem"]["lineItem"]["id"])
            )
            self.assertEqual(
                line.product_id.default_code, item["fulfillmentLineItem"]["lineItem"]["sku"]
            )
            self.assertEqual(
                (line.quantity, line.quantity_processed, line.quantity_restocked),
                (item["quantity"], item["processedQuantity"], item["processedQuantity"]),
            )
            self.assertEqual(line.reason, item["returnReasonDefinition"]["name"])
            receipts = self.receipts(record.sale_order_id)
            self.assertEqual(receipts, record.picking_ids, ret["_kind"])
            if ret["status"] == "CLOSED":
                self.assertEqual(receipts.state, "done")
                self.assertEqual(receipts.move_ids.product_id, line.product_id)
                self.assertEqual(receipts.move_ids.quantity, item["processedQuantity"])
                self.assertEqual(
                    set(receipts.move_ids.mapped("omni_external_ref")), {record.external_id}
                )
            else:
                self.assertFalse(receipts, "nothing received, nothing taken back")
            self.assertFalse(record.sync_note)
        events = self.events(topic="returns/graphql")
        self.assertEqual(len(events), len(pulled))
        self.assertEqual(events.omni_order_id, self.returns().omni_order_id)

    def test_refund_of_a_return_books_its_credit_note_only(self):
        self.pull()
        record = self.return_of("refunded")
        (refund,) = self.by_kind["refunded"]["refunds"]
        self.assertEqual(record.refund_external_ids, tail(refund["id"]))
        credit_note = record.credit_note_ids
        self.assertEqual((credit_note.state, credit_note.move_type), ("posted", "out_refund"))
        self.assertEqual(credit_note.omni_external_ref, tail(refund["id"]))
        self.assertEqual(
            Decimal(str(credit_note.amount_total)).quantize(Decimal("0.01")),
            Decimal(refund["totalRefundedSet"]["shopMoney"]["amount"]),
        )
        self.assertIn(credit_note, record.omni_order_id.credit_note_ids)
        # the refund restocked (restockType RETURN) but the return took the unit back: once
        self.assertEqual(len(self.receipts(record.sale_order_id)), 1)
        self.assertEqual(self.receipts(record.sale_order_id).move_ids.quantity, 1)

    def test_exchange_item_is_a_new_sale_line_with_its_delivery(self):
        self.pull()
        ret = self.by_kind["exchange"]
        (item,) = ret["exchangeLineItems"][0]["lineItems"]
        record = self.return_of("exchange")
        omni_line = record.exchange_line_ids
        self.assertEqual(len(omni_line), 1)
        self.assertEqual(omni_line.external_id, tail(item["id"]))
        self.assertEqual(omni_line.order_id, record.omni_order_id)
        sale_line = omni_line.sale_line_id
        sale_order = record.sale_order_id
        self.assertEqual(sale_line.order_id, sale_order)
        self.assertEqual(sale_line.product_id.default_code, item["sku"])
        unit = Decimal(item["originalUnitPriceSet"]["shopMoney"]["amount"])
        tax = Decimal(item["taxLines"][0]["priceSet"]["shopMoney"]["amount"])
        self.assertEqual(Decimal(str(sale_line.price_unit)).quantize(Decimal("0.01")), unit)
        self.assertEqual(sale_line.tax_id, self.vat20)
        self.assertEqual(Decimal(str(sale_line.price_total)).quantize(Decimal("0.01")), unit + tax)
        # an exchange swaps goods within the order: the returned unit leaves its sale line,
        # the exchange item (same price here) joins, and the total stays the channel's
        order = self.world.order_by_gid[ret["order"]["id"]]
        (returned,) = record.line_ids
        self.assertEqual(returned.quantity_exchanged, 1)
        source = next(
            line
            for line in order["lineItems"]
            if tail(line["id"]) == returned.order_line_id.external_id
        )
        self.assertEqual(returned.sale_line_id.product_uom_qty, source["quantity"] - 1)
        self.assertEqual(returned.sale_line_id.qty_delivered, source["quantity"] - 1)
        self.assertEqual(
            Decimal(str(sale_order.amount_total)).quantize(Decimal("0.01")),
            Decimal(order["totalPriceSet"]["shopMoney"]["amount"]),
        )
        delivery = sale_line.move_ids.picking_id
        self.assertEqual(delivery.picking_type_code, "outgoing")
        self.assertNotEqual(delivery.state, "done")
        self.assertEqual(sale_line.move_ids.product_uom_qty, 1)
        # the exchanged unit came back (processed 1), no refund: no credit note
        self.assertEqual(len(record.picking_ids), 1)
        self.assertFalse(record.credit_note_ids)
        self.assertFalse(record.refund_external_ids)

    def counts(self):
        sale_orders = self.sale_orders()
        return {
            "returns": len(self.returns()),
            "return lines": len(self.returns().line_ids),
            "restocked": sum(self.returns().line_ids.mapped("quantity_restocked")),
            "exchanged": sum(self.returns().line_ids.mapped("quantity_exchanged")),
            "ordered": sum(sale_orders.order_line.mapped("product_uom_qty")),
            "pickings": len(sale_orders.picking_ids),
            "receipt moves": len(self.receipts(sale_orders).move_ids),
            "sale lines": len(sale_orders.order_line),
            "omni lines": self.env["omni.order.line"].search_count(
                [("order_id.backend_id", "=", self.backend.id)]
            ),
            "credit notes": self.env["account.move"].search_count(
                [("omni_backend_id", "=", self.backend.id)]
            ),
        }

    def test_replaying_the_sync_changes_nothing(self):
        self.pull()
        before = self.counts()
        self.assertEqual(before["returns"], 3)
        self.assertEqual(before["restocked"], 2)
        self.backend._stream("orders").watermark = False  # the whole shop again
        self.pull()
        self.assertEqual(self.counts(), before)
        for __ in range(2):
            self.events().sudo().write({"state": "received"})
            with trap_jobs():
                self.events(state="received")._process_job()
            self.assertEqual(self.counts(), before)
        self.assertFalse(
            self.events().filtered(lambda e: e.state != "done"),
            self.events().mapped("error_message"),
        )

    def test_return_naming_a_line_the_order_lacks_fails_alone(self):
        ret = self.by_kind["exchange"]
        item = ret["returnLineItems"][0]
        original = item["fulfillmentLineItem"]
        self.addCleanup(item.__setitem__, "fulfillmentLineItem", original)
        item["fulfillmentLineItem"] = {
            **copy.copy(original),
            "lineItem": {**original["lineItem"], "id": "gid://shopify/LineItem/424242"},
        }
        self.pull()
        failed = self.events().filtered(lambda e: e.state != "done")
        self.assertEqual(failed.mapped("topic"), ["returns/graphql"])
        self.assertEqual((failed.state, failed.error_class), ("failed", "mapping"))
        self.assertIn("424242", failed.error_message)
        self.assertIn(ret["name"], failed.error_message)
        # its order is imported; of the return nothing is: no record, no exchange line,
        # no receipt
        omni_order = self.order_of("exchange")
        self.assertTrue(omni_order.sale_order_id)
        self.assertFalse(self.return_of("exchange"))
        self.assertFalse(omni_order.line_ids.filtered("return_id"))
        channel_order = self.world.order_by_gid[ret["order"]["id"]]
        self.assertEqual(
            len(omni_order.line_ids),
            len(channel_order["lineItems"]) + len(channel_order["shippingLines"]),
        )
        self.assertFalse(self.receipts(omni_order.sale_order_id))
        # the other returns are there
        self.assertEqual(len(self.returns()), 2)


@tagged("post_install", "-at_install")
class TestReturnWebhooks(ReturnsCase, HttpCase):
    def post(self, body, headers):
        return self.url_open(
            f"/omni/webhook/shopify/{self.backend.id}", data=body, headers=headers, timeout=20
        )

    def test_signed_returns_webhook_is_accepted_and_imports_the_return(self):
        self.pull()
        ret = self.by_kind["declined"]
        self.assertFalse(self.return_of("declined"))
        (topic, payload, webhook_id) = [
            w for w in self.world.return_webhooks() if w[1]["admin_graphql_api_id"] == ret["id"]
        ][0]
        self.assertEqual(topic, "returns/decline")
        body = json.dumps(payload).encode()
        bad = webhook_headers(body, "not-the-secret", topic, webhook_id)
        with self.assertLogs("odoo.addons.omni_connector_base.controllers.webhook", "WARNING"):
            self.assertEqual(self.post(body, bad).status_code, 401)
        for __ in range(2):
            response = self.post(body, webhook_headers(body, SECRET, topic, webhook_id))
            self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json(), {"received": 0, "duplicates": 1})
        event = self.events(topic=topic)
        self.assertEqual(
            (len(event), event.external_id, event.source), (1, tail(ret["id"]), "webhook")
        )
        pickings = len(self.sale_orders().picking_ids)
        event._process_job()
        self.assertEqual(event.state, "done", event.error_message)
        record = self.return_of("declined")
        self.assertEqual((record.state, record.channel_status), ("declined", "DECLINED"))
        self.assertEqual(event.omni_order_id, self.order_of("declined"))
        self.assertEqual(record.line_ids.quantity_processed, 0)
        self.assertEqual(len(self.sale_orders().picking_ids), pickings)
        # the request was read through the API (the webhook body is not trusted for it)
        self.assertTrue(
            any(b"OmniReturn" in (r.body or b"") for r in self.sandbox.graphql_requests())
        )

    def test_every_returns_webhook_of_the_shop_converges_with_the_pull(self):
        self.pull()
        before = sorted((r.external_id, r.state) for r in self.returns())
        for topic, payload, webhook_id in self.world.return_webhooks():
            body = json.dumps(payload).encode()
            response = self.post(body, webhook_headers(body, SECRET, topic, webhook_id))
            self.assertEqual(response.status_code, 200, response.text)
        events = self.events(source="webhook")
        self.assertEqual(len(events), len(self.world.returns))
        pickings = len(self.sale_orders().picking_ids)
        events._process_job()
        self.assertFalse(
            events.filtered(lambda e: e.state != "done"), events.mapped("error_message")
        )
        after = sorted((r.external_id, r.state) for r in self.returns())
        self.assertEqual(len(after), len(before) + 1)  # the declined one
        self.assertTrue(set(before) <= set(after))
        self.assertEqual(len(self.sale_orders().picking_ids), pickings)

    def test_return_for_an_unknown_order_waits_then_is_dead_lettered(self):
        ret = self.by_kind["refunded"]
        (topic, payload, webhook_id) = [
            w for w in self.world.return_webhooks() if w[1]["admin_graphql_api_id"] == ret["id"]
        ][0]
        event = self.receive_webhook(topic, payload, webhook_id)
        waits = 0
        for __ in range(self.backend.max_attempts):
            with trap_jobs() as trap:
                event._process_job()
            if event.state != "waiting":
                break
            waits += 1
            self.assertEqual(event.error_class, "retryable")
            self.assertTrue(event.next_retry_at)
            self.assertEqual(len(trap.enqueued_jobs), 1, "retried later by a job of its own")
        self.assertEqual(waits, self.backend.max_attempts - 1)
        self.assertEqual((event.state, event.error_class), ("dead", "retryable"))
        self.assertTrue(event.activity_ids, "someone is told")
        self.assertIn(tail(ret["order"]["id"]), event.error_message)
        self.assertIn(ret["name"], event.error_message)
        self.assertFalse(self.returns())
        self.assertFalse(self.sale_orders())
        # the order arrives: its import brings the return along; the dead event, retried,
        # then changes nothing
        self.pull()
        record = self.return_of("refunded")
        self.assertEqual(record.state, "closed")
        receipts = len(self.receipts())
        event.action_retry()
        with trap_jobs():
            event._process_job()
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(len(self.receipts()), receipts)
        self.assertEqual(self.return_of("refunded"), record)
        self.assertEqual(record.line_ids.quantity_restocked, 1)
