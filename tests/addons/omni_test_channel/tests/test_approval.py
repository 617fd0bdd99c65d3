"""Approval gates: a manager's change of what moves money or tax is logged on the backend
(who, old -> new) and, where the company requires it, held until another manager approves;
events imported meanwhile follow the rules in force."""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests.common import new_test_user

from odoo.addons.omni_connector_base.tests.roles import RolesMixin

from .common import OmniTestChannelCase, order_payload


class TestApproval(RolesMixin, OmniTestChannelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_manager = new_test_user(
            cls.env,
            "omni_role_manager_2",
            email=False,
            groups="omni_connector_base.group_omni_manager",
        )
        cls.vat10 = cls.env["account.tax"].create(
            {
                "name": "VAT 10% (approval test)",
                "amount": 10.0,
                "type_tax_use": "sale",
                "company_id": cls.company.id,
            }
        )
        cls.tax_row = cls.backend.tax_map_ids
        cls.pending_row = cls.backend.status_map_ids.filtered(
            lambda row: row.kind == "financial" and row.channel_state == "pending"
        )
        cls.Request = cls.env["omni.change.request"]

    def require_approval(self):
        self.company.omni_approval_required = True

    def requests(self):
        return self.Request.search([("backend_id", "=", self.backend.id)])

    def last_log(self):
        return self.backend.message_ids.sorted("id")[-1:]

    def propose_pending_confirms(self, manager=None):
        """From the backend form: financial 'pending' now confirms the sale order."""
        manager = manager or self.omni_manager
        self.backend.with_user(manager).write(
            {"status_map_ids": [Command.update(self.pending_row.id, {"action": "confirm"})]}
        )
        return self.requests().filtered(lambda r: r.state == "proposed")[-1:]

    def test_without_the_setting_a_write_applies_and_is_logged(self):
        self.assertFalse(self.company.omni_approval_required)
        self.tax_row.with_user(self.omni_manager).write({"tax_id": self.vat10.id})
        self.assertEqual(self.tax_row.tax_id, self.vat10)
        self.assertFalse(self.requests())
        log = self.last_log()
        self.assertEqual(log.author_id, self.omni_manager.partner_id)
        self.assertIn(self.omni_manager.name, log.body)
        self.assertIn(f"{self.vat20.name} → {self.vat10.name}", log.body)

    def test_unchanged_or_other_fields_are_not_gated(self):
        self.require_approval()
        backend = self.backend.with_user(self.omni_manager)
        count = len(self.backend.message_ids)
        backend.write({"invoice_policy": self.backend.invoice_policy, "max_attempts": 7})
        self.assertEqual(self.backend.max_attempts, 7)
        self.assertFalse(self.requests())
        self.assertEqual(len(self.backend.message_ids), count)

    def test_nothing_applies_before_approval_and_events_use_the_rules_in_force(self):
        self.require_approval()
        request = self.propose_pending_confirms()
        self.assertEqual(self.pending_row.action, "none")
        self.assertEqual(request.proposer_id, self.omni_manager)
        self.assertEqual(request.old_values, {"action": "none"})
        self.assertEqual(request.new_values, {"action": "confirm"})
        self.assertIn("Nothing → Confirm the sale order", request.summary)
        self.assertIn("Financial: pending", request.record_name)
        self.assertIn(request.name, self.last_log().body)
        self.assertEqual(self.backend.with_user(self.omni_manager).change_request_pending_count, 1)

        meanwhile = self.deliver(order_payload("evt-meanwhile"))
        self.assertEqual(meanwhile.state, "done")
        self.assertEqual(meanwhile.sale_order_id.state, "draft")  # pending -> nothing, in force

        with self.assertRaisesRegex(UserError, "another manager"):
            request.with_user(self.omni_manager).action_approve()
        self.assertEqual(request.state, "proposed")
        self.assertEqual(self.pending_row.action, "none")
        with self.assertRaises(AccessError):
            request.with_user(self.omni_user).action_approve()

        request.with_user(self.other_manager).action_approve()
        self.assertEqual(request.state, "applied")
        self.assertEqual(request.approver_id, self.other_manager)
        self.assertEqual(self.pending_row.action, "confirm")
        log = self.last_log()
        self.assertEqual(log.author_id, self.other_manager.partner_id)
        self.assertIn(self.omni_manager.name, log.body)
        self.assertIn("Nothing → Confirm the sale order", log.body)

        after = self.deliver(order_payload("evt-after", id="1002", name="#1002"))
        self.assertEqual(after.sale_order_id.state, "sale")
        with self.assertRaisesRegex(UserError, "no longer pending"):
            request.with_user(self.omni_manager).action_approve()

    def test_rejected_never_applies(self):
        self.require_approval()
        request = self.propose_pending_confirms()
        request.with_user(self.other_manager).action_reject()
        self.assertEqual(request.state, "rejected")
        self.assertEqual(self.pending_row.action, "none")
        with self.assertRaisesRegex(UserError, "no longer pending"):
            request.with_user(self.other_manager).action_approve()
        self.assertEqual(self.pending_row.action, "none")
        # the proposer may withdraw a proposal of their own
        withdrawn = self.propose_pending_confirms()
        withdrawn.with_user(self.omni_manager).action_reject()
        self.assertEqual(withdrawn.state, "rejected")
        self.assertEqual(self.pending_row.action, "none")

    def test_accounting_and_gateway_fields_are_held_the_rest_applies(self):
        self.require_approval()
        gateway = self.backend.gateway_ids[:1]
        journal = gateway.journal_id
        bank = self.env["account.journal"].create(
            {"name": "Approval bank", "code": "APB", "type": "bank", "company_id": self.company.id}
        )
        self.backend.with_user(self.omni_manager).write(
            {"invoice_policy": "on_order", "max_attempts": 9, "payout_journal_id": bank.id}
        )
        gateway.with_user(self.omni_manager).write({"journal_id": bank.id, "name": "Renamed"})
        self.assertEqual(self.backend.max_attempts, 9)
        self.assertEqual(self.backend.invoice_policy, "manual")
        self.assertFalse(self.backend.payout_journal_id)
        self.assertEqual(gateway.name, "Renamed")
        self.assertEqual(gateway.journal_id, journal)
        backend_request, gateway_request = self.requests().sorted("id")
        self.assertEqual(
            backend_request.new_values, {"invoice_policy": "on_order", "payout_journal_id": bank.id}
        )
        self.assertEqual(gateway_request.new_values, {"journal_id": bank.id})
        (backend_request | gateway_request).with_user(self.other_manager).action_approve()
        self.assertEqual(self.backend.invoice_policy, "on_order")
        self.assertEqual(self.backend.payout_journal_id, bank)
        self.assertEqual(gateway.journal_id, bank)

    def test_a_stale_proposal_does_not_apply(self):
        self.require_approval()
        first = self.propose_pending_confirms(self.omni_manager)
        self.backend.with_user(self.other_manager).write(
            {"status_map_ids": [Command.update(self.pending_row.id, {"action": "cancel"})]}
        )
        second = self.requests().filtered(lambda r: r.proposer_id == self.other_manager)
        second.with_user(self.omni_manager).action_approve()
        self.assertEqual(self.pending_row.action, "cancel")
        with self.assertRaisesRegex(UserError, "changed since"):
            first.with_user(self.other_manager).action_approve()
        self.assertEqual(self.pending_row.action, "cancel")

    def test_rows_added_or_removed_are_logged(self):
        self.require_approval()
        backend = self.backend.with_user(self.omni_manager)
        backend.write(
            {
                "tax_map_ids": [
                    Command.create({"channel_tax": "VAT", "rate": 0.1, "tax_id": self.vat10.id})
                ]
            }
        )
        added = self.backend.tax_map_ids.filtered(lambda row: row.tax_id == self.vat10)
        self.assertTrue(added)  # a new row maps what failed before: logged, not held
        self.assertIn("added by", self.last_log().body)
        self.assertIn("VAT 10 %", self.last_log().body)
        backend.write({"tax_map_ids": [Command.delete(added.id)]})
        self.assertIn("removed by", self.last_log().body)
        self.assertIn(self.omni_manager.name, self.last_log().body)
        self.assertFalse(self.requests())

    def test_forged_requests_are_refused(self):
        self.require_approval()
        forged = self.Request.with_user(self.omni_manager).create(
            {
                "backend_id": self.backend.id,
                "res_model": "omni.status.map",
                "res_id": self.pending_row.id,
                "record_name": "forged",
                "old_values": {"action": "none"},
                "new_values": {"action": "deliver"},
                "summary": "forged",
                "state": "applied",
                "proposer_id": self.other_manager.id,
            }
        )
        self.assertEqual(forged.state, "proposed")
        self.assertEqual(forged.proposer_id, self.omni_manager)
        with self.assertRaises(AccessError):
            forged.with_user(self.omni_manager).write({"proposer_id": self.other_manager.id})
        with self.assertRaises(AccessError):
            forged.with_user(self.omni_manager).unlink()
        with self.assertRaises(AccessError):
            self.Request.with_user(self.omni_user).search([])

    def test_other_company_cannot_see_or_decide(self):
        self.require_approval()
        request = self.propose_pending_confirms()
        other = self.env["res.company"].create({"name": "Approval other company"})
        outsider = new_test_user(
            self.env,
            "omni_role_outsider",
            email=False,
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
            groups="omni_connector_base.group_omni_manager",
        )
        self.assertFalse(self.Request.with_user(outsider).search([("id", "=", request.id)]))
        with self.assertRaises(AccessError):
            request.with_user(outsider).action_approve()
        self.assertEqual(self.pending_row.action, "none")
