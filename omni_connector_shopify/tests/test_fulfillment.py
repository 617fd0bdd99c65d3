"""Done deliveries of Shopify orders pushed as fulfilments with their tracking number, over
real HTTP to the sandbox: once per delivery, only when the backend asks for it, only what the
shop has not shipped yet."""

import json

from omni_sandboxes.refdata import REFDATA_HINT, refdata_path
from omni_sandboxes.shopify_sandbox import webhook_headers

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from ..tools.parser import parse_order_rest
from .common import SECRET, ShopifyCase

TRACKING = "1Z999AA10123456784"


@tagged("post_install", "-at_install")
class TestFulfillmentPush(ShopifyCase):
    def import_order(self, index):
        order = self.world.orders[index]
        # fulfilments the push adds to the shared world are taken away after the test
        self.addCleanup(order.__setitem__, "fulfillments", list(order["fulfillments"]))
        links = self.env["omni.importer"].import_order(
            self.backend, parse_order_rest(self.world.order_rest(order))
        )
        sale_order = self.env["omni.order"].browse(links["omni_order_id"]).sale_order_id
        if sale_order.state in ("draft", "sent"):
            sale_order.action_confirm()
        return order, sale_order

    def deliver(self, sale_order, tracking=TRACKING, user=None):
        picking = sale_order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "done"
        )
        self.assertEqual(len(picking), 1)
        picking.write({"omni_tracking_ref": tracking, "omni_tracking_company": "UPS"})
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        if user:
            self.env.invalidate_all()  # what the admin read is not in the clerk's way
        with trap_jobs() as trap:
            picking.with_user(user or self.env.user).with_context(
                skip_backorder=True, skip_sms=True, skip_immediate=True
            ).button_validate()
            self.trapped = list(trap.enqueued_jobs)
            jobs = [j for j in trap.enqueued_jobs if j.method_name == "_shopify_push_fulfillment"]
        self.assertEqual(picking.state, "done")
        return picking, jobs

    def test_done_delivery_becomes_one_fulfilment_once(self):
        self.backend.shopify_push_fulfillments = True
        order, sale_order = self.import_order(0)
        self.assertFalse(order["fulfillments"])
        picking, jobs = self.deliver(sale_order)
        self.assertEqual(len(jobs), 1)
        self.assertEqual(jobs[0].args, (picking,))
        self.assertEqual(jobs[0].channel, "root.omni.shopify")
        note = self.backend._shopify_push_fulfillment(picking)
        self.assertIn("created", note)
        self.assertEqual(len(order["fulfillments"]), 1)
        fulfilment = order["fulfillments"][0]
        self.assertEqual(
            [(t["number"], t["company"]) for t in fulfilment["trackingInfo"]], [(TRACKING, "UPS")]
        )
        self.assertEqual(
            sorted(
                (f["lineItem"]["sku"], f["quantity"]) for f in fulfilment["fulfillmentLineItems"]
            ),
            sorted((line["sku"], line["quantity"]) for line in order["lineItems"]),
        )
        self.assertEqual(picking.omni_fulfillment_ref, fulfilment["id"].rsplit("/", 1)[-1])
        # the job again: nothing more
        requests = len(self.sandbox.graphql_requests())
        self.assertIn("Already", self.backend._shopify_push_fulfillment(picking))
        self.assertEqual(len(self.sandbox.graphql_requests()), requests)
        self.assertEqual(len(order["fulfillments"]), 1)
        # its answer was lost (nothing committed): the shop's fulfilment is adopted
        picking.omni_fulfillment_ref = False
        self.assertIn("adopted", self.backend._shopify_push_fulfillment(picking))
        self.assertEqual(len(order["fulfillments"]), 1)
        self.assertEqual(picking.omni_fulfillment_ref, fulfilment["id"].rsplit("/", 1)[-1])

    def test_only_what_the_shop_has_not_shipped_is_fulfilled(self):
        self.backend.shopify_push_fulfillments = True
        order, sale_order = self.import_order(1)  # partially fulfilled in the shop already
        shipped = {
            f["lineItem"]["id"]: f["quantity"]
            for ful in order["fulfillments"]
            for f in ful["fulfillmentLineItems"]
        }
        self.assertTrue(shipped)
        pickings = sale_order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "done"
        )
        if not pickings:
            self.skipTest("the importer delivered this order already (status map)")
        picking, __ = self.deliver(sale_order)
        self.backend._shopify_push_fulfillment(picking)
        created = order["fulfillments"][-1]
        self.assertEqual(
            sorted((f["lineItem"]["id"], f["quantity"]) for f in created["fulfillmentLineItems"]),
            sorted(
                (line["id"], line["quantity"] - shipped.get(line["id"], 0))
                for line in order["lineItems"]
                if line["quantity"] - shipped.get(line["id"], 0) > 0
            ),
        )

    def test_a_warehouse_user_without_omni_rights_validates(self):
        self.backend.shopify_push_fulfillments = True
        user = self.env["res.users"].create(
            {
                "name": "Warehouse clerk",
                "login": "omni_clerk@example.com",
                "groups_id": [(6, 0, [self.env.ref("stock.group_stock_user").id])],
            }
        )
        self.assertFalse(
            self.backend.with_user(user).check_access_rights("read", raise_exception=False)
        )
        # the warehouse also sells to the shop: the delivery queues a stock push as well
        self.env["omni.location"].create(
            {
                "backend_id": self.backend.id,
                "external_id": "62000000001",
                "name": "Paris",
                "warehouse_id": self.backend.warehouse_id.id,
                "stock_sync": True,
            }
        )
        __, sale_order = self.import_order(3)
        __, jobs = self.deliver(sale_order, tracking="TRK-3", user=user)
        self.assertEqual(len(jobs), 1)
        self.assertEqual(
            [j.recordset for j in self.trapped if j.method_name == "_shopify_push_stock"],
            [self.backend],
        )

    def test_no_push_unless_the_backend_asks(self):
        self.assertFalse(self.backend.shopify_push_fulfillments)
        order, sale_order = self.import_order(3)
        __, jobs = self.deliver(sale_order)
        self.assertEqual(jobs, [])
        self.assertFalse(order["fulfillments"])

    def test_order_unknown_to_the_shop_fails_visibly(self):
        self.backend.shopify_push_fulfillments = True
        __, sale_order = self.import_order(9)
        picking, __ = self.deliver(sale_order, tracking="TRK-9")
        sale_order.omni_external_ref = "4999999999"
        with self.assertRaisesRegex(UserError, "unknown to the shop"):
            self.backend._shopify_push_fulfillment(picking)
        self.assertFalse(picking.omni_fulfillment_ref)

    def test_fulfilment_webhook_names_its_delivery(self):
        path = refdata_path("shopify", "webhook-samples-2025-10", "fulfillments__create.json")
        if not path.is_file():
            self.skipTest(REFDATA_HINT)
        self.backend.shopify_push_fulfillments = True
        __, sale_order = self.import_order(0)
        picking, __ = self.deliver(sale_order)
        self.backend._shopify_push_fulfillment(picking)
        sample = json.loads(path.read_text())
        sample["admin_graphql_api_id"] = f"gid://shopify/Fulfillment/{picking.omni_fulfillment_ref}"
        body = json.dumps(sample).encode()
        vals = self.backend._omni_webhook_events(
            body, webhook_headers(body, SECRET, "fulfillments/create", "ful-1")
        )
        event, __ = self.env["omni.event"]._receive(self.backend, vals, source="webhook")
        event._process_one()
        self.assertEqual(event.state, "done", event.error_message)
        self.assertIn(picking.name, event.result_note)

    def test_nothing_left_to_fulfil_is_reported(self):
        self.backend.shopify_push_fulfillments = True
        order, sale_order = self.import_order(6)
        picking, __ = self.deliver(sale_order, tracking="TRK-6")
        # fulfilled once; then (another tracking number) nothing is left to fulfil
        self.backend._shopify_push_fulfillment(picking)
        fulfilments = len(order["fulfillments"])
        picking.omni_fulfillment_ref = False
        picking.omni_tracking_ref = "OTHER"
        note = self.backend._shopify_push_fulfillment(picking)
        self.assertIn("Nothing", note)
        self.assertEqual(len(order["fulfillments"]), fulfilments)
        self.assertFalse(picking.omni_fulfillment_ref)

    def test_a_delivery_fulfils_only_its_warehouse_locations(self):
        """Fulfilment orders assigned to a shop location mapped to another warehouse are not
        this delivery's to fulfil."""
        paris, berlin = "62000000001", "62000000002"  # the sandbox assigns orders to Paris
        self.backend.shopify_push_fulfillments = True
        order, sale_order = self.import_order(0)
        self.backend._shopify_pull_locations()

        def location(ref):
            return self.env["omni.location"]._find(self.backend, ref)

        location(berlin).warehouse_id = sale_order.warehouse_id
        picking, __ = self.deliver(sale_order)
        self.assertIn("Nothing", self.backend._shopify_push_fulfillment(picking))
        self.assertFalse(order["fulfillments"])
        self.assertFalse(picking.omni_fulfillment_ref)
        location(paris).warehouse_id = sale_order.warehouse_id
        self.assertIn("created", self.backend._shopify_push_fulfillment(picking))
        (fulfilment,) = order["fulfillments"]
        self.assertEqual(picking.omni_fulfillment_ref, fulfilment["id"].rsplit("/", 1)[-1])
