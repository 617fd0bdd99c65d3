from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    omni_approval_required = fields.Boolean(
        string="Omni: approve finance changes",
        help="A manager's change of a backend's status, tax or gateway maps or accounting "
        "settings is held until another manager approves it.",
    )
    # alert thresholds, 0 = no alert
    omni_alert_failed_events = fields.Integer(
        string="Omni alert: failed events",
        help="Failed or dead-lettered events of a backend from which its responsible is told.",
    )
    omni_alert_queue_depth = fields.Integer(
        string="Omni alert: queue depth", help="Events waiting to be processed, per backend."
    )
    omni_alert_stalled_streams = fields.Integer(
        string="Omni alert: stalled streams", help="Stalled streams of a backend."
    )
    omni_alert_unbanked_days = fields.Integer(
        string="Omni alert: payouts not banked after (days)",
        help="A paid payout with no bank statement line this many days after its arrival.",
    )
