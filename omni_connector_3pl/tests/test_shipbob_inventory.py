"""ShipBob's stock per fulfilment centre lands as channel stock levels."""

from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import CICERO, MORENO, ShipBobCase


@tagged("post_install", "-at_install")
class TestShipBobInventory(ShipBobCase):
    def levels(self):
        return {
            (level.location_id.external_id, level.product_id): level.channel_quantity
            for level in self.env["omni.stock.level"].search([("backend_id", "=", self.backend.id)])
        }

    def pull(self):
        with trap_jobs() as trap:
            self.backend.action_tpl_pull_inventory()
        trap.assert_jobs_count(1)
        trap.perform_enqueued_jobs()

    def test_centres_are_pulled_once(self):
        self.backend.action_tpl_pull_centres()
        self.backend.action_tpl_pull_centres()
        locations = self.env["omni.location"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(sorted(locations.mapped("external_id")), [CICERO, MORENO])
        self.assertEqual(locations.filtered(lambda loc: loc.external_id == CICERO), self.cicero)

    def test_fulfillable_quantities_per_mapped_centre(self):
        self.pull()
        self.assertEqual(
            self.levels(),
            {(CICERO, self.mug): 120, (CICERO, self.tee): 75, (CICERO, self.cap): 12},
            "Moreno Valley is not mapped: not stored",
        )
        level = self.env["omni.stock.level"].search(
            [("backend_id", "=", self.backend.id), ("product_id", "=", self.mug.id)]
        )
        self.assertEqual(level.inventory_item_ref, "7001")
        self.assertEqual(level.warehouse_id, self.tpl_warehouse)
        stream = self.backend._stream("inventory")
        self.assertTrue(stream.last_success_at)

    def test_shipments_and_new_centres_show_at_the_next_pull(self):
        self.pull()
        picking, order = self.send({self.mug: 5})
        self.sandbox.ship(order["id"], {"SB-MUG": 5})
        self.backend.action_tpl_pull_centres()
        moreno = self.env["omni.location"]._find(self.backend, MORENO)
        moreno.warehouse_id = self.warehouse
        self.pull()
        levels = self.levels()
        self.assertEqual(levels[(CICERO, self.mug)], 115)
        self.assertEqual(levels[(MORENO, self.tee)], 0)
        self.assertEqual(levels[(MORENO, self.mug)], 40)

    def test_throttled_pull_is_retried_and_unknown_skus_reported(self):
        self.sandbox.world.catalog += (("SB-GHOST", "Not in Odoo", 7999, {10: 4}),)
        self.sandbox.add_fault("429", retry_after=3, path_prefix="/2026-01/inventory-level")
        with trap_jobs() as trap:
            self.backend.action_tpl_pull_inventory()
        job = trap.enqueued_jobs[0]
        with self.assertRaises(RetryableJobError) as throttled:
            job.perform()
        self.assertEqual(throttled.exception.seconds, 3)
        self.assertFalse(self.levels())
        result = job.perform()
        self.assertIn("unknown SKUs: SB-GHOST", result)
        self.assertEqual(len(self.levels()), 3)

    def test_cron_only_enqueues(self):
        with trap_jobs() as trap:
            self.env["omni.backend"]._cron_tpl_pull_inventory()
        trap.assert_enqueued_job(self.backend._tpl_pull_inventory)
        self.assertFalse(self.sandbox.requests)
