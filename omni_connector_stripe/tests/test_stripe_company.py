"""The Stripe balance and payout journals and the booking accounts stay in the backend's
company: a Stripe account of company A cannot book into company B's ledger."""

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.omni_connector_base.tests.common import records_of_another_company

STRIPE_LEDGER_FIELDS = {
    "stripe_journal_id": "account.journal",
    "payout_journal_id": "account.journal",
    "settlement_fee_account_id": "account.account",
    "settlement_dispute_account_id": "account.account",
    "settlement_adjustment_account_id": "account.account",
    "settlement_fx_account_id": "account.account",
    "settlement_revenue_account_id": "account.account",
}


@tagged("post_install", "-at_install")
class TestStripeCompany(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create(
            {"name": "Stripe Company B", "country_id": cls.env.ref("base.us").id}
        )
        cls.records_b = records_of_another_company(cls.env, cls.company_b)
        cls.backend = cls.env["omni.backend"].create({"name": "Stripe A", "channel": "stripe"})

    def test_ledger_fields_refuse_another_company(self):
        for name, model in STRIPE_LEDGER_FIELDS.items():
            with self.subTest(field=name), self.assertRaises(UserError):
                self.backend.write({name: self.records_b[model].id})

    def test_backend_of_company_b_takes_its_ledger(self):
        backend_b = self.env["omni.backend"].create(
            {
                "name": "Stripe B",
                "channel": "stripe",
                "company_id": self.company_b.id,
                **{name: self.records_b[model].id for name, model in STRIPE_LEDGER_FIELDS.items()},
            }
        )
        self.assertEqual(backend_b.settlement_fee_account_id.company_id, self.company_b)

    def test_revenue_account_defaults_to_the_company_income_account(self):
        """Platform earnings go to the backend company's income account until one is chosen;
        a backend of another company never takes the first company's account."""
        income = self.env["account.account"].create(
            {"name": "Sales", "code": "707000", "account_type": "income"}
        )
        self.env["ir.property"]._set_default(
            "property_account_income_categ_id", "product.category", income, self.env.company
        )
        backend = self.env["omni.backend"].create({"name": "Stripe A2", "channel": "stripe"})
        self.assertEqual(backend.settlement_revenue_account_id, income)
        backend_b = self.env["omni.backend"].create(
            {"name": "Stripe B", "channel": "stripe", "company_id": self.company_b.id}
        )
        self.assertFalse(backend_b.settlement_revenue_account_id)
