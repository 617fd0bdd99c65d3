from odoo import fields, models


class OmniEventIgnoreWizard(models.TransientModel):
    _name = "omni.event.ignore.wizard"
    _description = "Ignore Omnichannel Events"

    reason = fields.Text(required=True)

    def action_confirm(self):
        events = self.env["omni.event"].browse(self.env.context.get("active_ids", []))
        return events.action_ignore(reason=self.reason)
