from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    omni_approval_required = fields.Boolean(
        string="Omni: approve finance changes",
        help="A manager's change of a backend's status, tax or gateway maps or accounting "
        "settings is held until another manager approves it.",
    )
