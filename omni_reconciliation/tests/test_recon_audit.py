"""The audit trail lists the manual actions on exceptions with their user."""

from odoo.tests import new_test_user, tagged

from .common import USER_GROUP, ReconScenarioCase

MANAGER_GROUP = "omni_connector_base.group_omni_manager"


@tagged("post_install", "-at_install")
class TestReconAudit(ReconScenarioCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.uninvoiced = cls.omni_order(90.0)
        cls.sale_order(cls.uninvoiced, 90.0, age_days=10)
        cls.clerk = new_test_user(
            cls.env,
            "recon_audit_user",
            groups=USER_GROUP,
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.manager = new_test_user(
            cls.env,
            "recon_audit_manager",
            groups=MANAGER_GROUP,
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )

    def test_exception_actions_name_their_user(self):
        self.run_recon()
        exc = self.env["omni.recon.exception"].search(
            [("exception_type", "=", "uninvoiced"), ("omni_order_id", "=", self.uninvoiced.id)]
        )
        self.assertEqual(len(exc), 1)
        clerk_exc = exc.with_user(self.clerk)
        clerk_exc.action_assign_to_me()
        wizard = (
            self.env["omni.recon.close.wizard"]
            .with_user(self.clerk)
            .create({"exception_ids": [(6, 0, exc.ids)], "state": "explained", "note": "timing"})
        )
        wizard.action_confirm()
        self.assertEqual(exc.state, "explained")
        exc.with_user(self.manager).action_reopen()
        exc.with_user(self.manager).action_resolve()

        lines = (
            self.env["omni.audit.report"]
            .with_user(self.manager)
            .search(
                [("res_model", "=", "omni.recon.exception"), ("res_id", "=", exc.id)],
                order="id",
            )
        )
        self.assertEqual(
            [(line.action, line.user_id) for line in lines],
            [
                ("exception_assign", self.clerk),
                ("exception_explain", self.clerk),
                ("exception_reopen", self.manager),
                ("exception_resolve", self.manager),
            ],
        )
        self.assertIn("timing", lines[1].body)
        self.assertEqual(lines.company_id, self.company)
        self.assertEqual(lines[0].record_ref, exc)
