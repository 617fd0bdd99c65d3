from datetime import timedelta

from odoo import fields, models


class OmniReconRunWizard(models.TransientModel):
    """Run the reconciliation now (in this transaction) or in the background (queue_job),
    with the settings of the company and of each channel (Invoicing settings, channel form)."""

    _name = "omni.recon.run.wizard"
    _description = "Run the Reconciliation"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    backend_id = fields.Many2one(
        "omni.backend", check_company=True, help="Leave empty to reconcile every backend."
    )
    date_from = fields.Date(
        required=True, default=lambda self: fields.Date.context_today(self) - timedelta(days=90)
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    in_background = fields.Boolean(
        string="Run in the background", help="Enqueue a job instead of waiting for the result."
    )

    def action_run(self):
        self.ensure_one()
        run = self.env["omni.recon.run"].create(
            {
                "company_id": self.company_id.id,
                "backend_id": self.backend_id.id,
                "date_from": self.date_from,
                "date_to": self.date_to,
            }
        )
        if self.in_background:
            run._enqueue()
            return {
                "type": "ir.actions.act_window",
                "res_model": "omni.recon.run",
                "res_id": run.id,
                "view_mode": "form",
            }
        return run.action_run()
