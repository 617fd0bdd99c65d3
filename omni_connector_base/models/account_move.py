from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    omni_backend_id = fields.Many2one(
        "omni.backend",
        string="Channel Backend",
        index="btree_not_null",
        copy=False,
        readonly=True,
        check_company=True,
    )
    omni_channel = fields.Selection(related="omni_backend_id.channel", string="Channel", store=True)
    omni_external_ref = fields.Char(
        string="Channel Reference", index="btree_not_null", copy=False, readonly=True
    )
