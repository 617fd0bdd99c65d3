from odoo import models


class OmniAuditMixin(models.AbstractModel):
    """A manual action on a record is one chatter line naming its user, marked with the
    action so that managers can list them per period (``omni.audit.report``)."""

    _name = "omni.audit.mixin"
    _description = "Omnichannel Audited Actions"

    def _omni_audit(self, action, body):
        """Log ``body`` (already naming the user) on each record as action ``action``."""
        for record in self:
            message = record._message_log(body=body)
            # _message_log leaves the company empty; the report's company rule needs it
            message.write(
                {
                    "omni_action": action,
                    "record_company_id": record.company_id.id or self.env.company.id,
                }
            )
