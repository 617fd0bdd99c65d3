from markupsafe import Markup, escape

from odoo import _, api, models

APPLY_CONTEXT = "omni_approval_apply"


class OmniApprovalMixin(models.AbstractModel):
    """Fields that move money or tax: each write is logged on the backend's chatter (who,
    old -> new) and, where the company asks for it, held as a change request another
    manager approves before it applies. A model opts in by inheriting the mixin and listing
    its fields in ``_omni_approval_fields``."""

    _name = "omni.approval.mixin"
    _description = "Omnichannel Approval Gate"

    _omni_approval_fields = ()

    def _omni_approval_backend(self):
        """The backend whose chatter and company govern this record."""
        self.ensure_one()
        return self.backend_id

    # ------------------------------------------------------------------------------------
    # Values: JSON-safe (a many2one is its id), compared and shown the same way everywhere
    # ------------------------------------------------------------------------------------

    def _omni_approval_current(self, field_names):
        self.ensure_one()
        return {
            name: self._fields[name].convert_to_write(self[name], self) or False
            for name in field_names
        }

    def _omni_approval_new(self, vals, field_names):
        self.ensure_one()
        new = {}
        for name in field_names:
            field = self._fields[name]
            value = field.convert_to_cache(vals[name], self)
            new[name] = field.convert_to_write(field.convert_to_record(value, self), self) or False
        return new

    def _omni_approval_display(self, field_name, value):
        field = self._fields[field_name]
        if value is False or value is None:
            return "—"
        if field.type == "many2one":
            return self.env[field.comodel_name].sudo().browse(value).display_name
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, value)
        return str(value)

    def _omni_approval_summary(self, old, new):
        """One line per field: 'Label: old → new'."""
        self.ensure_one()
        return "\n".join(
            f"{self._fields[name]._description_string(self.env)}: "
            f"{self._omni_approval_display(name, old[name])} → "
            f"{self._omni_approval_display(name, new[name])}"
            for name in new
        )

    def _omni_approval_label(self):
        self.ensure_one()
        return f"{self._description} {self.display_name}"

    def _omni_approval_log(self, summary, note):
        self.ensure_one()
        lines = Markup("<br/>").join(escape(line) for line in summary.split("\n"))
        self._omni_approval_backend()._message_log(
            body=Markup("<p>%s</p><p>%s</p>") % (note, lines)
        )

    # ------------------------------------------------------------------------------------
    # The gate
    # ------------------------------------------------------------------------------------

    def _omni_approval_required(self):
        """System writes (install, crons, the superuser) and approved changes apply; a user's
        write is held when the backend's company requires approval."""
        self.ensure_one()
        if self.env.su or self.env.context.get(APPLY_CONTEXT):
            return False
        return self._omni_approval_backend().company_id.omni_approval_required

    def write(self, vals):
        gated = [name for name in self._omni_approval_fields if name in vals]
        if not gated:
            return super().write(vals)
        diffs = {}
        for record in self:
            old = record._omni_approval_current(gated)
            new = record._omni_approval_new(vals, gated)
            changed = [name for name in gated if old[name] != new[name]]
            if changed:
                diffs[record] = (
                    {name: old[name] for name in changed},
                    {name: new[name] for name in changed},
                )
        held = self.filtered(lambda rec: rec in diffs and rec._omni_approval_required())
        applied = self - held
        if applied:
            super(OmniApprovalMixin, applied).write(vals)
        other_vals = {name: value for name, value in vals.items() if name not in gated}
        if held and other_vals:
            super(OmniApprovalMixin, held).write(other_vals)
        for record in applied.filtered(lambda rec: rec in diffs):
            record._omni_approval_log(
                record._omni_approval_summary(*diffs[record]),
                self.env.context.get("omni_approval_note")
                or _(
                    "%(record)s changed by %(user)s:",
                    record=record._omni_approval_label(),
                    user=self.env.user.name,
                ),
            )
        for record in held:
            record._omni_approval_propose(*diffs[record])
        return True

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._omni_approval_log_rows(_("added"))
        return records

    def unlink(self):
        self._omni_approval_log_rows(_("removed"))
        return super().unlink()

    def _omni_approval_log_rows(self, verb):
        """Rows added or removed are logged, not held: a channel state or tax without a row
        fails its events with a mapping error, it never books a wrong amount."""
        by_backend = {}
        for record in self:
            by_backend.setdefault(record._omni_approval_backend(), []).append(record)
        for backend, records in by_backend.items():
            names = ", ".join(record.display_name for record in records)
            backend._message_log(
                body=_(
                    "%(model)s %(verb)s by %(user)s: %(names)s",
                    model=self._description,
                    verb=verb,
                    user=self.env.user.name,
                    names=names,
                )
            )

    def _omni_approval_propose(self, old, new):
        self.ensure_one()
        summary = self._omni_approval_summary(old, new)
        request = self.env["omni.change.request"].create(
            {
                "backend_id": self._omni_approval_backend().id,
                "res_model": self._name,
                "res_id": self.id,
                "record_name": self._omni_approval_label(),
                "old_values": old,
                "new_values": new,
                "summary": summary,
            }
        )
        self._omni_approval_log(
            summary,
            _(
                "%(record)s: change %(request)s proposed by %(user)s, pending approval:",
                record=self._omni_approval_label(),
                request=request.name,
                user=self.env.user.name,
            ),
        )
        return request
