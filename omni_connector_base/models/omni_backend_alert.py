from datetime import timedelta

from odoo import _, api, fields, models

# alert -> (company threshold field, activity type xmlid: an open activity of it is the alert)
ALERTS = {
    "failed": ("omni_alert_failed_events", "omni_connector_base.mail_activity_omni_alert_failed"),
    "queue": ("omni_alert_queue_depth", "omni_connector_base.mail_activity_omni_alert_queue"),
    "stalled": (
        "omni_alert_stalled_streams",
        "omni_connector_base.mail_activity_omni_alert_stalled",
    ),
    "unbanked": (
        "omni_alert_unbanked_days",
        "omni_connector_base.mail_activity_omni_alert_unbanked",
    ),
}


class OmniBackend(models.Model):
    """Threshold alerts: the daily check raises one activity per crossed threshold for the
    backend's responsible, once, and marks it done when the metric is back."""

    _inherit = "omni.backend"  # pylint: disable=consider-merging-classes-inherited

    def _omni_alert_metrics(self):
        """{alert: (value, threshold)} of the alerts the company enables (threshold > 0)."""
        self.ensure_one()
        company = self.company_id
        metrics = {}
        if company.omni_alert_failed_events:
            metrics["failed"] = (
                self.event_failed_count + self.event_dead_count,
                company.omni_alert_failed_events,
            )
        if company.omni_alert_queue_depth:
            metrics["queue"] = (self.queue_depth, company.omni_alert_queue_depth)
        if company.omni_alert_stalled_streams:
            metrics["stalled"] = (self.stream_stalled_count, company.omni_alert_stalled_streams)
        if company.omni_alert_unbanked_days and self.payout_journal_id:
            days = company.omni_alert_unbanked_days
            count = self.env["omni.payout"].search_count(
                [
                    ("backend_id", "=", self.id),
                    ("status", "=", "paid"),
                    ("statement_line_id", "=", False),
                    ("arrival_date", "<", fields.Datetime.now() - timedelta(days=days)),
                ]
            )
            metrics["unbanked"] = (count, 1)
        return metrics

    def _omni_alert_message(self, alert, value, threshold):
        company = self.company_id
        return {
            "failed": _(
                "%(value)s failed or dead-lettered events (threshold %(threshold)s).",
                value=value,
                threshold=threshold,
            ),
            "queue": _(
                "%(value)s events waiting to be processed (threshold %(threshold)s).",
                value=value,
                threshold=threshold,
            ),
            "stalled": _(
                "%(value)s stalled streams (threshold %(threshold)s).",
                value=value,
                threshold=threshold,
            ),
            "unbanked": _(
                "%(value)s payouts paid more than %(days)s days ago have no bank line.",
                value=value,
                days=company.omni_alert_unbanked_days,
            ),
        }[alert]

    def _omni_check_alerts(self):
        for backend in self:
            metrics = backend._omni_alert_metrics()
            for alert, (__, xmlid) in ALERTS.items():
                activity_type = self.env.ref(xmlid)
                open_activities = backend.activity_ids.filtered(
                    lambda act, t=activity_type: act.activity_type_id == t
                )
                value, threshold = metrics.get(alert, (0, 0))
                crossed = bool(threshold) and value >= threshold
                message = backend._omni_alert_message(alert, value, threshold)
                if crossed and not open_activities:
                    backend.activity_schedule(
                        xmlid,
                        user_id=(backend.responsible_user_id or self.env.ref("base.user_admin")).id,
                        note=message,
                    )
                elif not crossed and open_activities:
                    open_activities.action_feedback(
                        feedback=_("Back under its threshold: %(message)s", message=message)
                    )

    @api.model
    def _cron_check_alerts(self):
        companies = self.env["res.company"].search([])
        enabled = companies.filtered(lambda c: any(c[field] for field, __ in ALERTS.values()))
        backends = self.search([("company_id", "in", enabled.ids)])
        # backends of companies that turned every alert off still get theirs closed
        backends |= self.search(
            [("activity_ids.activity_type_id", "in", self._omni_alert_types().ids)]
        )
        backends._omni_check_alerts()

    @api.model
    def _omni_alert_types(self):
        return self.env["mail.activity.type"].browse(
            [self.env.ref(xmlid).id for __, xmlid in ALERTS.values()]
        )
