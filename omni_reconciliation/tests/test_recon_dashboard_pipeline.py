"""The dashboard's pipeline health counts the streams stalled in its company: a pull failing
or retried without progress for longer than its backend's threshold, not one that
progressed."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import new_test_user, tagged

from odoo.addons.omni_connector_base.tests.common import OmniCommon

from .common import USER_GROUP

T0 = datetime(2026, 11, 2, 9, 0, 0)


@tagged("post_install", "-at_install")
class TestDashboardPipelineHealth(OmniCommon):
    channel = "omnitest"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.make_backend("Demo shop")
        cls.user = new_test_user(
            cls.env,
            "recon_pipeline_user",
            groups=USER_GROUP,
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        other_company = cls.env["res.company"].create({"name": "Omni other company"})
        cls.other = cls.env["omni.backend"].create(
            {"name": "Other shop", "channel": cls.channel, "company_id": other_company.id}
        )

    def dashboard(self):
        """The user's dashboard, as the menu opens it (read now)."""
        self.env.invalidate_all()
        action = self.env.ref("omni_reconciliation.omni_recon_dashboard_server_action")
        action = action.with_user(self.user).run()
        return self.env["omni.recon.dashboard"].with_user(self.user).browse(action["res_id"])

    def test_stuck_import_counts_until_it_progresses(self):
        stuck = self.backend._stream("orders")
        moving = self.backend._stream("payouts")
        with freeze_time(T0):
            stuck._mark_error("Shopify throttled the query (cost bucket empty)")
            moving._mark_error("Shopify throttled the query (cost bucket empty)")
            self.other._stream("orders")._mark_error("another company's trouble")
        with freeze_time(T0 + timedelta(minutes=10)):
            moving._mark_success(watermark=T0)
        with freeze_time(T0 + timedelta(minutes=5)):
            self.assertEqual(self.dashboard().stream_stalled_count, 0, "within the threshold")
        with freeze_time(T0 + timedelta(minutes=25)):
            dash = self.dashboard()
            self.assertEqual(dash.stream_stalled_count, 1, "stuck for 25 minutes")
            line = dash.channel_line_ids.filtered(lambda line: line.backend_id == self.backend)
            self.assertEqual(line.stream_stalled_count, 1)
            action = dash.action_open_stalled_streams()
            shown = (
                self.env["omni.backend.stream"]
                .with_user(self.user)
                .search(action["domain"] + [("is_stalled", "=", True)])
            )
            self.assertEqual(shown, stuck)
        with freeze_time(T0 + timedelta(minutes=26)):
            stuck._mark_success()  # the API is back
        with freeze_time(T0 + timedelta(minutes=27)):
            self.assertEqual(self.dashboard().stream_stalled_count, 0)
