from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    omni_approval_required = fields.Boolean(
        related="company_id.omni_approval_required", readonly=False
    )
    omni_alert_failed_events = fields.Integer(
        related="company_id.omni_alert_failed_events", readonly=False
    )
    omni_alert_queue_depth = fields.Integer(
        related="company_id.omni_alert_queue_depth", readonly=False
    )
    omni_alert_stalled_streams = fields.Integer(
        related="company_id.omni_alert_stalled_streams", readonly=False
    )
    omni_alert_unbanked_days = fields.Integer(
        related="company_id.omni_alert_unbanked_days", readonly=False
    )
