"""Stock synchronisation with the sandbox shop over real HTTP: locations mapped to warehouses,
available quantities pushed with inventorySetQuantities (only what changed, ≤ 250 per call,
idempotent, throttle-aware), inventory_levels/update webhooks, drift healing."""

import json
from datetime import datetime, timedelta, timezone

from omni_sandboxes import shopify_inventory
from omni_sandboxes.shopify_sandbox import webhook_headers

from odoo.tests import HttpCase, tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from odoo.addons.omni_connector_base.tools.errors import PayloadError

from ..tools import inventory
from .common import SECRET, ShopifyCase


class LostCommit(Exception):
    pass


PARIS, BERLIN, DEPOT = "62000000001", "62000000002", "62000000003"


class StockCase(ShopifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.products.write({"detailed_type": "product"})
        cls.warehouse = cls.backend.warehouse_id
        cls.berlin_wh = cls.env["stock.warehouse"].create(
            {"name": "Berlin", "code": "BER", "company_id": cls.env.company.id}
        )

    def setUp(self):
        super().setUp()
        shopify_inventory.reset(self.world, self.sandbox)

    # helpers
    def pull_locations(self, map_paris=True):
        note = self.backend._shopify_pull_locations()
        if map_paris:
            self.location(PARIS).write({"warehouse_id": self.warehouse.id, "stock_sync": True})
        return note

    def location(self, external_id):
        return self.env["omni.location"]._find(self.backend, external_id)

    def item_gid(self, product):
        external_id = (
            self.env["omni.external.id"]
            .search(
                [
                    ("backend_id", "=", self.backend.id),
                    ("kind", "=", "inventory_item"),
                    ("res_id", "=", product.id),
                    ("res_model", "=", "product.product"),
                ]
            )
            .external_id
        )
        return inventory.gid("InventoryItem", external_id)

    def set_stock(self, product, quantity, warehouse=None):
        """Odoo's on-hand quantity, set directly (no stock move: no push queued)."""
        location = (warehouse or self.warehouse).lot_stock_id
        Quant = self.env["stock.quant"]
        current = Quant._get_available_quantity(product, location)
        Quant._update_available_quantity(product, location, quantity - current)

    def shop_level(self, product, location=PARIS):
        found = shopify_inventory.level(
            self.world, self.item_gid(product), inventory.gid("Location", location)
        )
        return found[0] if found else None

    def mutations(self):
        return list(getattr(self.sandbox, "inventory_mutations", []))

    def push(self, **kwargs):
        return self.backend._shopify_push_stock(**kwargs)


@tagged("post_install", "-at_install")
class TestStockPush(StockCase):
    def test_locations_are_pulled_and_inventory_items_bound(self):
        note = self.pull_locations(map_paris=False)
        self.assertIn("3 location(s) created", note)
        locations = (
            self.env["omni.location"]
            .with_context(active_test=False)
            .search([("backend_id", "=", self.backend.id)])
        )
        self.assertEqual(sorted(locations.mapped("external_id")), [PARIS, BERLIN, DEPOT])
        self.assertFalse(self.location(DEPOT).active, "inactive in the shop: archived")
        self.assertFalse(locations.filtered("warehouse_id"), "a manager maps them")
        for product in self.products:  # bound through the variants' SKUs
            self.assertTrue(self.shop_level(product) is not None, product.default_code)
        # a second pull creates and binds nothing more
        note = self.pull_locations(map_paris=False)
        self.assertIn("0 location(s) created, 0 updated", note)
        self.assertIn("0 inventory item(s) bound", note)

    def test_push_sends_only_what_changed(self):
        self.pull_locations()
        for index, product in enumerate(self.products):
            self.set_stock(product, 20 + index)
        berlin_before = [self.shop_level(p, BERLIN) for p in self.products]
        note = self.push()
        self.assertIn(f"{len(self.products)} quantity(ies) sent in 1 mutation(s)", note)
        self.assertEqual(
            [self.shop_level(p) for p in self.products], [20 + i for i in range(len(self.products))]
        )
        # the unmapped location is not touched
        self.assertEqual([self.shop_level(p, BERLIN) for p in self.products], berlin_before)
        levels = self.env["omni.stock.level"].search(
            [("location_id", "=", self.location(PARIS).id)]
        )
        self.assertEqual(
            sorted(levels.mapped("pushed_quantity")), [20.0 + i for i in range(len(self.products))]
        )
        # nothing changed: nothing sent, not even a request
        requests = len(self.sandbox.graphql_requests())
        self.assertIn("0 quantity(ies) sent in 0 mutation(s)", self.push())
        self.assertEqual(len(self.sandbox.graphql_requests()), requests)
        self.assertEqual(len(self.mutations()), 1)
        # one quantity changes: exactly that one is sent
        self.set_stock(self.products[2], 3)
        self.push()
        self.assertEqual(
            self.mutations()[-1],
            [(self.item_gid(self.products[2]), inventory.gid("Location", PARIS), 3)],
        )
        # reserved or fractional stock is not offered: free quantity, whole units, never < 0
        self.set_stock(self.products[3], 2.5)
        self.push()
        self.assertEqual(self.shop_level(self.products[3]), 2)

    def test_only_pushed_locations_with_a_warehouse_are_pushed(self):
        self.pull_locations(map_paris=False)
        self.location(BERLIN).write({"warehouse_id": self.berlin_wh.id, "stock_sync": False})
        self.location(PARIS).write({"stock_sync": True})  # no warehouse yet
        self.assertIn("Nothing to push", self.push())
        self.assertEqual(self.mutations(), [])
        self.location(BERLIN).stock_sync = True
        self.set_stock(self.products[0], 7, self.berlin_wh)
        self.push()
        self.assertEqual(self.shop_level(self.products[0], BERLIN), 7)
        self.assertEqual(
            {loc for batch in self.mutations() for __, loc, __ in batch},
            {inventory.gid("Location", BERLIN)},
        )

    def add_bulk_variants(self, count=254):
        extra = []
        for index in range(count):
            product = {
                "__typename": "Product",
                "id": f"gid://shopify/Product/{8100000000 + index}",
                "title": f"Bulk {index}",
            }
            variant = {
                "__typename": "ProductVariant",
                "id": f"gid://shopify/ProductVariant/{9100000000 + index}",
                "sku": f"BULK-{index:03d}",
                "barcode": None,
                "title": "Default Title",
                "price": "1.00",
                "product": product,
            }
            extra.append((product, [variant]))
        self.world.products.extend(extra)
        self.addCleanup(lambda: [self.world.products.remove(pair) for pair in extra])
        self.env["product.product"].create(
            [
                {"name": p["title"], "default_code": v[0]["sku"], "detailed_type": "product"}
                for p, v in extra
            ]
        )

    def test_changed_items_are_batched_by_250(self):
        self.add_bulk_variants()
        self.pull_locations()
        self.push()
        self.assertEqual([len(batch) for batch in self.mutations()], [250, 10])
        self.assertEqual(
            self.env["omni.stock.level"].search_count(
                [("location_id", "=", self.location(PARIS).id)]
            ),
            260,
        )
        self.assertIn("0 quantity(ies) sent", self.push())

    def test_throttle_is_retried_and_converges(self):
        self.pull_locations()
        self.set_stock(self.products[0], 9)
        self.sandbox.add_fault("throttled")
        with self.assertRaises(RetryableJobError) as caught:
            self.push()
        self.assertGreaterEqual(caught.exception.seconds, 1)
        self.assertEqual(self.mutations(), [])
        self.sandbox.add_fault("429", retry_after=7)
        with self.assertRaises(RetryableJobError) as caught:
            self.push()
        self.assertEqual(caught.exception.seconds, 7)
        self.push()  # queue_job's retry
        self.assertEqual(len(self.mutations()), 1)
        self.assertEqual(self.shop_level(self.products[0]), 9)
        self.assertIn("0 quantity(ies) sent", self.push())

    def test_throttled_after_a_batch_continues_in_a_new_job(self):
        self.add_bulk_variants()
        self.pull_locations()
        # a bucket holding one mutation, refilling slowly
        self.addCleanup(setattr, self.sandbox, "restore_rate", self.sandbox.restore_rate)
        self.sandbox.restore_rate = 0.01
        self.sandbox.set_bucket(5)
        with trap_jobs() as trap:
            note = self.push()
            jobs = [j for j in trap.enqueued_jobs if j.method_name == "_shopify_push_stock"]
        self.assertIn("250 quantity(ies) sent; paused", note)
        self.assertEqual([len(batch) for batch in self.mutations()], [250])
        self.assertEqual(len(jobs), 1)
        self.assertTrue(jobs[0].eta, "the continuation waits for the bucket")
        self.sandbox.restore_rate = 1e6
        self.assertIn("10 quantity(ies) sent", self.push())
        self.assertEqual([len(batch) for batch in self.mutations()], [250, 10])

    def test_refused_items_are_reported_and_the_rest_is_applied(self):
        self.pull_locations()
        refused = self.products[1]
        del self.world.inventory["levels"][
            (self.item_gid(refused), inventory.gid("Location", PARIS))
        ]
        for product in self.products:
            self.set_stock(product, 5)
        note = self.push()
        self.assertIn(f"{len(self.products) - 1} quantity(ies) sent", note)
        self.assertIn("ITEM_NOT_STOCKED_AT_LOCATION", note)
        self.assertIn(self.item_gid(refused), self.backend._stream("shopify_stock").last_error)
        self.assertEqual(len(self.mutations()), 1)
        self.assertNotIn(self.item_gid(refused), [item for item, __, __ in self.mutations()[0]])
        levels = self.env["omni.stock.level"].search(
            [("location_id", "=", self.location(PARIS).id)]
        )
        self.assertEqual(set(levels.product_id.ids), set((self.products - refused).ids))

    def test_cron_queues_a_refreshing_push_for_pushed_backends_only(self):
        self.pull_locations(map_paris=False)
        with trap_jobs() as trap:
            self.env["omni.backend"]._cron_shopify_heal_stock()
            self.assertFalse([j for j in trap.enqueued_jobs if j.recordset == self.backend])
        self.location(PARIS).write({"warehouse_id": self.warehouse.id, "stock_sync": True})
        with trap_jobs() as trap:
            self.env["omni.backend"]._cron_shopify_heal_stock()
            jobs = [j for j in trap.enqueued_jobs if j.recordset == self.backend]
        self.assertEqual(
            [(j.method_name, j.kwargs) for j in jobs], [("_shopify_push_stock", {"refresh": True})]
        )
        self.backend.state = "disconnected"
        with trap_jobs() as trap:
            self.env["omni.backend"]._cron_shopify_heal_stock()
            self.assertFalse([j for j in trap.enqueued_jobs if j.recordset == self.backend])

    def test_a_retried_push_is_not_applied_twice(self):
        """The job sent its mutation, then its transaction was lost (worker killed): the
        retry sends the same idempotency key and the shop does not apply it again."""
        self.pull_locations()
        self.set_stock(self.products[0], 4)
        backend = self.backend.with_context(job_uuid="job-lost-commit")
        with self.assertRaises(LostCommit), self.env.cr.savepoint():
            backend._shopify_push_stock()
            raise LostCommit()  # the transaction never commits
        self.assertEqual(len(self.mutations()), 1)
        self.assertFalse(
            self.env["omni.stock.level"].search([("location_id", "=", self.location(PARIS).id)])
        )
        backend._shopify_push_stock()
        self.assertEqual(len(self.mutations()), 1, "replayed by key, not applied again")
        self.assertEqual(len(self.sandbox.idempotency), 1)
        self.assertEqual(
            self.env["omni.stock.level"].search_count(
                [("location_id", "=", self.location(PARIS).id)]
            ),
            len(self.products),
        )
        # another job pushing the same content is a new request (a new key)
        self.set_stock(self.products[0], 5)
        self.backend.with_context(job_uuid="job-2")._shopify_push_stock()
        self.assertEqual(len(self.mutations()), 2)

    def test_drift_is_healed_by_the_refresh(self):
        self.pull_locations()
        self.set_stock(self.products[1], 6)
        self.push()
        # someone edits the quantity in the shop and the webhook is lost
        key = (self.item_gid(self.products[1]), inventory.gid("Location", PARIS))
        self.world.inventory["levels"][key] = {"available": 40, "updatedAt": "2030-01-01T00:00:00Z"}
        self.assertIn("0 quantity(ies) sent", self.push())
        note = self.push(refresh=True)
        self.assertIn("1 quantity(ies) sent", note)
        self.assertEqual(self.shop_level(self.products[1]), 6)

    def test_stock_moves_queue_one_push_per_backend(self):
        self.pull_locations()
        Job = self.env["queue.job"]
        domain = [("model_name", "=", "omni.backend"), ("method_name", "=", "_shopify_push_stock")]
        before = Job.search(domain)
        for product in self.products[:3]:
            self.env["stock.quant"].with_context(inventory_mode=True).create(
                {
                    "product_id": product.id,
                    "location_id": self.warehouse.lot_stock_id.id,
                    "inventory_quantity": 12,
                }
            ).action_apply_inventory()
        jobs = Job.search(domain) - before
        self.assertEqual(len(jobs), 1, "a burst of moves: one pending push")
        self.assertEqual(jobs.channel, "root.omni.shopify")
        # moves in a warehouse no pushed location sells from queue nothing
        self.env["stock.quant"].with_context(inventory_mode=True).create(
            {
                "product_id": self.products[4].id,
                "location_id": self.berlin_wh.lot_stock_id.id,
                "inventory_quantity": 3,
            }
        ).action_apply_inventory()
        self.assertEqual(Job.search(domain) - before, jobs)


@tagged("post_install", "-at_install")
class TestInventoryPayloads(StockCase):
    """The pure parsing of inventory payloads refuses what it cannot trust."""

    def test_hostile_payloads_are_refused(self):
        good = {
            "inventory_item_id": 271878346596884015,
            "location_id": 24826418,
            "available": 6,
            "updated_at": "2026-11-02T10:00:00-05:00",
        }
        parsed = inventory.parse_inventory_level_rest(good)
        self.assertEqual(parsed["updated_at"], datetime(2026, 11, 2, 15, 0, tzinfo=timezone.utc))
        self.assertEqual(parsed["location_id"], "gid://shopify/Location/24826418")
        for change in (
            {"available": None},
            {"available": "6"},
            {"available": True},
            {"available": 6.5},
            {"inventory_item_id": None},
            {"location_id": -3},
            {"location_id": "12abc"},
            {"inventory_item_id": True},
            {"updated_at": None},
            {"updated_at": "yesterday"},
        ):
            with self.subTest(change=change), self.assertRaises(PayloadError):
                inventory.parse_inventory_level_rest({**good, **change})
        with self.assertRaises(PayloadError):
            inventory.parse_inventory_level_rest(["not", "a", "dict"])
        self.assertEqual(
            [inventory.push_quantity(q) for q in (-3, 0, 2.999, 7.0, None)], [0, 0, 2, 7, 0]
        )
        self.assertEqual(
            inventory.stock_deltas({"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 5}), [("b", 2), ("c", 3)]
        )
        self.assertEqual([len(b) for b in inventory.batches(range(501))], [250, 250, 1])
        with self.assertRaises(ValueError):
            inventory.batches([1], size=251)


@tagged("post_install", "-at_install")
class TestInventoryWebhook(StockCase, HttpCase):
    def post(self, payload, webhook_id):
        body = json.dumps(payload).encode()
        headers = webhook_headers(body, SECRET, "inventory_levels/update", webhook_id)
        response = self.url_open(
            f"/omni/webhook/shopify/{self.backend.id}", data=body, headers=headers, timeout=20
        )
        self.assertEqual(response.status_code, 200, response.text)
        event = self.events(topic="inventory_levels/update").sorted("id")[-1:]
        event._process_job()
        return event

    def payload(self, product, available, when, location=PARIS):
        item = self.item_gid(product).rsplit("/", 1)[-1]
        return {
            "inventory_item_id": int(item),
            "location_id": int(location),
            "available": available,
            "updated_at": when,
            "admin_graphql_api_id": f"gid://shopify/InventoryLevel/{location}?inventory_item_id={item}",
        }

    def level(self, product):
        return self.env["omni.stock.level"].search(
            [("location_id", "=", self.location(PARIS).id), ("product_id", "=", product.id)]
        )

    def test_webhook_updates_the_channel_quantity_and_older_ones_do_not(self):
        self.pull_locations()
        product = self.products[0]
        event = self.post(self.payload(product, 6, "2026-11-02T10:00:00-05:00"), "inv-1")
        self.assertEqual(event.state, "done", event.error_message)
        level = self.level(product)
        self.assertEqual(
            (level.channel_quantity, level.channel_updated_at), (6.0, datetime(2026, 11, 2, 15, 0))
        )
        # an older report arriving late changes nothing
        event = self.post(self.payload(product, 2, "2026-11-02T09:00:00-05:00"), "inv-2")
        self.assertEqual(event.state, "done", event.error_message)
        self.assertIn("Older", event.result_note)
        self.assertEqual(self.level(product).channel_quantity, 6.0)
        # a newer one does
        self.post(self.payload(product, 1, "2026-11-02T11:00:00-05:00"), "inv-3")
        self.assertEqual(self.level(product).channel_quantity, 1.0)
        # the same delivery twice is stored once
        self.post(self.payload(product, 1, "2026-11-02T11:00:00-05:00"), "inv-3")
        self.assertEqual(len(self.events(topic="inventory_levels/update")), 3)

    def test_newer_channel_report_is_healed_by_the_next_push(self):
        self.pull_locations()
        product = self.products[0]
        self.set_stock(product, 8)
        self.push()
        later = (datetime.now(timezone.utc) + timedelta(minutes=5)).isoformat()
        self.post(self.payload(product, 3, later), "inv-sale")  # sold in the shop
        note = self.push()
        self.assertIn("1 quantity(ies) sent", note)
        self.assertEqual(self.mutations()[-1][0][2], 8)

    def test_unknown_location_and_bad_payload_are_visible(self):
        self.pull_locations()
        event = self.post(
            self.payload(self.products[0], 4, "2026-11-02T10:00:00Z", location="99999"), "inv-x"
        )
        self.assertEqual(event.state, "done")
        self.assertIn("99999", event.result_note)
        bad = dict(self.payload(self.products[0], None, "2026-11-02T10:00:00Z"))
        event = self.post(bad, "inv-bad")
        self.assertEqual((event.state, event.error_class), ("failed", "payload"))
        self.assertFalse(self.level(self.products[0]))
