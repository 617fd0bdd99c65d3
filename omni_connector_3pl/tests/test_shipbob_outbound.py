"""Deliveries of the 3PL's warehouse go to ShipBob as orders, once, over real HTTP."""

from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job, identity_exact
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import CICERO, ShipBobCase


@tagged("post_install", "-at_install")
class TestShipBobOutbound(ShipBobCase):
    def test_confirmed_delivery_becomes_one_shipbob_order(self):
        order, trap = self.sell({self.mug: 3, self.tee: 2})
        picking = order.picking_ids
        dispatch = picking.omni_dispatch_id
        self.assertEqual((dispatch.state, dispatch.name), ("to_send", picking.name))
        self.assertFalse(self.sandbox.requests, "no API call in the user's transaction")
        trap.assert_jobs_count(1)
        trap.assert_enqueued_job(self.backend._tpl_send_dispatch, args=(dispatch,))
        trap.perform_enqueued_jobs()
        self.assertEqual(dispatch.state, "sent")
        sent = self.sandbox.world.orders[int(dispatch.external_id)]
        self.assertEqual(sent["reference_id"], picking.name)
        self.assertEqual(sent["order_number"], order.name)
        self.assertEqual(sent["location_id"], int(CICERO))
        self.assertEqual(
            {p["sku"]: p["quantity"] for p in sent["products"]}, {"SB-MUG": 3, "SB-TEE": 2}
        )
        self.assertEqual(sent["recipient"]["address"]["country"], "US")
        self.assertEqual(sent["recipient"]["address"]["state"], "IL")
        self.assertEqual(sent["recipient"]["email"], "ann@example.com")
        # the job again (a retry after the answer was lost): ShipBob's order is the same one
        self.assertIn("nothing to send", self.backend._tpl_send_dispatch(dispatch))
        self.assertEqual(len(self.sandbox.world.orders), 1)

    def test_same_job_is_never_queued_twice(self):
        order, __ = self.sell({self.mug: 1})
        dispatch = order.picking_ids.omni_dispatch_id
        self.backend._tpl_enqueue_send(dispatch)
        self.backend._tpl_enqueue_send(dispatch)
        key = identity_exact(Job(self.backend._tpl_send_dispatch, args=(dispatch,)))
        self.assertEqual(self.env["queue.job"].search_count([("identity_key", "=", key)]), 1)

    def test_an_order_shipbob_already_has_is_adopted(self):
        """A first attempt created the order and its answer was lost: the next one finds it
        by Odoo's reference and creates nothing."""
        order, trap = self.sell({self.cap: 1})
        picking = order.picking_ids
        adapter = self.backend._shipbob_adapter()
        existing = adapter.create_order(self.backend._shipbob_order_body(picking.omni_dispatch_id))
        adapter.close()
        trap.perform_enqueued_jobs()
        self.assertEqual(picking.omni_dispatch_id.external_id, str(existing["id"]))
        self.assertEqual(len(self.sandbox.world.orders), 1)
        self.assertEqual(len(self.sandbox.request_paths("POST", "/2026-01/order")), 1)

    def test_throttling_and_outages_are_retried(self):
        order, trap = self.sell({self.mug: 1})
        dispatch = order.picking_ids.omni_dispatch_id
        job = trap.enqueued_jobs[0]
        self.sandbox.add_fault("429", retry_after=7, path_prefix="/2026-01/order")
        with self.assertRaises(RetryableJobError) as throttled:
            job.perform()
        self.assertEqual(throttled.exception.seconds, 7, "ShipBob's Retry-After")
        self.sandbox.add_fault("500", path_prefix="/2026-01/order", after=1)
        with self.assertRaises(RetryableJobError):
            job.perform()  # the lookup passes, the creation meets a 500
        self.sandbox.add_fault("drop", path_prefix="/2026-01/order")
        with self.assertRaises(RetryableJobError):
            job.perform()
        self.assertEqual(dispatch.state, "to_send")
        self.assertFalse(self.sandbox.world.orders)
        job.perform()
        self.assertEqual(dispatch.state, "sent")
        self.assertEqual(len(self.sandbox.world.orders), 1)

    def test_refusal_fails_visibly_and_can_be_sent_again(self):
        unknown = self.make_products([("NOT-AT-SHIPBOB", "Local product", 5)])
        order, trap = self.sell({self.mug: 1, unknown: 1})
        picking = order.picking_ids
        trap.perform_enqueued_jobs()
        dispatch = picking.omni_dispatch_id
        self.assertEqual(dispatch.state, "error")
        self.assertIn("HTTP 422", dispatch.error_message)
        self.assertIn("Unknown product NOT-AT-SHIPBOB", dispatch.error_message)
        self.assertIn("refused", picking.activity_ids.summary)
        self.assertEqual(len(self.sandbox.request_paths("POST", "/2026-01/order")), 1, "no retry")
        self.assertFalse(self.sandbox.world.orders)
        # the manager takes the product out of the delivery, and sends it again
        picking.move_ids.filtered(lambda m: m.product_id == unknown)._action_cancel()
        with trap_jobs() as retry:
            dispatch.action_retry()
        retry.perform_enqueued_jobs()
        self.assertEqual(dispatch.state, "sent")
        sent = self.sandbox.world.orders[int(dispatch.external_id)]
        self.assertEqual([p["sku"] for p in sent["products"]], ["SB-MUG"])

    def test_product_without_sku_or_fraction_is_refused_before_calling(self):
        loose = self.make_products([("", "No SKU", 5)])
        order, trap = self.sell({loose: 1})
        trap.perform_enqueued_jobs()
        dispatch = order.picking_ids.omni_dispatch_id
        self.assertEqual(dispatch.state, "error")
        self.assertIn("no internal reference", dispatch.error_message)
        self.assertFalse(self.sandbox.request_paths("POST"))

    def test_cancelled_delivery_cancels_the_shipbob_order(self):
        picking, sent = self.send({self.mug: 2})
        with trap_jobs() as trap:
            picking.sale_id._action_cancel()
        dispatch = picking.omni_dispatch_id
        self.assertEqual((picking.state, dispatch.state), ("cancel", "cancel_requested"))
        trap.assert_enqueued_job(self.backend._tpl_cancel_dispatch, args=(dispatch,))
        trap.perform_enqueued_jobs()
        self.assertEqual(dispatch.state, "cancelled")
        self.assertEqual(sent["status"], "Cancelled")

    def test_cancel_after_shipbob_shipped_is_reported(self):
        picking, sent = self.send({self.mug: 1})
        self.sandbox.ship(sent["id"], {"SB-MUG": 1})
        with trap_jobs() as trap:
            picking.action_cancel()
        trap.perform_enqueued_jobs()
        dispatch = picking.omni_dispatch_id
        self.assertEqual(dispatch.state, "error")
        self.assertIn("HTTP 422", dispatch.error_message)
        self.assertIn("ShipBob did not cancel", " ".join(dispatch.message_ids.mapped("body")))

    def test_other_warehouses_are_not_sent(self):
        order, trap = self.sell({self.mug: 1}, warehouse=self.warehouse)
        self.assertFalse(order.picking_ids.omni_dispatch_id)
        trap.assert_jobs_count(0)
        self.cicero.tpl_send_deliveries = False
        order, trap = self.sell({self.mug: 1})
        self.assertFalse(order.picking_ids.omni_dispatch_id)
        trap.assert_jobs_count(0)
