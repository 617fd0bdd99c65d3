"""The setup guide of a Shopify shop names what the first connection still lacks: the
credentials, the access scopes the app was not granted, the webhooks' secret and
subscriptions."""

from odoo.tests import tagged

from .common import ShopifyCase


@tagged("post_install", "-at_install")
class TestShopifySetupGuide(ShopifyCase):
    def guide(self, backend):
        return self.env["omni.backend.setup.wizard"].create({"backend_id": backend.id})

    def steps(self, backend):
        return {step["key"]: step for step in backend._omni_setup_steps()}

    def test_missing_scopes_named_after_the_test(self):
        self.sandbox.access_scopes = ("read_orders", "write_inventory", "read_locations")
        self.addCleanup(delattr, self.sandbox, "access_scopes")
        backend = self.backend
        self.assertEqual(
            list(self.steps(backend)),
            ["credentials", "connection", "scopes", "webhook_secret", "webhooks"],
        )
        guide = self.guide(backend)
        self.assertIn("Press Test Connection", guide.next_step)
        guide.action_test_connection()
        guide.invalidate_recordset()
        self.assertEqual(backend.state, "connected", backend.connection_message)
        scopes = self.steps(backend)["scopes"]
        self.assertFalse(scopes["done"])
        for missing in ("read_returns", "read_shopify_payments_payouts"):
            self.assertIn(missing, scopes["how"])
        # write_inventory grants read_inventory; granted ones are not asked for
        for granted in ("read_orders", "write_inventory", "read_locations"):
            self.assertNotIn(granted, scopes["how"])
        self.assertEqual(guide.next_step, scopes["how"], "the next step is the scopes")

    def test_credentials_then_secret_then_webhooks(self):
        self.backend.active = False  # one backend per shop: this one takes the sandbox's
        backend = self.make_backend("Bare shop", shopify_access_token=False, webhook_secret=False)
        guide = self.guide(backend)
        self.assertIn("Admin API access token", guide.next_step)
        backend.shopify_auth_method = "client_credentials"
        guide.invalidate_recordset()
        self.assertIn("Client ID and Client Secret", guide.next_step)
        backend.write(
            {
                "shopify_auth_method": "token",
                "shopify_access_token": self.backend.sudo().shopify_access_token,
            }
        )
        guide.action_test_connection()
        guide.invalidate_recordset()
        self.assertIn("client secret", guide.next_step, "Shopify signs with the app's secret")
        backend.webhook_secret = "shopify-app-secret"
        guide.invalidate_recordset()
        self.assertIn("Register / check webhooks", guide.next_step)
        self.assertFalse(guide.ready)
