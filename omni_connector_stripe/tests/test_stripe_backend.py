"""The Stripe backend: its channel, job channel, menu; webhooks and connection fail closed."""

from omni_sandboxes.stripe_sandbox import sign_payload

from odoo.tests import TransactionCase, tagged

from odoo.addons.omni_connector_base.tests.common import ChannelBackendChecks
from odoo.addons.omni_connector_base.tools.errors import SignatureError


@tagged("post_install", "-at_install")
class TestStripeBackend(ChannelBackendChecks, TransactionCase):
    channel = "stripe"
    module = "omni_connector_stripe"
    channel_label = "Stripe"

    def test_webhooks_fail_closed_without_secret(self):
        """A webhook signed right, with a secret the backend does not have: rejected; once that
        secret is configured the very same request passes, so only the missing secret failed."""
        body = b'{"id": "evt_1", "object": "event", "type": "charge.succeeded"}'
        headers = {"Stripe-Signature": sign_payload(body, "whsec_not_configured")}
        self.assertFalse(self.backend.webhook_secret)
        with self.assertRaises(SignatureError):
            self.backend._omni_webhook_verify(body, headers)
        self.backend.webhook_secret = "whsec_not_configured"
        self.backend._omni_webhook_verify(body, headers)

    def test_connection_test_without_key(self):
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "error")
        self.assertIn("no Stripe secret key", self.backend.connection_message)
