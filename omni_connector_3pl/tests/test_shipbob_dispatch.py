"""ShipBob's shipments validate the Odoo delivery, through signed webhooks over HTTP."""

import json
from datetime import datetime, timedelta, timezone

from omni_sandboxes.shipbob_sandbox import new_secret

from odoo.tests import tagged

from .common import SHIPPED_AT, ShipBobWebhookCase


@tagged("post_install", "-at_install")
class TestShipBobSignatures(ShipBobWebhookCase):
    """Fail closed: what is not signed with the backend's secret is 401 and never stored."""

    def post(self, raw, headers):
        return self.url_open(
            f"/omni/webhook/3pl/{self.backend.id}", data=raw, headers=headers, timeout=60
        )

    def test_registration_keeps_shipbob_secret(self):
        subscription = self.sandbox.world.subscriptions[0]
        self.assertEqual(subscription["url"], self.backend.webhook_url)
        self.assertEqual(subscription["secret"], self.backend.sudo().webhook_secret)
        self.assertIn("order.shipped", subscription["topics"])
        self.assertRegex(subscription["secret"], r"^whsec_[a-zA-Z0-9+/]{32}$")

    def test_no_secret_wrong_secret_stale_or_unsigned_are_refused(self):
        __, order = self.send({self.mug: 1})
        shipment = self.sandbox.ship(order["id"], {"SB-MUG": 1})
        secret = self.backend.sudo().webhook_secret
        before = self.events()
        wrong = self.sandbox.signed("order.shipped", shipment, secret=new_secret("attacker"))
        old = datetime.now(timezone.utc) - timedelta(minutes=6)
        stale = self.sandbox.signed("order.shipped", shipment, secret=secret, timestamp=old)
        raw, headers = self.sandbox.signed("order.shipped", shipment, secret=secret)
        tampered = raw.replace(b'"quantity": 1', b'"quantity": 9')
        self.assertNotEqual(tampered, raw)
        unsigned = {k: v for k, v in headers.items() if k != "webhook-signature"}
        for case, (body, hdrs) in {
            "wrong secret": wrong,
            "stale timestamp": stale,
            "tampered body": (tampered, headers),
            "unsigned": (raw, unsigned),
        }.items():
            with self.subTest(case):
                self.assertEqual(self.post(body, hdrs).status_code, 401)
        self.backend.sudo().webhook_secret = False
        self.assertEqual(self.post(raw, headers).status_code, 401, "no secret: fail closed")
        self.assertEqual(self.events(), before, "nothing stored")
        self.assertEqual(self.env["omni.dispatch.shipment"].search_count([]), 0)


