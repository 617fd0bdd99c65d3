"""The Shopify backend: the channel, its job channel, its menu, its secrets, and webhooks that
fail closed."""

from omni_sandboxes.shopify_sandbox import webhook_headers

from odoo.tests import TransactionCase, tagged

from odoo.addons.omni_connector_base.tests.common import ChannelBackendChecks
from odoo.addons.omni_connector_base.tools.errors import SignatureError


@tagged("post_install", "-at_install")
class TestShopifyBackend(ChannelBackendChecks, TransactionCase):
    channel = "shopify"
    module = "omni_connector_shopify"
    channel_label = "Shopify"

    def test_webhooks_fail_closed(self):
        """No secret configured: every webhook is rejected, even one signed right with the
        app's secret; configured with another secret, rejected too; with that secret, the
        very same request passes (so only the secret failed it)."""
        body = b'{"id": 820982911946154500, "name": "#1001"}'
        headers = webhook_headers(body, "shpss_app_secret", "orders/create")
        self.backend.webhook_secret = False
        with self.assertRaises(SignatureError):
            self.backend._omni_webhook_verify(body, headers)
        self.backend.webhook_secret = "shpss_configured"
        with self.assertRaises(SignatureError):
            self.backend._omni_webhook_verify(body, headers)
        self.backend.webhook_secret = "shpss_app_secret"
        self.backend._omni_webhook_verify(body, headers)

    def test_connection_test_without_shop_fails_cleanly(self):
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "error")
        self.assertTrue(self.backend.connection_message)

    def test_defaults_and_secret_fields(self):
        self.assertEqual(self.backend.shopify_api_version, "2026-07")
        field = self.env["omni.backend"]._fields["shopify_access_token"]
        self.assertEqual(field.groups, "omni_connector_base.group_omni_manager")
        self.assertFalse(field.copy)
