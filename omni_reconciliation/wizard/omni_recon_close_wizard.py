from odoo import _, fields, models
from odoo.exceptions import UserError


class OmniReconCloseWizard(models.TransientModel):
    """Explain or ignore one or many open exceptions with one resolution note."""

    _name = "omni.recon.close.wizard"
    _description = "Explain or Ignore Exceptions"

    exception_ids = fields.Many2many("omni.recon.exception", required=True)
    state = fields.Selection(
        [("explained", "Explained"), ("ignored", "Ignored")], required=True, default="explained"
    )
    note = fields.Text(
        required=True, help="Why the gap is legitimate or why it is not worth pursuing."
    )

    def action_confirm(self):
        self.ensure_one()
        if not (self.note or "").strip():
            raise UserError(_("Write a resolution note."))
        excs = self.exception_ids
        excs._check_open()
        excs.write({"resolution_note": self.note.strip()})
        if self.state == "explained":
            excs.action_explain()
        else:
            excs.action_ignore()
        return {"type": "ir.actions.act_window_close"}
