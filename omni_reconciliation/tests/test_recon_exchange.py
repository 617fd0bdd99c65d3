"""An exchange swaps goods within an order: the unit that came back for the exchange item is
not an unrefunded return, and the sale order's total stays the channel's."""

from odoo.tests import tagged

from .common import ReconScenarioCase


@tagged("post_install", "-at_install")
class TestReconExchange(ReconScenarioCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_goods = cls.env["product.product"].create(
            {
                "name": "Recon Goods (other size)",
                "detailed_type": "product",
                "invoice_policy": "order",
                "taxes_id": [(5, 0, 0)],
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.other_goods, cls.warehouse.lot_stock_id, 10
        )

    def order_with_a_unit_back(self, exchanged):
        """2 x 30.00 sold, delivered, invoiced and paid; one unit came back through a return
        (``exchanged``: for an exchange item of the same price, as the importer books it)."""
        order = self.omni_order(60.0)
        so = self.sale_order(order, 30.0, qty=2, product=self.goods)
        self.deliver(so)
        self.invoice(so)
        self.payment(60.0, order)
        self.return_goods(so, 1)
        if exchanged:
            sale_line = so.order_line
            omni_line = self.env["omni.order.line"].create(
                {
                    "order_id": order.id,
                    "external_id": "L1",
                    "sale_line_id": sale_line.id,
                    "quantity": 2,
                    "price_unit": 30.0,
                }
            )
            ret = self.env["omni.return"].create(
                {
                    "backend_id": self.backend.id,
                    "external_id": self._next("R"),
                    "name": "R1",
                    "omni_order_id": order.id,
                    "state": "closed",
                }
            )
            self.env["omni.return.line"].create(
                {
                    "return_id": ret.id,
                    "external_id": "RL1",
                    "order_line_id": omni_line.id,
                    "quantity": 1,
                    "quantity_processed": 1,
                    "quantity_restocked": 1,
                    "quantity_exchanged": 1,
                }
            )
            # what the importer's _swap_exchanged_quantities does
            sale_line.write({"product_uom_qty": 1, "price_unit": 30.0})
            self.env["sale.order.line"].create(
                {
                    "order_id": so.id,
                    "product_id": self.other_goods.id,
                    "product_uom_qty": 1,
                    "price_unit": 30.0,
                    "tax_id": [(6, 0, [])],
                }
            )
        return order

    def test_exchange_is_no_unrefunded_return_and_no_amount_gap(self):
        exchanged = self.order_with_a_unit_back(exchanged=True)
        returned = self.order_with_a_unit_back(exchanged=False)
        run = self.run_recon()
        types = {
            order: set(
                run.exception_ids.filtered(lambda e, o=order: e.omni_order_id == o).mapped(
                    "exception_type"
                )
            )
            for order in (exchanged, returned)
        }
        self.assertEqual(exchanged.sale_order_id.amount_total, 60.0)
        self.assertNotIn("return_without_refund", types[exchanged])
        self.assertNotIn("amount_mismatch", types[exchanged])
        # the control: the same unit back without an exchange is due a refund
        self.assertIn("return_without_refund", types[returned])
