"""The Stripe backend: its channel, job channel, menu; webhooks and connection fail closed."""

from odoo.tests import TransactionCase, tagged

from odoo.addons.omni_connector_base.tests.common import ChannelBackendChecks
from odoo.addons.omni_connector_base.tools.errors import SignatureError


@tagged("post_install", "-at_install")
class TestStripeBackend(ChannelBackendChecks, TransactionCase):
    channel = "stripe"
    module = "omni_connector_stripe"
    channel_label = "Stripe"

    def test_webhooks_fail_closed_without_secret(self):
        with self.assertRaises(SignatureError):
            self.backend._omni_webhook_verify(b"{}", {"Stripe-Signature": "t=1,v1=00"})

    def test_connection_test_without_key(self):
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "error")
        self.assertIn("no Stripe secret key", self.backend.connection_message)
