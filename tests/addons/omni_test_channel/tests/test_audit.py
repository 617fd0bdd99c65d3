"""The audit trail: every manual action on an event names its user, and a manager lists them
per period; users and other companies see none of it."""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests.common import new_test_user

from odoo.addons.queue_job.tests.common import trap_jobs

from odoo.addons.omni_connector_base.tests.roles import RolesMixin

from .common import OmniTestChannelCase, order_payload


class TestAudit(RolesMixin, OmniTestChannelCase):
    def audit(self, user=None, **domain):
        Report = self.env["omni.audit.report"].with_user(user or self.omni_manager)
        return Report.search([(key, "=", value) for key, value in domain.items()])

    def test_manual_event_actions_are_listed_with_their_user(self):
        bad = order_payload("evt-bad")
        bad["order"]["lines"][0]["sku"] = "NO-SUCH-SKU"
        failed = self.deliver(bad)
        self.assertEqual(failed.state, "failed")
        ignored, __ = self.receive(order_payload("evt-ignore", id="1003"))
        done, __ = self.receive(order_payload("evt-now", id="1004"))
        manager = self.omni_manager
        with trap_jobs():
            failed.with_user(manager).action_retry()
            failed.with_user(manager).action_replay()
        ignored.with_user(manager).action_ignore(reason="test order, <b>not</b> real")
        done.with_user(manager).action_process_now()
        self.assertEqual(done.state, "done")

        lines = self.audit(res_model="omni.event")
        self.assertEqual(
            sorted((line.action, line.record_ref) for line in lines),
            sorted(
                [
                    ("event_retry", failed),
                    ("event_replay", failed),
                    ("event_ignore", ignored),
                    ("event_process_now", done),
                ]
            ),
        )
        self.assertEqual(lines.user_id, manager)
        self.assertEqual(lines.company_id, self.company)
        ignore_line = lines.filtered(lambda line: line.action == "event_ignore")
        self.assertIn(manager.name, ignore_line.body)
        self.assertIn("&lt;b&gt;not&lt;/b&gt;", ignore_line.body)  # the reason is text
        # the same lines are the events' chatter
        self.assertIn(ignore_line.id, ignored.message_ids.ids)

    def test_listed_per_period(self):
        event, __ = self.receive(order_payload("evt-period"))
        with trap_jobs():
            event.with_user(self.omni_manager).action_retry()
            event.with_user(self.omni_manager).action_replay()
        replay = self.audit(action="event_replay")
        # a line of last month: backdated the only way a past action exists in a test
        self.env.cr.execute(
            "UPDATE mail_message SET create_date = create_date - interval '40 days' WHERE id = %s",
            [replay.id],
        )
        since = fields.Datetime.now() - timedelta(days=7)
        Report = self.env["omni.audit.report"].with_user(self.omni_manager)
        recent = Report.search([("date", ">=", since), ("res_id", "=", event.id)])
        self.assertEqual(recent.mapped("action"), ["event_retry"])
        older = Report.search([("date", "<", since), ("res_id", "=", event.id)])
        self.assertEqual(older.mapped("action"), ["event_replay"])
        groups = Report.read_group(
            [("res_id", "=", event.id)], ["user_id"], ["user_id", "action"], lazy=False
        )
        self.assertEqual(len(groups), 2)

    def test_managers_of_the_company_only(self):
        event, __ = self.receive(order_payload("evt-roles"))
        with trap_jobs():
            event.with_user(self.omni_manager).action_retry()
        self.assertTrue(self.audit(res_id=event.id))
        with self.assertRaises(AccessError):
            self.audit(self.omni_user)
        other = self.env["res.company"].create({"name": "Audit other company"})
        outsider = new_test_user(
            self.env,
            "omni_audit_outsider",
            email=False,
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
            groups="omni_connector_base.group_omni_manager",
        )
        self.assertFalse(self.audit(outsider, res_id=event.id))
        # a plain chatter note is no audited action
        event.message_post(body="just a note")
        self.assertEqual(len(self.audit(res_id=event.id)), 1)
        # nor can anyone forge or rewrite an entry
        own_note = event.with_user(self.omni_manager)._message_log(body="my own note")
        Message = self.env["mail.message"].with_user(self.omni_manager)
        with self.assertRaises(AccessError):
            Message.create(
                {
                    "model": "omni.event",
                    "res_id": event.id,
                    "body": "forged",
                    "omni_action": "event_ignore",
                }
            )
        with self.assertRaises(AccessError):
            own_note.with_user(self.omni_manager).write({"omni_action": "event_replay"})
        self.assertEqual(len(self.audit(res_id=event.id)), 1)
