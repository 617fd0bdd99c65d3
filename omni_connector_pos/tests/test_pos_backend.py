"""The Point of Sale backend: channel, job channel, menu, webhook verification (fail closed),
walk-in customer, connection test."""

import hashlib
import hmac

from odoo.tests import TransactionCase, tagged

from odoo.addons.omni_connector_base.tests.common import ChannelBackendChecks
from odoo.addons.omni_connector_base.tools.errors import SignatureError


@tagged("post_install", "-at_install")
class TestPosBackend(ChannelBackendChecks, TransactionCase):
    channel = "pos"
    module = "omni_connector_pos"
    channel_label = "Point of Sale"

    def test_webhooks_fail_closed(self):
        """No secret (even for a request signed right), no header, a wrong or truncated
        signature: rejected."""
        body = b'{"record_type": "z_report"}'
        good = hmac.new(b"pos_secret", body, hashlib.sha256).hexdigest()
        self.assertFalse(self.backend.webhook_secret)
        with self.assertRaises(SignatureError):
            self.backend._omni_webhook_verify(body, {"X-Pos-Signature": f"sha256={good}"})
        self.backend.webhook_secret = "pos_secret"
        self.backend._omni_webhook_verify(body, {"X-Pos-Signature": f"sha256={good}"})
        self.backend._omni_webhook_verify(body, {"x-pos-signature": good})
        for headers in (
            {},
            {"X-Pos-Signature": ""},
            {"X-Pos-Signature": f"sha256={good[:-2]}"},
            {"X-Pos-Signature": "sha256=" + hmac.new(b"other", body, hashlib.sha256).hexdigest()},
        ):
            with self.assertRaises(SignatureError):
                self.backend._omni_webhook_verify(body, headers)
        with self.assertRaises(SignatureError):
            self.backend._omni_webhook_verify(body + b" ", {"X-Pos-Signature": good})

    def test_walk_in_customer_per_backend(self):
        partner = self.backend.default_partner_id
        self.assertTrue(partner)
        self.assertIn(self.backend.name, partner.name)
        other = self.env["omni.backend"].create({"name": "Other chain", "channel": self.channel})
        self.assertNotEqual(other.default_partner_id, partner)

    def test_connection_test_needs_a_way_in(self):
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "error")
        self.assertTrue(self.backend.connection_message)
        self.backend.webhook_secret = "pos_secret"
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "connected")
        self.backend.pos_source = "odoo"
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "error")

    def test_setup_guide(self):
        """External tills: the guide asks for a way in, then the test, then the secret; Odoo's
        own POS: the registers to mirror, and no webhook step at all."""
        guide = self.env["omni.backend.setup.wizard"].create({"backend_id": self.backend.id})
        steps = [step["key"] for step in self.backend._omni_setup_steps()]
        self.assertEqual(steps, ["credentials", "connection", "webhook_secret"])
        self.assertIn("POS API URL", guide.next_step)
        self.backend.webhook_secret = "pos_secret"
        guide.action_test_connection()
        guide.invalidate_recordset()
        self.assertTrue(guide.ready, guide.next_step)
        self.backend.pos_source = "odoo"
        guide.invalidate_recordset()
        steps = [step["key"] for step in self.backend._omni_setup_steps()]
        self.assertEqual(steps, ["registers", "connection"])
        self.assertIn("Odoo POS registers", guide.next_step)
