"""Least privilege: a POS sync and a file import are a manager's, whatever RPC says."""

import base64

from odoo.exceptions import AccessError

from odoo.addons.omni_connector_base.tests.common import OmniCommon
from odoo.addons.omni_connector_base.tests.roles import RolesMixin


class TestPosRoles(RolesMixin, OmniCommon):
    channel = "pos"
    roles_backend_vals = {"pos_api_url": "http://127.0.0.1:9", "pos_api_key": "pos_roles"}

    def test_sync_now_is_managers(self):
        self.assertEqual(len(self.assert_manager_only(self.backend, "action_pos_sync_now")), 1)

    def test_import_wizard_is_managers(self):
        with self.assertRaises(AccessError):
            self.env["omni.pos.import.wizard"].with_user(self.omni_user).create(
                {"backend_id": self.backend.id, "file": base64.b64encode(b"[]")}
            )
