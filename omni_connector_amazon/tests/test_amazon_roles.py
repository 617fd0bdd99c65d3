"""Least privilege: importing a settlement report is a manager's, whatever RPC says."""

import base64

from odoo.exceptions import AccessError

from odoo.addons.omni_connector_base.tests.roles import RolesMixin

from .common import AmazonCase


class TestAmazonRoles(RolesMixin, AmazonCase):
    def test_settlement_import_is_managers(self):
        events = self.env["omni.event"].search_count([])
        wizard = (
            self.env["omni.amazon.settlement.import"]
            .with_user(self.omni_user)
            .create({"backend_id": self.backend.id, "settlement_file": base64.b64encode(b"x")})
        )
        with self.assertRaises(AccessError):
            wizard.action_import()
        self.assertEqual(self.env["omni.event"].search_count([]), events)
