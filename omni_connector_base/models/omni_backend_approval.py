from odoo import api, fields, models

from .omni_backend import MANAGER_GROUP


class OmniBackend(models.Model):
    """The backend's change requests: what is pending shows on its form."""

    _inherit = "omni.backend"  # pylint: disable=consider-merging-classes-inherited

    change_request_ids = fields.One2many("omni.change.request", "backend_id", groups=MANAGER_GROUP)
    change_request_pending_count = fields.Integer(
        compute="_compute_change_request_pending", groups=MANAGER_GROUP
    )

    @api.depends("change_request_ids.state")
    def _compute_change_request_pending(self):
        for backend in self:
            backend.change_request_pending_count = len(
                backend.change_request_ids.filtered(lambda r: r.state == "proposed")
            )

    def _omni_approval_backend(self):
        self.ensure_one()
        return self

    def _omni_approval_log_rows(self, verb):
        """A backend is not a row of a map: its own chatter says it was created."""
        return None

    def action_open_change_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "omni_connector_base.omni_change_request_action"
        )
        action["domain"] = [("backend_id", "=", self.id)]
        action["context"] = {"search_default_filter_proposed": 1}
        return action
