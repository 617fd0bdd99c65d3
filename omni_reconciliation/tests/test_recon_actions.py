"""One-click actions of the exception form: each fixes the data, re-checks, and the exception
closes (or stays open when the fix does not hold)."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import USER_GROUP, ReconScenarioCase

MANAGER_GROUP = "omni_connector_base.group_omni_manager"


@tagged("post_install", "-at_install")
class TestReconActions(ReconScenarioCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # uninvoiced past the SLA
        cls.uninvoiced_order = cls.omni_order(90.0)
        cls.uninvoiced_so = cls.sale_order(cls.uninvoiced_order, 90.0, age_days=10)
        # goods returned, nothing refunded nor credited
        cls.returned_order = cls.omni_order(100.0)
        so = cls.sale_order(cls.returned_order, 50.0, qty=2, product=cls.goods)
        cls.deliver(so)
        cls.invoice(so)
        cls.return_goods(so, 1)
        cls.payment(100.0, cls.returned_order)
        cls.returned_so = so
        # orphan charge and the order it belongs to (paid by nothing else)
        cls.target_order = cls.omni_order(45.0, financial_state="paid")
        cls.sale_order(cls.target_order, 45.0, confirm=False)
        cls.orphan = cls.payment(45.0, order_external_ref="TYPO-1")
        cls.other_company = cls.env["res.company"].create({"name": "Recon Actions Co B"})
        cls.other_backend = cls.env["omni.backend"].create(
            {"name": "B", "channel": "omnitest", "company_id": cls.other_company.id}
        )
        cls.foreign_order = cls.omni_order(45.0, backend=cls.other_backend)
        cls.user = new_test_user(
            cls.env,
            "recon_actions_user",
            groups=USER_GROUP,
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.manager = new_test_user(
            cls.env,
            "recon_actions_manager",
            groups=f"{MANAGER_GROUP},sales_team.group_sale_salesman_all_leads,account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )

    def setUp(self):
        super().setUp()
        self.run = self.run_recon()
        self.Exc = self.env["omni.recon.exception"]

    def exc(self, etype, **links):
        domain = [("exception_type", "=", etype), ("state", "=", "open")]
        domain += [(field, "=", record.id) for field, record in links.items()]
        exc = self.Exc.search(domain)
        self.assertEqual(len(exc), 1, f"one open {etype} exception")
        return exc

    def test_create_invoice(self):
        exc = self.exc("uninvoiced", omni_order_id=self.uninvoiced_order)
        with self.assertRaises(UserError):  # wrong type
            self.exc("underpaid", omni_order_id=self.target_order).action_create_invoice()
        action = exc.with_user(self.manager).action_create_invoice()
        invoice = self.uninvoiced_so.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual((invoice.state, invoice.move_type), ("posted", "out_invoice"))
        self.assertEqual(invoice.amount_total, 90.0)
        self.assertEqual((action["res_model"], action["res_id"]), ("account.move", invoice.id))
        self.assertEqual(exc.move_id, invoice)
        self.assertEqual((exc.state, exc.auto_closed), ("resolved", True))
        with self.assertRaises(UserError):  # closed: nothing to do twice
            exc.action_create_invoice()
        exc.action_reopen()
        exc.sale_order_id = False
        with self.assertRaises(UserError):  # no sale order to invoice
            exc.action_create_invoice()
        self.assertEqual(len(self.uninvoiced_so.invoice_ids), 1)

    def test_create_credit_note(self):
        exc = self.exc("return_without_refund", omni_order_id=self.returned_order)
        self.assertEqual(exc.amount, 50.0)
        exc.with_user(self.manager).action_create_credit_note()
        refund = self.returned_so.invoice_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertEqual(refund.state, "posted")
        self.assertEqual(refund.amount_total, 50.0)
        self.assertEqual(refund.invoice_line_ids.sale_line_ids, self.returned_so.order_line)
        self.assertEqual(exc.state, "resolved")
        # a re-run keeps it closed: the credit note is in the chain
        self.run_recon()
        self.assertEqual(exc.state, "resolved")
        with self.assertRaises(UserError):
            self.exc("uninvoiced").action_create_credit_note()
        # hostile: the same action on an order whose goods never came back
        exc.action_reopen()
        exc.sale_order_id = self.uninvoiced_so
        with self.assertRaises(UserError):
            exc.action_create_credit_note()
        self.assertFalse(self.uninvoiced_so.invoice_ids)

    def test_link_payment(self):
        exc = self.exc("orphan_payment", omni_payment_id=self.orphan)
        action = exc.action_link_payment()
        self.assertEqual(action["res_model"], "omni.recon.link.payment.wizard")
        Wizard = self.env[action["res_model"]].with_context(**action["context"])
        # an Omni user may not rewrite channel payments
        wizard = Wizard.with_user(self.user).create({"order_id": self.target_order.id})
        with self.assertRaises(AccessError):
            wizard.action_link()
        self.assertFalse(self.orphan.order_id)
        # another company's order, or another backend's, is refused
        other_backend = self.env["omni.backend"].create(
            {"name": "Other A", "channel": "omnitest", "company_id": self.company.id}
        )
        with self.assertRaises(UserError):
            Wizard.create({"order_id": self.omni_order(45.0, backend=other_backend).id})
        with self.assertRaises(UserError):  # ValidationError is a UserError
            Wizard.create({"order_id": self.foreign_order.id})
        with Form(Wizard.with_user(self.manager)) as form:
            self.assertEqual(form.amount, 45.0)
            form.order_id = self.target_order
            wizard = form.save()
        wizard.action_link()
        self.assertEqual(self.orphan.order_id, self.target_order)
        self.assertEqual((exc.state, exc.auto_closed), ("resolved", True))
        # the order was underpaid (no money) and is now paid by the linked charge
        underpaid = self.Exc.search(
            [("exception_type", "=", "underpaid"), ("omni_order_id", "=", self.target_order.id)]
        )
        # same business date, so the same re-check closed it too
        self.assertEqual(underpaid.state, "resolved")
        self.run_recon()
        self.assertEqual((exc.state, underpaid.state), ("resolved", "resolved"))
        with self.assertRaises(UserError):
            self.exc("uninvoiced").action_link_payment()

    def test_explain_with_note_and_assign(self):
        opened = self.Exc.search([("state", "=", "open")])
        excs = opened[:2]
        self.assertEqual(len(excs), 2)
        action = (
            excs.with_user(self.user).with_context(close_state="ignored").action_close_with_note()
        )
        Wizard = self.env["omni.recon.close.wizard"].with_user(self.user)
        wizard = Wizard.with_context(**action["context"]).create({"note": "   "})
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertEqual(set(excs.mapped("state")), {"open"})
        wizard = Wizard.with_context(**action["context"]).create({"note": "Known timing gap"})
        self.assertEqual(wizard.state, "ignored")
        wizard.state = "explained"
        wizard.action_confirm()
        self.assertEqual(set(excs.mapped("state")), {"explained"})
        self.assertEqual(set(excs.mapped("resolution_note")), {"Known timing gap"})
        with self.assertRaises(UserError):  # already closed
            excs.action_close_with_note()

        other = self.Exc.search([("state", "=", "open")])
        self.assertEqual(other, opened - excs)
        self.assertGreaterEqual(len(other), 2)
        action = other.with_user(self.user).action_assign()
        wizard = (
            self.env["omni.recon.assign.wizard"]
            .with_user(self.user)
            .with_context(**action["context"])
            .create({"user_id": self.manager.id, "note": "Check with the bank"})
        )
        wizard.action_assign()
        self.assertEqual(other.user_id, self.manager)
        activities = other.activity_ids
        self.assertEqual(len(activities), len(other))
        self.assertEqual(set(activities.mapped("summary")), {"Check with the bank"})
        self.assertEqual(activities.user_id, self.manager)

    def test_open_linked_records(self):
        exc = self.exc("uninvoiced", omni_order_id=self.uninvoiced_order)
        for method, record in (
            ("action_open_omni_order", self.uninvoiced_order),
            ("action_open_sale_order", self.uninvoiced_so),
        ):
            action = getattr(exc, method)()
            self.assertEqual((action["res_model"], action["res_id"]), (record._name, record.id))
        self.assertFalse(exc.action_open_store_day())
        self.assertFalse(exc.action_open_stock_level())
