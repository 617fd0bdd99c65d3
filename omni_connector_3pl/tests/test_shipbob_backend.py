"""The 3PL backend: channel, job channel, menus, the ShipBob token, multi-company."""

from odoo.exceptions import AccessError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import TransactionCase, tagged
from odoo.tests.common import new_test_user

from odoo.addons.omni_connector_base.tests.common import ChannelBackendChecks
from odoo.addons.omni_connector_base.tests.roles import RolesMixin

from .common import ShipBobCase


@tagged("post_install", "-at_install")
class TestShipBobBackend(ChannelBackendChecks, TransactionCase):
    channel = "3pl"
    module = "omni_connector_3pl"
    channel_label = "3PL Warehouse"

    def test_connection_test_without_token(self):
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "error")
        self.assertIn("no ShipBob personal access token", self.backend.connection_message)

    def test_token_is_for_managers_and_not_copied(self):
        for name in ("shipbob_token", "webhook_secret"):
            field = self.env["omni.backend"]._fields[name]
            self.assertEqual(field.groups, "omni_connector_base.group_omni_manager", name)
            self.assertFalse(field.copy, name)
        self.backend.sudo().write({"shipbob_token": "pat_x", "webhook_secret": "whsec_x"})
        copy = self.backend.sudo().copy()
        self.assertFalse(copy.shipbob_token or copy.webhook_secret)
        user = new_test_user(self.env, "tpl_user", groups="omni_connector_base.group_omni_user")
        with self.assertRaises(AccessError):
            self.backend.with_user(user).read(["shipbob_token"])

    def test_neutralized_on_database_copies(self):
        self.backend.sudo().write(
            {
                "shipbob_token": "pat_live",
                "webhook_secret": "whsec_live",
                "tpl_webhook_subscription_ids": "123",
            }
        )
        self.env.flush_all()
        for query in get_neutralization_queries(["omni_connector_base", "omni_connector_3pl"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        backend = self.backend.sudo().with_context(active_test=False)
        self.assertFalse(backend.active)
        self.assertFalse(
            backend.shipbob_token or backend.webhook_secret or backend.tpl_webhook_subscription_ids
        )


@tagged("post_install", "-at_install")
class TestShipBobAccess(RolesMixin, ShipBobCase):
    def test_channel_operations_are_managers(self):
        self.assertTrue(self.assert_manager_only(self.backend, "action_tpl_pull_inventory"))
        self.assertTrue(self.assert_manager_only(self.backend, "action_tpl_poll_shipments"))
        self.assert_manager_only(self.backend, "action_tpl_pull_centres")
        self.assert_manager_only(self.backend, "action_tpl_register_webhooks")
        self.assertEqual(len(self.sandbox.world.subscriptions), 1, "the manager's only")
        unknown = self.make_products([("NOT-AT-SHIPBOB", "Local product", 5)])
        order, trap = self.sell({unknown: 1})
        trap.perform_enqueued_jobs()
        dispatch = order.picking_ids.omni_dispatch_id
        self.assertEqual(dispatch.state, "error")
        self.assertTrue(self.assert_manager_only(dispatch, "action_retry"))

    def test_dispatches_stay_in_their_company(self):
        picking, __ = self.send({self.mug: 1})
        other = self.env["res.company"].create({"name": "Other retailer"})
        outsider = new_test_user(
            self.env,
            "tpl_outsider",
            groups="omni_connector_base.group_omni_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        Dispatch = self.env["omni.dispatch"].with_user(outsider)
        self.assertFalse(Dispatch.search([("id", "=", picking.omni_dispatch_id.id)]))
        self.assertFalse(self.env["omni.dispatch.shipment"].with_user(outsider).search_count([]))
        self.assertEqual(
            self.env["omni.dispatch"]
            .with_user(self.omni_user)
            .search([("id", "=", picking.omni_dispatch_id.id)]),
            picking.omni_dispatch_id,
        )
