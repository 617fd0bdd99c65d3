"""What every connector's backend provides, checked the same way for each channel.

A connector's test mixes :class:`ChannelBackendChecks` into a ``TransactionCase`` and sets
``channel``, ``module`` and ``channel_label``; the mixin is not a test case itself, so it is
never collected on its own.
"""

from odoo.tools.safe_eval import safe_eval


class ChannelBackendChecks:
    channel = None
    module = None
    channel_label = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["omni.backend"].create(
            {"name": f"Test {cls.channel_label}", "channel": cls.channel}
        )

    def test_channel_is_selectable(self):
        field = self.env["omni.backend"]._fields["channel"]
        labels = dict(field._description_selection(self.env))
        self.assertEqual(labels[self.channel], self.channel_label)
        self.assertEqual(self.backend.company_id, self.env.company)
        self.assertEqual(self.backend.state, "draft")

    def test_default_status_map(self):
        expected = self.env["omni.status.map"]._default_rows(self.channel)
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
        name = f"root.omni.{self.channel}"
        self.assertEqual(self.backend._omni_job_channel(), name)
        channel = self.env["queue.job.channel"].search([("complete_name", "=", name)])
        self.assertEqual(
            channel, self.env.ref(f"{self.module}.queue_job_channel_omni_{self.channel}")
        )
        self.assertEqual(
            channel.parent_id, self.env.ref("omni_connector_base.queue_job_channel_omni")
        )

    def test_configuration_menu(self):
        """The channel's own backends menu, for managers, shows only its backends."""
        action = self.env.ref(f"{self.module}.omni_backend_action_{self.channel}")
        self.assertEqual(action.res_model, "omni.backend")
        self.assertEqual(safe_eval(action.context), {"default_channel": self.channel})
        field = self.env["omni.backend"]._fields["channel"]
        others = [key for key, _label in field._description_selection(self.env)]
        others.remove(self.channel)
        other = self.env["omni.backend"]
        if others:  # another channel is installed: its backends stay out of this menu
            other = other.create({"name": "Other Channel", "channel": others[0]})
        shown = self.env["omni.backend"].search(safe_eval(action.domain))
        self.assertIn(self.backend, shown)
        self.assertEqual(set(shown.mapped("channel")), {self.channel})
        self.assertFalse(other & shown)
        menu = self.env.ref(f"{self.module}.menu_omni_{self.channel}_backends")
        self.assertEqual(menu.action, action)
        self.assertEqual(menu.parent_id, self.env.ref("omni_connector_base.menu_omni_config"))
        self.assertEqual(menu.groups_id, self.env.ref("omni_connector_base.group_omni_manager"))


def records_of_another_company(env, company):
    """One record of ``company`` per company-dependent model an Omni backend points at, keyed
    by model: what a backend of another company must refuse (``_check_company``)."""
    account = env["account.account"].create(
        {
            "name": "Other company expense",
            "code": "699999",
            "account_type": "expense",
            "company_id": company.id,
        }
    )
    tax_group = env["account.tax.group"].create({"name": "Other VAT", "company_id": company.id})
    return {
        "account.account": account,
        "account.journal": env["account.journal"].create(
            {"name": "Other company bank", "code": "OBNK", "type": "bank", "company_id": company.id}
        ),
        "account.tax": env["account.tax"].create(
            {
                "name": "Other VAT 10%",
                "amount": 10,
                "type_tax_use": "sale",
                "tax_group_id": tax_group.id,
                "country_id": company.country_id.id,
                "company_id": company.id,
            }
        ),
        "res.partner": env["res.partner"].create(
            {"name": "Other company customer", "company_id": company.id}
        ),
        "product.product": env["product.product"].create(
            {"name": "Other company product", "company_id": company.id}
        ),
        "product.pricelist": env["product.pricelist"].create(
            {"name": "Other company pricelist", "company_id": company.id}
        ),
        "stock.warehouse": env["stock.warehouse"].search(
            [("company_id", "=", company.id)], limit=1
        ),
        "crm.team": env["crm.team"].create(
            {"name": "Other company team", "company_id": company.id}
        ),
    }
