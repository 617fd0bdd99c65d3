"""Least privilege: every Shopify operation on a backend is a manager's, whatever RPC says."""

from odoo.addons.omni_connector_base.tests.common import OmniCommon
from odoo.addons.omni_connector_base.tests.roles import RolesMixin


class TestShopifyRoles(RolesMixin, OmniCommon):
    channel = "shopify"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.make_backend(
            "Roles shop",
            shopify_shop_url="https://omni-roles.myshopify.com",
            shopify_access_token="shpat_roles",
        )

    def test_operations_are_managers(self):
        for method, jobs in (
            ("action_shopify_pull_orders", 1),
            ("action_shopify_pull_payouts", 1),
            ("action_shopify_pull_locations", 1),
            ("action_shopify_push_stock", 1),
            ("action_shopify_register_webhooks", 1),
            ("action_shopify_backfill_orders", 1),
        ):
            enqueued = self.assert_manager_only(self.backend, method)
            self.assertEqual(len(enqueued), jobs, method)
        self.assertTrue(self.assert_manager_only(self.backend, "action_shopify_pull_master_data"))
