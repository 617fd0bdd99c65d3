from odoo import fields, models


class OmniBackendStream(models.Model):
    """Per-stream sync state of a backend (orders, payouts, ...): the polling watermark and
    the last successful / failed run, shown in monitoring."""

    _name = "omni.backend.stream"
    _description = "Omnichannel Sync Stream"
    _order = "backend_id, name"

    backend_id = fields.Many2one("omni.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    name = fields.Char(required=True)
    watermark = fields.Datetime(help="Channel time up to which records have been fetched.")
    cursor = fields.Char(help="Opaque channel cursor of an interrupted pagination.")
    last_success_at = fields.Datetime(readonly=True)
    last_error_at = fields.Datetime(readonly=True)
    last_error = fields.Text(readonly=True)

    _sql_constraints = [
        ("backend_name_uniq", "UNIQUE(backend_id, name)", "A stream exists once per backend."),
    ]

    def _mark_success(self, watermark=None):
        vals = {"last_success_at": fields.Datetime.now(), "cursor": False}
        if watermark:
            vals["watermark"] = max(watermark, self.watermark) if self.watermark else watermark
        self.write(vals)

    def _mark_error(self, message):
        self.write({"last_error_at": fields.Datetime.now(), "last_error": message})
