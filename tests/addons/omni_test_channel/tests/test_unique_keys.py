"""A unique key an event's import collides with: a row another transaction committed since
our snapshot is a race (retried from a fresh snapshot), a row of the import itself a bug to
report (failed as internal, never retried); a movement listed twice is stored once."""

import uuid

from odoo import sql_db
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from odoo.addons.omni_connector_base.models.omni_event_unique_key import unique_key_values

from .common import OmniTestChannelCase
from .test_order_payments import payment


@tagged("post_install", "-at_install")
class TestUniqueKeys(OmniTestChannelCase):
    def commit_elsewhere(self, query, params):
        """Run ``query`` in another transaction and commit it (what a concurrent job does)."""
        with sql_db.db_connect(self.env.cr.dbname).cursor() as other:
            other.execute(query, params)

    def test_unique_violation_committed_by_a_concurrent_job_is_retried(self):
        name = f"race_{uuid.uuid4().hex}"
        self.commit_elsewhere(
            "INSERT INTO ir_model_data (module, name, model, res_id, noupdate)"
            " VALUES ('omni_test_channel', %s, 'res.partner', %s, true)",
            [name, self.env.user.partner_id.id],
        )
        self.addCleanup(
            self.commit_elsewhere,
            "DELETE FROM ir_model_data WHERE module = 'omni_test_channel' AND name = %s",
            [name],
        )
        new, __ = self.receive({"id": "evt-r", "topic": "race", "race": {"id": name}})
        with trap_jobs() as trap:
            new._process_job()
            trap.assert_jobs_count(1)
        self.assertEqual((new.state, new.error_class), ("waiting", "retryable"))
        self.assertIn("concurrent update", new.error_message)
        self.assertTrue(new.next_retry_at)

    def assert_reported_not_retried(self, payload, constraint, key):
        new, __ = self.receive(payload)
        with trap_jobs() as trap:
            new._process_job()
            trap.assert_jobs_count(0)
        self.assertEqual((new.state, new.error_class), ("failed", "internal"))
        self.assertIn(constraint, new.error_message)
        self.assertIn(key, new.error_message)
        self.assertFalse(new.next_retry_at)

    def test_unique_key_taken_twice_by_one_import_is_a_bug_never_retried(self):
        self.assert_reported_not_retried(
            {"id": "evt-c", "topic": "clash"},
            "omni_external_id_backend_kind_external_uniq",
            f"=({self.backend.id}, order, clash)",
        )
        self.assertFalse(self.env["omni.external.id"].search([("external_id", "=", "clash")]))
        # a unique index of Odoo's (no constraint), on character columns
        name = f"twice_{uuid.uuid4().hex}"
        self.assert_reported_not_retried(
            {"id": "evt-t", "topic": "race", "race": {"id": name, "times": 2}},
            "ir_model_data_module_name_uniq_index",
            f"=(omni_test_channel, {name})",
        )

    def test_key_values_told_apart_only_when_unambiguous(self):
        detail = "Key (backend_id, external_id)=(3, txn_1) already exists."
        self.assertEqual(unique_key_values(detail, 2), ["3", "txn_1"])
        self.assertEqual(unique_key_values("Key (name)=(a, b) already exists.", 1), ["a, b"])
        # a value holding the separator, a detail of another shape: undecidable (a race)
        self.assertIsNone(unique_key_values("Key (a, b)=(1, x, y) already exists.", 2))
        self.assertIsNone(unique_key_values("Schlüssel (a)=(1) existiert bereits.", 1))
        self.assertIsNone(unique_key_values(None, 1))

    def test_movement_listed_twice_is_stored_once_as_its_last_version(self):
        importer = self.env["omni.importer"]
        records = importer.import_payments(
            self.backend,
            [payment("txn_a", "1.00"), payment("txn_b", "2.00"), payment("txn_a", "3.00")],
        )
        stored = self.env["omni.payment"].search([("backend_id", "=", self.backend.id)], order="id")
        self.assertEqual(records, stored)
        self.assertEqual(stored.mapped("external_id"), ["txn_b", "txn_a"], "last sightings")
        self.assertEqual(stored.mapped("amount"), [2.0, 3.0], "the last version wins")
