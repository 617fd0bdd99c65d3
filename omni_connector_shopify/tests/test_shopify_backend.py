"""The Shopify backend: the channel, its job channel, its menu, its secrets, and webhooks that
fail closed."""

from omni_sandboxes.shopify_sandbox import webhook_headers

from odoo.tests import TransactionCase, tagged

from odoo.addons.omni_connector_base.tests.common import ChannelBackendChecks
from odoo.addons.omni_connector_base.tools.errors import PayloadError, SignatureError

from ..const import JOB_LABELS, TOPIC_HANDLERS, WEBHOOK_TOPICS


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
        self.backend.shopify_shop_url = "omni-sandbox.myshopify.com"
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

    def test_every_topic_has_its_handler(self):
        """Each subscribed topic is processed, by a handler the model has; a topic nobody
        handles fails the event visibly."""
        self.assertFalse(set(WEBHOOK_TOPICS) - set(TOPIC_HANDLERS))
        for topic, handler in TOPIC_HANDLERS.items():
            self.assertTrue(callable(getattr(self.backend, handler, None)), topic)
        for method in JOB_LABELS:
            self.assertTrue(callable(getattr(self.backend, method, None)), method)
        event = self.env["omni.event"].new({"topic": "carts/create", "payload": "{}"})
        with self.assertRaisesRegex(PayloadError, "carts/create"):
            self.backend._omni_process_event(event)
