from markupsafe import Markup

from odoo import _, api, fields, models


class OmniBackendSetupWizard(models.TransientModel):
    """The guided first connection of a backend: each step the channel needs (what to paste
    where), whether it is done, what is missing in words, and the next step. The checks are
    the backend's (``omni.backend._omni_setup_steps``); the connection test is the backend's
    own, so the guide says exactly what Test Connection says."""

    _name = "omni.backend.setup.wizard"
    _description = "Omnichannel Backend Setup Guide"

    backend_id = fields.Many2one("omni.backend", required=True, ondelete="cascade")
    channel = fields.Selection(related="backend_id.channel")
    webhook_url = fields.Char(related="backend_id.webhook_url")
    connection_message = fields.Text(related="backend_id.connection_message")
    state = fields.Selection(related="backend_id.state")
    steps_html = fields.Html(compute="_compute_steps", sanitize=False)
    next_step = fields.Text(compute="_compute_steps")
    ready = fields.Boolean(compute="_compute_steps")

    @api.depends("backend_id", "backend_id.state")
    def _compute_steps(self):
        for wizard in self:
            steps = wizard.backend_id._omni_setup_steps() if wizard.backend_id else []
            todo = [step for step in steps if not step["done"]]
            wizard.ready = bool(steps) and not todo
            wizard.next_step = (
                todo[0]["how"]
                if todo
                else _(
                    "All set. The scheduled pulls import the channel's data and its webhooks "
                    "arrive as they happen: watch them in Omnichannel ▸ Events."
                )
            )
            done_label, todo_label = _("Done"), _("To do")  # here: _() reads this frame
            items = []
            for step in steps:
                items.append(
                    Markup(
                        '<li class="o_omni_setup_step o_omni_setup_step_%s %s list-group-item '
                        'd-flex gap-2"><i class="fa %s mt-1" role="img" aria-label="%s" '
                        'title="%s"></i>'
                        '<div><strong>%s</strong><div class="text-muted">%s</div></div></li>'
                    )
                    % (
                        step["key"],
                        "o_omni_step_done" if step["done"] else "o_omni_step_todo",
                        "fa-check text-success" if step["done"] else "fa-times text-danger",
                        done_label if step["done"] else todo_label,
                        done_label if step["done"] else todo_label,
                        step["label"],
                        step["status"] if step["done"] else step["how"],
                    )
                )
            wizard.steps_html = (
                Markup('<ul class="list-group">%s</ul>') % Markup("").join(items)
                if items
                else False
            )

    def action_test_connection(self):
        """Test the connection and show the guide again, with what the test found."""
        self.ensure_one()
        self.backend_id.action_test_connection()
        return self._reopen()

    def action_refresh(self):
        self.ensure_one()
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Setup Guide: %(backend)s", backend=self.backend_id.name),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
