"""The setup guide of a backend: each step of the first connection, what is missing in words,
the next step; it tests the connection with the backend's own test, and shows no secret."""

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import OmniTestChannelCase


@tagged("post_install", "-at_install")
class TestSetupGuide(OmniTestChannelCase):
    def guide(self, backend):
        return self.env["omni.backend.setup.wizard"].create({"backend_id": backend.id})

    def steps(self, guide):
        return {step["key"]: step for step in guide.backend_id._omni_setup_steps()}

    def test_first_connection_step_by_step(self):
        backend = self.make_backend("New channel")
        guide = self.guide(backend)
        steps = self.steps(guide)
        self.assertEqual(list(steps), ["connection", "webhook_secret"])
        self.assertFalse(guide.ready)
        self.assertIn("Press Test Connection", guide.next_step)
        self.assertIn("o_omni_setup_step_connection o_omni_step_todo", guide.steps_html)
        guide.action_test_connection()
        guide.invalidate_recordset()
        self.assertEqual(backend.state, "connected")
        self.assertIn("o_omni_setup_step_connection o_omni_step_done", guide.steps_html)
        self.assertIn("test channel reachable", guide.steps_html, "what the test found")
        # next: the webhook secret, with the URL to give the channel
        self.assertIn("Webhook Secret", guide.next_step)
        self.assertIn(backend.webhook_url, guide.next_step)
        backend.webhook_secret = "whsec-guide-0123456789"
        guide.invalidate_recordset()
        self.assertTrue(guide.ready)
        self.assertIn("All set", guide.next_step)
        self.assertNotIn("whsec-guide-0123456789", guide.steps_html, "no secret shown")

    def test_failed_test_says_why(self):
        backend = self.make_backend("Failing channel")
        backend.sudo().write({"state": "error", "connection_message": "401: token revoked"})
        guide = self.guide(backend)
        self.assertIn("401: token revoked", guide.next_step)

    def test_hostile_markup_in_a_message_is_escaped(self):
        backend = self.make_backend("<b>x</b>")
        backend.sudo().write({"state": "error", "connection_message": "<script>alert(1)</script>"})
        guide = self.guide(backend)
        self.assertNotIn("<script>", guide.steps_html)
        self.assertIn("&lt;script&gt;", guide.steps_html)

    def test_managers_only(self):
        user = new_test_user(self.env, "guide_user", groups="omni_connector_base.group_omni_user")
        with self.assertRaises(AccessError):
            self.env["omni.backend.setup.wizard"].with_user(user).create(
                {"backend_id": self.backend.id}
            )
