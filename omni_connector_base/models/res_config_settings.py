from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    omni_approval_required = fields.Boolean(
        related="company_id.omni_approval_required", readonly=False
    )
