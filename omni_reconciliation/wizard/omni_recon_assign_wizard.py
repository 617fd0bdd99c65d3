from odoo import _, fields, models


class OmniReconAssignWizard(models.TransientModel):
    """Assign one or many exceptions; the assignee gets a to-do activity on each."""

    _name = "omni.recon.assign.wizard"
    _description = "Assign Exceptions"

    exception_ids = fields.Many2many("omni.recon.exception", required=True)
    user_id = fields.Many2one(
        "res.users",
        string="Assign to",
        required=True,
        default=lambda self: self.env.user,
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("omni_connector_base.group_omni_user").ids)
        ],
    )
    note = fields.Char(string="Activity note")

    def action_assign(self):
        self.ensure_one()
        excs = self.exception_ids
        excs.write({"user_id": self.user_id.id})
        excs._omni_audit(
            "exception_assign",
            _(
                "Assigned to %(assignee)s by %(user)s.",
                assignee=self.user_id.name,
                user=self.env.user.name,
            ),
        )
        for exc in excs:  # one activity per exception the user picked, not a population
            exc.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=self.user_id.id,
                summary=self.note or _("Reconciliation exception to work"),
            )
        return {"type": "ir.actions.act_window_close"}
