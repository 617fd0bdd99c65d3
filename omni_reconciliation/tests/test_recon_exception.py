"""What the reconciliation skeleton provides: the exception model, its workflow, its
security (access rights and multi-company rule) and its place in Accounting."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from ..models.omni_recon_exception import EXCEPTION_TYPES

USER_GROUP = "omni_connector_base.group_omni_user"
MANAGER_GROUP = "omni_connector_base.group_omni_manager"


@tagged("post_install", "-at_install")
class TestReconException(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env["res.company"].create({"name": "Omni Recon Co A"})
        cls.company_b = cls.env["res.company"].create({"name": "Omni Recon Co B"})
        cls.user_a = new_test_user(
            cls.env,
            "omni_recon_user_a",
            groups=USER_GROUP,
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )
        cls.user_b = new_test_user(
            cls.env,
            "omni_recon_user_b",
            groups=USER_GROUP,
            company_id=cls.company_b.id,
            company_ids=[cls.company_b.id],
        )
        cls.manager_a = new_test_user(
            cls.env,
            "omni_recon_manager_a",
            groups=MANAGER_GROUP,
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )
        Exception_ = cls.env["omni.recon.exception"]
        cls.exc_a = Exception_.create(
            {
                "name": "Order #1001 paid 36.52, invoiced 31.62",
                "exception_type": "amount_mismatch",
                "severity": "high",
                "company_id": cls.company_a.id,
                "amount": 4.90,
            }
        )
        cls.exc_b = Exception_.create(
            {
                "name": "Payout po_1 not found in the bank",
                "exception_type": "payout_not_banked",
                "company_id": cls.company_b.id,
                "amount": 1200.00,
            }
        )
        # Close the creation's tracking, as a commit would: changes of records created in the
        # same transaction are not tracked.
        cls.env.cr.flush()

    def test_defaults_and_types(self):
        self.assertEqual(len(EXCEPTION_TYPES), 22)
        self.assertEqual(self.exc_a.state, "open")
        self.assertEqual(self.exc_b.severity, "medium")
        self.assertEqual(self.exc_a.currency_id, self.company_a.currency_id)
        default = (
            self.env["omni.recon.exception"]
            .with_company(self.company_b)
            .create({"name": "Unmapped SKU X-1", "exception_type": "unmapped"})
        )
        self.assertEqual(default.company_id, self.company_b)
        self.assertTrue(default.date)

    def test_resolve(self):
        self.exc_a.with_user(self.user_a).action_resolve()
        self.assertEqual(self.exc_a.state, "resolved")
        self.env.flush_all()
        self.env.cr.flush()  # tracking values are written when the transaction is flushed
        tracked = self.env["mail.tracking.value"].search(
            [
                ("mail_message_id.model", "=", "omni.recon.exception"),
                ("mail_message_id.res_id", "=", self.exc_a.id),
                ("field_id.name", "=", "state"),
            ]
        )
        self.assertTrue(tracked, "the state change is tracked in the chatter")
        with self.assertRaises(UserError):
            self.exc_a.action_resolve()  # already closed
        self.exc_a.action_reopen()
        self.assertEqual(self.exc_a.state, "open")

    def test_explain_and_ignore_need_a_note(self):
        exc = self.exc_a.with_user(self.user_a)
        for action in (exc.action_explain, exc.action_ignore):
            with self.assertRaises(UserError):
                action()
        exc.resolution_note = "   "
        with self.assertRaises(UserError):
            exc.action_explain()
        exc.resolution_note = "Shipping charged by Shopify, not invoiced: known gap."
        exc.action_explain()
        self.assertEqual(self.exc_a.state, "explained")
        exc_b = self.exc_b.with_user(self.user_b)
        exc_b.resolution_note = "Arrived on the next statement."
        exc_b.action_ignore()
        self.assertEqual(self.exc_b.state, "ignored")

    def test_multi_company_rule(self):
        Exception_ = self.env["omni.recon.exception"]
        seen_a = Exception_.with_user(self.user_a).search([])
        seen_b = Exception_.with_user(self.user_b).search([])
        self.assertIn(self.exc_a, seen_a)
        self.assertNotIn(self.exc_b, seen_a)
        self.assertIn(self.exc_b, seen_b)
        self.assertNotIn(self.exc_a, seen_b)
        with self.assertRaises(AccessError):
            self.exc_b.with_user(self.user_a).read(["name"])

    def test_access_rights(self):
        Exception_ = self.env["omni.recon.exception"]
        vals = {"name": "Manual", "exception_type": "stock_drift", "company_id": self.company_a.id}
        with self.assertRaises(AccessError):
            Exception_.with_user(self.user_a).create(vals)
        with self.assertRaises(AccessError):
            self.exc_a.with_user(self.user_a).unlink()
        self.exc_a.with_user(self.user_a).user_id = self.user_a  # users work exceptions
        manual = Exception_.with_user(self.manager_a).create(vals)
        manual.unlink()

    def test_backend_channel(self):
        field = self.env["omni.backend"]._fields["channel"]
        channels = [key for key, _label in field._description_selection(self.env)]
        if not channels:
            self.skipTest("no connector installed: no backend can be created")
        backend = self.env["omni.backend"].create(
            {"name": "Recon Backend", "channel": channels[0], "company_id": self.company_a.id}
        )
        self.exc_a.backend_id = backend
        self.assertEqual(self.exc_a.channel, channels[0])
        with self.assertRaises(UserError):  # check_company: another company's backend
            self.exc_b.backend_id = backend

    def test_no_connector_dependency_and_menu(self):
        module = self.env["ir.module.module"].search([("name", "=", "omni_reconciliation")])
        depends = set(module.dependencies_id.mapped("name"))
        self.assertIn("omni_connector_base", depends)
        self.assertFalse(
            {name for name in depends if name.startswith("omni_connector_")}
            - {"omni_connector_base"}
        )
        root = self.env.ref("omni_reconciliation.menu_omni_recon_root")
        self.assertEqual(root.parent_id, self.env.ref("account.menu_finance"))
        self.assertEqual(root.groups_id, self.env.ref(USER_GROUP))
        exceptions = self.env.ref("omni_reconciliation.menu_omni_recon_exceptions")
        self.assertEqual(
            exceptions.action, self.env.ref("omni_reconciliation.omni_recon_exception_action")
        )
