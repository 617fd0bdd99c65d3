import base64
import binascii

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.omni_connector_base.tools.errors import PayloadError


class AmazonSettlementImport(models.TransientModel):
    """Import a settlement report downloaded from Seller Central (Payments, All statements,
    Flat File V2): it becomes the same event the scheduled pull would store."""

    _name = "omni.amazon.settlement.import"
    _description = "Import an Amazon Settlement Report"
    _check_company_auto = True

    backend_id = fields.Many2one(
        "omni.backend",
        string="Amazon Account",
        required=True,
        domain="[('channel', '=', 'amazon'), ('company_id', 'in', allowed_company_ids)]",
        check_company=True,
        default=lambda self: self._default_backend(),
    )
    company_id = fields.Many2one(related="backend_id.company_id")
    settlement_file = fields.Binary(string="Settlement Report", required=True)
    filename = fields.Char()

    @api.model
    def _default_backend(self):
        active = self.env.context.get("active_model") == "omni.backend" and self.env.context.get(
            "active_id"
        )
        backend = self.env["omni.backend"].browse(active) if active else None
        if backend and backend.channel == "amazon":
            return backend
        return self.env["omni.backend"].search([("channel", "=", "amazon")], limit=1)

    def action_import(self):
        self.env["omni.backend"]._omni_check_manager()
        self.ensure_one()
        try:
            text = base64.b64decode(self.settlement_file).decode("utf-8-sig")
        except (binascii.Error, UnicodeDecodeError):
            raise UserError(_("The file is not a text settlement report.")) from None
        backend = self.backend_id
        try:
            vals = backend._amazon_settlement_event_vals(text)
        except PayloadError as err:
            raise UserError(str(err)) from None
        new, known = self.env["omni.event"]._receive(backend, [vals], source="file")
        new._enqueue()
        event = new or known
        return {
            "type": "ir.actions.act_window",
            "res_model": "omni.event",
            "res_id": event[:1].id,
            "view_mode": "form",
        }
