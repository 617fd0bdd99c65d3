"""The Point of Sale backend: channel, job channel, menu, webhook verification (fail closed),
walk-in customer, connection test."""

import hashlib
import hmac

from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.omni_connector_base.tools.errors import SignatureError

CHANNEL = "pos"
MODULE = "omni_connector_pos"


@tagged("post_install", "-at_install")
class TestPosBackend(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["omni.backend"].create(
            {"name": "Test Store Chain", "channel": CHANNEL}
        )

    def test_channel_is_selectable(self):
        field = self.env["omni.backend"]._fields["channel"]
        self.assertEqual(dict(field._description_selection(self.env))[CHANNEL], "Point of Sale")
        self.assertEqual(self.backend.company_id, self.env.company)
        self.assertEqual(self.backend.state, "draft")

    def test_default_status_map(self):
        expected = self.env["omni.status.map"]._default_rows(CHANNEL)
        self.assertTrue(expected)
        self.assertEqual(
            {
                (row.kind, row.channel_state, row.canonical_state, row.action)
                for row in self.backend.status_map_ids
            },
            {(v["kind"], v["channel_state"], v["canonical_state"], v["action"]) for v in expected},
        )
        self.assertEqual(len(self.backend.status_map_ids), len(expected))

    def test_job_channel(self):
        self.assertEqual(self.backend._omni_job_channel(), f"root.omni.{CHANNEL}")
        channel = self.env["queue.job.channel"].search(
            [("complete_name", "=", f"root.omni.{CHANNEL}")]
        )
        self.assertEqual(channel, self.env.ref(f"{MODULE}.queue_job_channel_omni_{CHANNEL}"))
        self.assertEqual(
            channel.parent_id, self.env.ref("omni_connector_base.queue_job_channel_omni")
        )

    def test_webhooks_fail_closed(self):
        """No secret, no header, a wrong or truncated signature: rejected."""
        body = b'{"record_type": "z_report"}'
        with self.assertRaises(SignatureError):
            self.backend._omni_webhook_verify(body, {"X-Pos-Signature": "sha256=00"})
        self.backend.webhook_secret = "pos_secret"
        good = hmac.new(b"pos_secret", body, hashlib.sha256).hexdigest()
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
        other = self.env["omni.backend"].create({"name": "Other chain", "channel": CHANNEL})
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

    def test_configuration_menu(self):
        action = self.env.ref(f"{MODULE}.omni_backend_action_{CHANNEL}")
        self.assertEqual(action.res_model, "omni.backend")
        self.assertEqual(safe_eval(action.context), {"default_channel": CHANNEL})
        field = self.env["omni.backend"]._fields["channel"]
        others = [key for key, _label in field._description_selection(self.env) if key != CHANNEL]
        other = self.env["omni.backend"]
        if others:  # another channel is installed: its backends stay out of this menu
            other = other.create({"name": "Other Channel", "channel": others[0]})
        shown = self.env["omni.backend"].search(safe_eval(action.domain))
        self.assertIn(self.backend, shown)
        self.assertEqual(set(shown.mapped("channel")), {CHANNEL})
        self.assertFalse(other & shown)
        menu = self.env.ref(f"{MODULE}.menu_omni_{CHANNEL}_backends")
        self.assertEqual(menu.action, action)
        self.assertEqual(menu.parent_id, self.env.ref("omni_connector_base.menu_omni_config"))
        self.assertEqual(menu.groups_id, self.env.ref("omni_connector_base.group_omni_manager"))
