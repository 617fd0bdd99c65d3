"""Least privilege: every Shopify operation on a backend is a manager's, whatever RPC says."""

from odoo.addons.omni_connector_base.tests.common import OmniCommon
from odoo.addons.omni_connector_base.tests.roles import RolesMixin


class TestShopifyRoles(RolesMixin, OmniCommon):
    channel = "shopify"
    roles_backend_vals = {
        "shopify_shop_url": "https://omni-roles.myshopify.com",
        "shopify_access_token": "shpat_roles",
    }

    def test_operations_are_managers(self):
        for method in (
            "action_shopify_pull_orders",
            "action_shopify_pull_payouts",
            "action_shopify_pull_locations",
            "action_shopify_push_stock",
            "action_shopify_register_webhooks",
            "action_shopify_backfill_orders",
        ):
            self.assertEqual(len(self.assert_manager_only(self.backend, method)), 1, method)
        self.assertTrue(self.assert_manager_only(self.backend, "action_shopify_pull_master_data"))
