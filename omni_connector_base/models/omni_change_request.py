from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .omni_approval_mixin import APPLY_CONTEXT

CHANGE_STATES = [("proposed", "Proposed"), ("applied", "Applied"), ("rejected", "Rejected")]


class OmniChangeRequest(models.Model):
    """A held change of fields that move money or tax: proposed by one manager, applied
    only once another approves it. Until then the rules in force stay in force."""

    _name = "omni.change.request"
    _description = "Omnichannel Change Request"
    _order = "id desc"
    _rec_name = "name"

    name = fields.Char(compute="_compute_name", store=True)
    backend_id = fields.Many2one("omni.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    res_model = fields.Char(string="Model", required=True)
    res_id = fields.Integer(string="Record ID", required=True)
    record_name = fields.Char(string="Record", required=True)
    old_values = fields.Json(required=True)
    new_values = fields.Json(required=True)
    summary = fields.Text(string="Change", required=True)
    state = fields.Selection(CHANGE_STATES, default="proposed", required=True, index=True)
    proposer_id = fields.Many2one("res.users", string="Proposed by", required=True)
    proposed_at = fields.Datetime(required=True)
    approver_id = fields.Many2one("res.users", string="Decided by")
    decided_at = fields.Datetime()

    @api.depends("res_model")
    def _compute_name(self):
        for request in self:
            request.name = _("CR%(id)s", id=request.id) if request.id else False

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            # a proposal is always the current user's and starts pending, whatever RPC sends
            for vals in vals_list:
                vals.update(
                    state="proposed",
                    proposer_id=self.env.uid,
                    proposed_at=fields.Datetime.now(),
                    approver_id=False,
                    decided_at=False,
                )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(_("A change request changes only by being approved or rejected."))
        return super().write(vals)

    def _record(self):
        self.ensure_one()
        return self.env[self.res_model].browse(self.res_id).exists()

    def _check_decidable(self):
        self.env["omni.backend"]._omni_check_manager()
        for request in self:
            if request.state != "proposed":
                raise UserError(_("Change %(name)s is no longer pending.", name=request.name))

    def action_approve(self):
        """Apply the change, as its approver; never the proposer's own."""
        self._check_decidable()
        for request in self:
            if request.proposer_id == self.env.user:
                raise UserError(
                    _(
                        "You proposed change %(name)s: another manager must approve it.",
                        name=request.name,
                    )
                )
            record = request._record()
            if not record:
                raise UserError(
                    _("The record of change %(name)s no longer exists.", name=request.name)
                )
            if record._omni_approval_current(list(request.old_values)) != request.old_values:
                raise UserError(
                    _(
                        "%(record)s changed since change %(name)s was proposed: reject it and "
                        "propose it again.",
                        record=request.record_name,
                        name=request.name,
                    )
                )
            note = _(
                "%(record)s: change %(name)s proposed by %(proposer)s, approved and applied "
                "by %(user)s:",
                record=request.record_name,
                name=request.name,
                proposer=request.proposer_id.name,
                user=self.env.user.name,
            )
            record.with_context(**{APPLY_CONTEXT: True, "omni_approval_note": note}).write(
                request.new_values
            )
            request.sudo().write(
                {
                    "state": "applied",
                    "approver_id": self.env.uid,
                    "decided_at": fields.Datetime.now(),
                }
            )
        return True

    def action_reject(self):
        """Drop the change (the proposer may withdraw it too); nothing applies."""
        self._check_decidable()
        for request in self:
            request.sudo().write(
                {
                    "state": "rejected",
                    "approver_id": self.env.uid,
                    "decided_at": fields.Datetime.now(),
                }
            )
            request.backend_id._message_log(
                body=_(
                    "%(record)s: change %(name)s rejected by %(user)s.",
                    record=request.record_name,
                    name=request.name,
                    user=self.env.user.name,
                )
            )
        return True

    def action_open_record(self):
        self.ensure_one()
        return self._record().get_formview_action()
