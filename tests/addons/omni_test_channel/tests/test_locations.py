from datetime import date, datetime

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import OmniTestChannelCase, order_payload


@tagged("post_install", "-at_install")
class TestChannelLocations(OmniTestChannelCase):
    """The shared location, stock level and store-day facts the connectors fill."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.default_warehouse = cls.backend.warehouse_id
        cls.shop_warehouse = cls.env["stock.warehouse"].create(
            {"name": "Paris shop", "code": "PAR", "company_id": cls.company.id}
        )
        cls.analytic = cls.env["account.analytic.account"].create(
            {
                "name": "Paris shop",
                "plan_id": cls.env["account.analytic.plan"].create({"name": "Stores"}).id,
            }
        )
        Location = cls.env["omni.location"]
        cls.store = Location.create(
            {
                "backend_id": cls.backend.id,
                "external_id": "store-par",
                "name": "Paris",
                "kind": "store",
                "warehouse_id": cls.shop_warehouse.id,
                "analytic_account_id": cls.analytic.id,
            }
        )
        cls.register = Location.create(
            {
                "backend_id": cls.backend.id,
                "external_id": "till-par-1",
                "name": "Paris till 1",
                "kind": "register",
                "parent_id": cls.store.id,
            }
        )

    def test_order_lands_in_the_mapped_warehouse(self):
        event = self.deliver(order_payload(location_id="till-par-1"))
        self.assertEqual(event.state, "done", event.error_message)
        sale_order = self.omni_order().sale_order_id
        # A register sells its store's stock and reports on the store's analytic account.
        self.assertEqual(sale_order.warehouse_id, self.shop_warehouse)
        self.assertEqual(sale_order.analytic_account_id, self.analytic)

    def test_unmapped_location_falls_back_to_the_backend_warehouse(self):
        self.deliver(order_payload(location_id="somewhere-else"))
        sale_order = self.omni_order().sale_order_id
        self.assertEqual(sale_order.warehouse_id, self.default_warehouse)
        self.assertFalse(sale_order.analytic_account_id)

    def test_find_is_per_backend(self):
        self.assertEqual(self.env["omni.location"]._find(self.backend, "store-par"), self.store)
        other = self.backend.copy({"name": "Other test channel"})
        self.assertFalse(self.env["omni.location"]._find(other, "store-par"))
        self.assertFalse(self.env["omni.location"]._find(self.backend, ""))

    def test_older_stock_report_never_overwrites_a_newer_one(self):
        Level = self.env["omni.stock.level"]
        newer, older = datetime(2026, 11, 2, 10), datetime(2026, 11, 2, 9)
        level = Level._record_channel_quantities(self.store, {self.product_a: (7, "item-1")}, newer)
        self.assertEqual((level.channel_quantity, level.inventory_item_ref), (7, "item-1"))
        self.assertFalse(
            Level._record_channel_quantities(self.store, {self.product_a: (3, "")}, older)
        )
        self.assertEqual(level.channel_quantity, 7)
        Level._record_channel_quantities(self.store, {self.product_a: (5, "")}, newer)
        self.assertEqual((level.channel_quantity, level.inventory_item_ref), (5, "item-1"))

    def test_store_day_gap_per_tender(self):
        day = self.env["omni.store.day"].create(
            {
                "backend_id": self.backend.id,
                "location_id": self.register.id,
                "business_date": date(2026, 11, 2),
                "currency_id": self.eur.id,
                "z_reported": True,
                "tender_ids": [
                    (0, 0, {"tender": "cash", "z_amount": 120.50, "transactions_amount": 125.50}),
                    (0, 0, {"tender": "card", "z_amount": 300.00, "transactions_amount": 300.00}),
                ],
            }
        )
        cash, card = day.tender_ids.sorted("tender")[::-1]
        self.assertEqual((cash.tender, cash.gap_amount), ("cash", -5.0))
        self.assertEqual(card.gap_amount, 0.0)
        self.assertEqual((day.z_total, day.transactions_total, day.gap_total), (420.5, 425.5, -5.0))
        self.assertEqual(day.display_name, "Paris till 1 2026-11-02")

    def test_user_without_omni_group_sees_no_location(self):
        user = self.env["res.users"].create(
            {
                "name": "Clerk",
                "login": "omni-clerk",
                "groups_id": [(6, 0, [self.env.ref("base.group_user").id])],
            }
        )
        with self.assertRaises(AccessError):
            self.env["omni.location"].with_user(user).search([])
