"""The Stripe backend: its channel, job channel, menu; webhooks and connection fail closed."""

from odoo.tests import TransactionCase, tagged

from odoo.addons.omni_connector_base.tools.errors import SignatureError

CHANNEL = "stripe"
MODULE = "omni_connector_stripe"


@tagged("post_install", "-at_install")
class TestStripeBackend(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["omni.backend"].create(
            {"name": "Test Stripe Account", "channel": CHANNEL}
        )

    def test_channel_is_selectable(self):
        field = self.env["omni.backend"]._fields["channel"]
        self.assertEqual(dict(field._description_selection(self.env))[CHANNEL], "Stripe")
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

    def test_webhooks_fail_closed_without_secret(self):
        with self.assertRaises(SignatureError):
            self.backend._omni_webhook_verify(b"{}", {"Stripe-Signature": "t=1,v1=00"})

    def test_connection_test_without_key(self):
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "error")
        self.assertIn("no Stripe secret key", self.backend.connection_message)