@tagged("post_install", "-at_install")
class TestShipBobShipments(ShipBobWebhookCase):
    def test_partial_shipments_validate_exactly_what_left(self):
        picking, order = self.send({self.mug: 3, self.tee: 2})
        dispatch = picking.omni_dispatch_id
        events, first = self.ship(order, {self.mug: 2}, carrier="UPS", tracking="1Z999")
        self.assert_all_done(events)
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.date_done, SHIPPED_AT.replace(tzinfo=None))
        self.assertEqual({m.product_id: m.quantity for m in picking.move_ids}, {self.mug: 2})
        self.assertEqual(
            (picking.omni_tracking_ref, picking.omni_tracking_company), ("1Z999", "UPS")
        )
        backorder = picking.backorder_ids
        self.assertEqual(
            {m.product_id: m.product_uom_qty for m in backorder.move_ids},
            {self.mug: 1, self.tee: 2},
        )
        self.assertEqual(backorder.omni_dispatch_id, dispatch, "the rest is the same 3PL order")
        self.assertEqual(dispatch.state, "partial")
        later = SHIPPED_AT + timedelta(days=2)
        events, __ = self.ship(order, {self.mug: 1, self.tee: 2}, at=later, tracking="1Z998")
        self.assert_all_done(events)
        self.assertEqual(backorder.state, "done")
        self.assertEqual(backorder.date_done, later.replace(tzinfo=None))
        self.assertEqual(backorder.omni_tracking_ref, "1Z998")
        self.assertFalse(backorder.backorder_ids)
        self.assertEqual(dispatch.state, "shipped")
        self.assertEqual(len(dispatch.shipment_ids), 2)
        self.assertEqual(
            dispatch.shipment_ids.filtered(lambda s: s.external_id == str(first["id"])).picking_id,
            picking,
        )
        self.assertEqual(order["status"], "Fulfilled")
        self.assertEqual(
            sum(picking.sale_id.order_line.mapped("qty_delivered")), 5, "the sale order delivered"
        )
        self.assertEqual(
            len(self.sandbox.request_paths("POST", "/2026-01/order")), 1, "backorder not re-sent"
        )

    def test_duplicates_resends_and_replays_change_nothing(self):
        picking, order = self.send({self.mug: 3})
        events, shipment = self.ship(order, {self.mug: 2})
        event = events
        self.assertEqual(event.state, "done")
        done = picking.move_ids.filtered(lambda m: m.state == "done")
        # the same delivery again (same webhook-id): a duplicate, nothing stored
        raw_id = event.headers.get("webhook-id") or event.headers.get("Webhook-Id")
        self.assertEqual(self.deliver("order.shipped", shipment, msg_id=raw_id)["duplicates"], 1)
        # ShipBob sends the same shipment again under a new webhook-id: stored, no effect
        self.deliver("order.shipped", shipment, msg_id="msg_resent")
        again = self.process()
        self.assertEqual(again.state, "done")
        self.assertIn("already validated", again.result_note)
        event.action_replay()
        self.process()
        self.assertEqual(event.state, "done")
        self.assertEqual(picking.move_ids.filtered(lambda m: m.state == "done"), done)
        self.assertEqual(
            {m.product_id: m.product_uom_qty for m in picking.backorder_ids.move_ids},
            {self.mug: 1},
        )
        self.assertFalse(picking.backorder_ids.backorder_ids)

    def test_shipments_in_any_order(self):
        """The second shipment arriving first validates its own units; the first then takes
        the rest. Each delivery is done at its shipment's time."""
        picking, order = self.send({self.mug: 3, self.tee: 2})
        first = self.sandbox.ship(order["id"], {"SB-MUG": 3}, at=SHIPPED_AT)
        second = self.sandbox.ship(order["id"], {"SB-TEE": 2}, at=SHIPPED_AT + timedelta(days=1))
        self.deliver("order.shipped", second)
        self.deliver("order.shipped", first)
        self.assert_all_done(self.process())
        pickings = picking.omni_dispatch_id._pickings()
        self.assertEqual(len(pickings), 2)
        self.assertEqual(set(pickings.mapped("state")), {"done"})
        by_product = {m.product_id: m for m in pickings.move_ids}
        self.assertEqual(by_product[self.tee].picking_id, picking)
        self.assertEqual(
            by_product[self.tee].date, (SHIPPED_AT + timedelta(days=1)).replace(tzinfo=None)
        )
        self.assertEqual(by_product[self.mug].date, SHIPPED_AT.replace(tzinfo=None))
        self.assertEqual(by_product[self.mug].quantity, 3)
        self.assertEqual(picking.omni_dispatch_id.state, "shipped")

    def test_shipped_before_the_delivery_exists_waits_then_fails_visibly(self):
        unknown = self.sandbox_order("WH/OUT/UNKNOWN")
        shipment = self.sandbox.ship(unknown["id"], {"SB-MUG": 1})
        self.deliver("order.shipped", shipment)
        event = self.events(topic="3pl.shipment.shipped")
        for attempt in range(1, self.backend.max_attempts + 1):
            event._process_job()
            self.assertEqual(event.attempts, attempt)
        self.assertEqual(event.state, "dead")
        self.assertEqual(event.error_class, "retryable")
        self.assertIn("No delivery WH/OUT/UNKNOWN was sent", event.error_message)
        self.assertTrue(event.activity_ids, "dead-lettered with an activity")

    def test_shipped_while_the_delivery_is_still_being_sent(self):
        """The shipment of an order whose sending job has not recorded ShipBob's answer yet
        finds the delivery by its reference."""
        order, trap = self.sell({self.cap: 2})
        picking = order.picking_ids
        sandbox_order = self.sandbox_order(picking.name, [("SB-CAP", 2)])
        self.sandbox_ship_and_deliver(sandbox_order, {"SB-CAP": 2})
        self.assert_all_done(self.process())
        self.assertEqual(picking.state, "done")
        trap.perform_enqueued_jobs()  # the job adopts ShipBob's order
        self.assertEqual(picking.omni_dispatch_id.external_id, str(sandbox_order["id"]))
        self.assertEqual(picking.omni_dispatch_id.state, "shipped")

    def test_exception_hold_delivered_and_cancelled_are_recorded(self):
        picking, order = self.send({self.mug: 1, self.cap: 1})
        pending = self.sandbox.ship(order["id"], {"SB-CAP": 1}, status="Processing")
        held = self.sandbox.exception(pending["id"], "OutOfStock", "No cap left in Cicero")
        self.deliver("order.shipment.exception", held)
        event = self.process()
        self.assertEqual(event.state, "done", event.error_message)
        record = event.omni_dispatch_shipment_id
        self.assertEqual(
            (record.state, record.status_reason), ("exception", "OutOfStock No cap left in Cicero")
        )
        self.assertEqual(picking.state, "assigned", "nothing shipped")
        self.assertIn("No cap left", picking.activity_ids.summary)
        on_hold = self.sandbox.exception(
            pending["id"], "AddressIssue", "Check address", status="OnHold"
        )
        self.deliver("order.shipment.on_hold", on_hold)
        self.assertEqual(self.process().omni_dispatch_shipment_id.state, "on_hold")
        cancelled = dict(on_hold, status="Cancelled", status_details=[])
        self.deliver("order.shipment.cancelled", cancelled)
        self.process()
        self.assertEqual(record.state, "cancelled")
        events, shipped = self.ship(order, {self.mug: 1})
        self.assert_all_done(events)
        delivered = dict(
            shipped, delivery_date="2026-11-05T10:00:00Z", last_update_at="2026-11-05T10:00:00Z"
        )
        self.deliver("order.shipment.delivered", delivered)
        self.assert_all_done(self.process())
        done = events.omni_dispatch_shipment_id
        self.assertEqual(done.state, "delivered")
        self.assertEqual(done.delivered_at, datetime(2026, 11, 5, 10, 0))
        self.assertEqual(done.shipped_at, SHIPPED_AT.replace(tzinfo=None))
        self.assertIn("Delivered", picking.message_ids.mapped("body")[0])

    # ------------------------------------------------------------------ helpers
    def sandbox_order(self, reference, products=(("SB-MUG", 1),)):
        """An order ShipBob holds for ``reference``, made through its API."""
        import requests

        body = {
            "reference_id": reference,
            "type": "DTC",
            "shipping_method": "Standard",
            "location_id": 10,
            "recipient": {
                "name": "X",
                "address": {"address1": "1 St", "city": "C", "country": "US"},
            },
            "products": [
                {"reference_id": sku, "sku": sku, "name": sku, "quantity": qty}
                for sku, qty in products
            ],
        }
        response = requests.post(
            f"{self.sandbox.url}/2026-01/order",
            json=body,
            headers={"Authorization": f"Bearer {self.sandbox.pat}"},
            timeout=10,
        )
        self.assertEqual(response.status_code, 201, response.text)
        return response.json()

    def sandbox_ship_and_deliver(self, order, quantities):
        shipment = self.sandbox.ship(order["id"], quantities, at=SHIPPED_AT)
        self.deliver("order.shipped", shipment)
        return shipment


