"""End to end across addons: what ShipBob holds, pulled over HTTP, against what Odoo's 3PL
warehouse has, as the reconciliation's stock drift."""

from odoo import fields
from odoo.tests import tagged

from odoo.addons.omni_connector_3pl.tests.common import CICERO, ShipBobCase
from odoo.addons.queue_job.tests.common import trap_jobs


@tagged("post_install", "-at_install")
class Test3plStockDrift(ShipBobCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.products.write({"detailed_type": "product", "standard_price": 4.0})
        stock = cls.tpl_warehouse.lot_stock_id
        # Odoo believes Cicero holds 118 mugs (ShipBob: 120), 75 t-shirts and 12 caps (same)
        for product, quantity in ((cls.mug, 118), (cls.tee, 75), (cls.cap, 12)):
            cls.env["stock.quant"]._update_available_quantity(product, stock, quantity)

    def drifts(self):
        today = fields.Date.context_today(self.env["omni.recon.run"])
        run = self.env["omni.recon.run"].create(
            {"company_id": self.company.id, "date_from": today, "date_to": today}
        )
        run.with_context(omni_recon_no_action=True).action_run()
        return self.env["omni.recon.exception"].search(
            [
                ("exception_type", "=", "stock_drift"),
                ("state", "=", "open"),
                ("backend_id", "=", self.backend.id),
            ]
        )

    def test_the_3pl_stock_is_reconciled(self):
        with trap_jobs() as trap:
            self.backend.action_tpl_pull_inventory()
        trap.perform_enqueued_jobs()
        drift = self.drifts()
        self.assertEqual(drift.product_id, self.mug)
        self.assertEqual(drift.stock_level_id.location_id.external_id, CICERO)
        self.assertAlmostEqual(drift.amount, 8.0, msg="2 mugs at cost 4.00")
        # the two missing mugs are found: after the next pull, nothing drifts
        self.env["stock.quant"]._update_available_quantity(
            self.mug, self.tpl_warehouse.lot_stock_id, 2
        )
        self.assertFalse(self.drifts())
