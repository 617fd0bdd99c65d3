from odoo import fields, models


class MailMessage(models.Model):
    _inherit = "mail.message"

    omni_action = fields.Char(
        index="btree_not_null",
        readonly=True,
        help="The Omni manual action this line records (see omni.audit.report).",
    )
