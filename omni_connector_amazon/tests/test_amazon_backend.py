"""The Amazon backend: channel, job channel, menus, credentials and the access token."""

from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import TransactionCase, tagged

from odoo.addons.omni_connector_base.tests.common import ChannelBackendChecks


@tagged("post_install", "-at_install")
class TestAmazonBackend(ChannelBackendChecks, TransactionCase):
    channel = "amazon"
    module = "omni_connector_amazon"
    channel_label = "Amazon"

    def test_connection_test_without_credentials(self):
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "error")
        self.assertIn("no Login with Amazon client id", self.backend.connection_message)

    def test_setup_guide(self):
        """Credentials, then the seller, then the test; Amazon is pulled: no webhook step."""
        guide = self.env["omni.backend.setup.wizard"].create({"backend_id": self.backend.id})
        steps = [step["key"] for step in self.backend._omni_setup_steps()]
        self.assertEqual(steps, ["credentials", "seller", "connection"])
        self.assertIn("refresh token", guide.next_step)
        self.backend.sudo().write(
            {
                "amazon_lwa_client_id": "amzn1.application-oa2-client.x",
                "amazon_lwa_client_secret": "lwa-secret-0f3c",
                "amazon_refresh_token": "Atzr|refresh-9d1e",
            }
        )
        guide.invalidate_recordset()
        self.assertIn("marketplace IDs", guide.next_step)
        for secret in ("lwa-secret-0f3c", "Atzr|refresh-9d1e"):
            self.assertNotIn(secret, guide.steps_html + guide.next_step)

    def test_credentials_are_for_managers_and_not_copied(self):
        for name in ("amazon_lwa_client_id", "amazon_lwa_client_secret", "amazon_refresh_token"):
            field = self.env["omni.backend"]._fields[name]
            self.assertEqual(field.groups, "omni_connector_base.group_omni_manager", name)
            self.assertFalse(field.copy, name)
        self.backend.sudo().write(
            {"amazon_lwa_client_secret": "secret", "amazon_refresh_token": "Atzr|x"}
        )
        copy = self.backend.sudo().copy()
        self.assertFalse(copy.amazon_lwa_client_secret or copy.amazon_refresh_token)

    def test_neutralized_on_database_copies(self):
        """``odoo-bin neutralize`` runs every installed module's data/neutralize.sql: the
        Amazon credentials and token are gone, the backend disabled."""
        self.backend.sudo().write(
            {
                "amazon_lwa_client_id": "amzn1.application-oa2-client.x",
                "amazon_lwa_client_secret": "secret",
                "amazon_refresh_token": "Atzr|x",
                "amazon_access_token": "Atza|x",
            }
        )
        self.env.flush_all()
        for query in get_neutralization_queries(["omni_connector_base", "omni_connector_amazon"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        backend = self.backend.sudo().with_context(active_test=False)
        self.assertFalse(backend.active)
        self.assertFalse(
            backend.amazon_lwa_client_secret
            or backend.amazon_refresh_token
            or backend.amazon_access_token
        )
