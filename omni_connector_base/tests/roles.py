"""An Omni user and an Omni manager (neither with an e-mail address), and the check that a
backend operation is a manager's: refused to the user with nothing enqueued, enqueued for the
manager."""

from odoo.exceptions import AccessError
from odoo.tests.common import new_test_user

from odoo.addons.queue_job.tests.common import trap_jobs


class RolesMixin:
    # a case with no backend of its own: the values of one made for the roles
    roles_backend_vals = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.roles_backend_vals is not None:
            cls.backend = cls.make_backend("Roles backend", **cls.roles_backend_vals)
        cls.omni_user = new_test_user(
            cls.env, "omni_role_user", email=False, groups="omni_connector_base.group_omni_user"
        )
        cls.omni_manager = new_test_user(
            cls.env,
            "omni_role_manager",
            email=False,
            groups="omni_connector_base.group_omni_manager",
        )

    def assert_manager_only(self, records, method, *args):
        """``records.method(*args)``: AccessError for the user with no job queued; for the
        manager, done with its jobs queued (returned)."""
        with trap_jobs() as trap, self.assertRaises(AccessError, msg=method):
            getattr(records.with_user(self.omni_user), method)(*args)
        self.assertFalse(trap.enqueued_jobs, method)
        with trap_jobs() as trap:
            getattr(records.with_user(self.omni_manager), method)(*args)
        return trap.enqueued_jobs
