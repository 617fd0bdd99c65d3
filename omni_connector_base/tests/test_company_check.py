"""A backend and its configuration stay inside the backend's company (``_check_company``)."""

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from .common import records_of_another_company


@tagged("post_install", "-at_install")
class TestCompanyCheck(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The base addon has no channel of its own: any installed one makes a backend.
        channels = cls.env["omni.backend"]._fields["channel"]._description_selection(cls.env)
        cls.channel = channels[0][0]
        cls.company_b = cls.env["res.company"].create(
            {"name": "Omni Company B", "country_id": cls.env.ref("base.us").id}
        )
        cls.records_b = records_of_another_company(cls.env, cls.company_b)
        cls.backend = cls.env["omni.backend"].create({"name": "Company A", "channel": cls.channel})

    def _checked_fields(self):
        """Every company-checked Many2one of omni.backend (base's and each channel's)."""
        return {
            name: field
            for name, field in self.env["omni.backend"]._fields.items()
            if field.type == "many2one" and field.check_company
        }

    def test_backend_refuses_a_journal_of_another_company(self):
        journal_b = self.records_b["account.journal"]
        with self.assertRaises(UserError):
            self.env["omni.backend"].create(
                {"name": "Mixed", "channel": self.channel, "journal_id": journal_b.id}
            )
        with self.assertRaises(UserError):
            self.backend.journal_id = journal_b
        journal_a = self.env["account.journal"].create(
            {"name": "Company A bank", "code": "ABNK", "type": "bank"}
        )
        self.backend.journal_id = journal_a
        self.assertEqual(self.backend.journal_id, journal_a)

    def test_every_checked_field_refuses_another_company(self):
        fields = self._checked_fields()
        self.assertTrue(
            {
                "journal_id",
                "warehouse_id",
                "pricelist_id",
                "team_id",
                "default_partner_id",
                "shipping_product_id",
                "discount_product_id",
                "adjustment_product_id",
            }
            <= set(fields)
        )
        for name, field in fields.items():
            with self.subTest(field=name), self.assertRaises(UserError):
                self.backend.write({name: self.records_b[field.comodel_name].id})

    def test_shared_records_are_accepted(self):
        """Records without a company (the default service products, a shared customer)
        belong to every company."""
        partner = self.env["res.partner"].create({"name": "Shared customer"})
        self.backend.default_partner_id = partner
        self.assertFalse(self.backend.shipping_product_id.company_id)
        backend_b = self.env["omni.backend"].create(
            {
                "name": "Company B",
                "channel": self.channel,
                "company_id": self.company_b.id,
                "default_partner_id": partner.id,
                "journal_id": self.records_b["account.journal"].id,
            }
        )
        self.assertEqual(backend_b.shipping_product_id, self.backend.shipping_product_id)

    def test_tax_map_refuses_a_tax_of_another_company(self):
        with self.assertRaises(UserError):
            self.env["omni.tax.map"].create(
                {
                    "backend_id": self.backend.id,
                    "channel_tax": "VAT",
                    "rate": 0.1,
                    "tax_id": self.records_b["account.tax"].id,
                }
            )