@tagged("post_install", "-at_install")
class TestShipBobHostileShipments(ShipBobWebhookCase):
    """Authentic but wrong: one failed event naming the problem, nothing applied."""

    def post_signed(self, body, topic="order.shipped"):
        raw, headers = self.sandbox.signed(topic, body, secret=self.backend.sudo().webhook_secret)
        return self.url_open(
            f"/omni/webhook/3pl/{self.backend.id}", data=raw, headers=headers, timeout=60
        )

    def assert_fails(self, body, error_class, *words, topic="order.shipped"):
        before = self.events()
        response = self.post_signed(body, topic)
        self.assertEqual(response.status_code, 200, response.text)
        self.process()
        event = self.events() - before
        self.assertEqual(len(event), 1)
        self.assertEqual(
            (event.state, event.error_class), ("failed", error_class), event.error_message
        )
        for word in words:
            self.assertIn(word, event.error_message)
        return event

    def shipped(self, quantities):
        picking, order = self.send({self.mug: 2})
        shipment = self.sandbox.ship(order["id"], quantities)
        return picking, json.loads(json.dumps(shipment))

    def test_malformed_json(self):
        self.assert_fails(b'{"id": 1, "reference_id": ', "payload", "not valid JSON")

    def test_no_topic_header(self):
        raw, headers = self.sandbox.signed(
            "order.shipped", {"id": 1}, secret=self.backend.sudo().webhook_secret
        )
        del headers["x-webhook-topic"]
        response = self.url_open(
            f"/omni/webhook/3pl/{self.backend.id}", data=raw, headers=headers, timeout=60
        )
        self.assertEqual(response.status_code, 200)
        self.process()
        event = self.events()[-1:]
        self.assertEqual(event.state, "failed")
        self.assertIn("x-webhook-topic", event.error_message)

    def test_unknown_sku(self):
        picking, shipment = self.shipped({"SB-MUG": 1})
        shipment["products"][0]["sku"] = "NOT-IN-ODOO"
        event = self.assert_fails(shipment, "mapping", "SKU NOT-IN-ODOO", picking.name)
        self.assertEqual(picking.state, "assigned")
        self.assertFalse(event.omni_dispatch_shipment_id)

    def test_negative_quantity(self):
        picking, shipment = self.shipped({"SB-MUG": 1})
        shipment["products"][0]["inventory_items"][0]["quantity"] = -3
        self.assert_fails(shipment, "payload", "quantity -3 of SB-MUG is negative")
        self.assertEqual(picking.state, "assigned")

    def test_more_than_is_left_to_ship(self):
        picking, shipment = self.shipped({"SB-MUG": 2})
        shipment["products"][0]["inventory_items"][0]["quantity"] = 5
        self.assert_fails(shipment, "validation", "ships 5 SB-MUG", "only 2.0 left")
        self.assertEqual(picking.state, "assigned")

    def test_shipped_from_a_centre_of_another_warehouse(self):
        self.env["omni.location"].create(
            {
                "backend_id": self.backend.id,
                "external_id": "20",
                "name": "Moreno Valley (CA)",
                "warehouse_id": self.warehouse.id,
            }
        )
        picking, order = self.send({self.mug: 1})
        shipment = self.sandbox.ship(order["id"], {"SB-MUG": 1}, location_id=20)
        self.assert_fails(shipment, "mapping", "left fulfilment centre 20", picking.name)
        self.assertEqual(picking.state, "assigned")

    def test_shipment_without_reference_or_id(self):
        self.assert_fails({"id": 77, "products": []}, "payload", "no reference_id")
        self.assert_fails({"reference_id": "X"}, "payload", "no id")
        self.assert_fails([1, 2], "payload", "not a shipment")

    def test_unknown_shipment_delivered_waits(self):
        picking, shipment = self.shipped({"SB-MUG": 2})
        delivered = dict(shipment, delivery_date="2026-11-05T10:00:00Z")
        self.post_signed(delivered, "order.shipment.delivered")
        self.process()
        event = self.events()[-1:]
        self.assertEqual((event.state, event.error_class), ("waiting", "retryable"))
        self.assertIn("was not shipped in Odoo", event.error_message)
        self.assertEqual(picking.state, "assigned")

    def test_unused_topics_are_kept_and_said_unused(self):
        self.post_signed({"id": 5}, "return.created")
        self.process()
        event = self.events()[-1:]
        self.assertEqual((event.state, event.topic), ("done", "shipbob.return.created"))
        self.assertIn("not used", event.result_note)
