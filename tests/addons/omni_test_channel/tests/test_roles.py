"""Least privilege on the base's backend actions and on events: a user reads, a manager runs
backend operations, and an event changes only through its audited actions."""

from odoo.exceptions import AccessError

from odoo.addons.queue_job.tests.common import trap_jobs

from odoo.addons.omni_connector_base.tests.roles import RolesMixin

from .common import OmniTestChannelCase, order_payload


class TestRoles(RolesMixin, OmniTestChannelCase):
    def test_backend_actions_are_managers(self):
        self.assert_manager_only(self.backend, "action_test_connection")
        self.assertEqual(self.backend.state, "connected")
        self.backend.status_map_ids.unlink()
        self.assert_manager_only(self.backend, "action_reset_status_map")
        self.assertTrue(self.backend.status_map_ids)

    def test_user_reads_events(self):
        event, __ = self.receive(order_payload())
        self.assertEqual(event.with_user(self.omni_user).state, "received")
        self.assertTrue(self.backend.with_user(self.omni_user).action_open_events())

    def test_event_fields_refused_through_rpc(self):
        event, __ = self.receive(order_payload())
        for user in (self.omni_user, self.omni_manager):
            for vals in (
                {"state": "done"},
                {"attempts": 0},
                {"error_message": "fine"},
                {"payload": "{}"},
                {"idempotency_key": "forged"},
                {"ignore_reason": "forged"},
            ):
                with self.assertRaises(AccessError, msg=(user.login, vals)):
                    event.with_user(user).write(vals)
            with self.assertRaises(AccessError, msg=user.login):
                event.with_user(user).unlink()
        self.assertEqual(event.state, "received")
        self.assertTrue(event.exists())

    def test_user_cannot_retry_replay_ignore(self):
        event, __ = self.receive(order_payload())
        for method, args in (
            ("action_retry", ()),
            ("action_replay", ()),
            ("action_ignore", ("no",)),
            ("action_process_now", ()),
        ):
            with trap_jobs() as trap, self.assertRaises(AccessError, msg=method):
                getattr(event.with_user(self.omni_user), method)(*args)
            self.assertFalse(trap.enqueued_jobs, method)
        self.assertEqual(event.state, "received")

    def test_manager_without_email_works_events_audited(self):
        self.assertFalse(self.omni_manager.email)
        event, __ = self.receive(order_payload())
        broken, __ = self.receive(order_payload("evt-2", id="2", currency="XXQ"))
        as_manager = event.with_user(self.omni_manager)
        as_manager.action_ignore("duplicate of a manual order")
        self.assertEqual(event.state, "ignored")
        self.assertEqual(event.ignore_reason, "duplicate of a manual order")
        with trap_jobs() as trap:
            as_manager.action_replay()
        self.assertEqual(len(trap.enqueued_jobs), 1)
        self.process()
        self.assertEqual(event.state, "done")
        self.assertIn(broken.state, ("failed", "dead"))
        with trap_jobs() as trap:
            broken.with_user(self.omni_manager).action_retry()
        self.assertEqual(broken.state, "received")
        self.assertEqual(len(trap.enqueued_jobs), 1)
        name = self.omni_manager.name
        for record, text in (
            (event, f"Ignored by {name}: duplicate of a manual order"),
            (event, f"Replayed by {name}."),
            (broken, f"Retried by {name}."),
        ):
            logs = record.message_ids.filtered(
                lambda m: m.author_id == self.omni_manager.partner_id
            )
            self.assertIn(text, " | ".join(logs.mapped("body")))
