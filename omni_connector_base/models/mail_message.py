from odoo import _, api, fields, models
from odoo.exceptions import AccessError


class MailMessage(models.Model):
    _inherit = "mail.message"

    omni_action = fields.Char(
        index="btree_not_null",
        readonly=True,
        help="The Omni manual action this line records (see omni.audit.report).",
    )

    # Only the audited actions mark a line (as superuser): nobody forges an audit entry.
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.get("omni_action") for vals in vals_list):
            raise AccessError(_("Audit entries are written by the audited actions only."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and "omni_action" in vals:
            raise AccessError(_("Audit entries are written by the audited actions only."))
        return super().write(vals)
