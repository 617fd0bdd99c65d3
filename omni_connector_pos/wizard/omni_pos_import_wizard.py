import base64
import json

from odoo import _, fields, models
from odoo.exceptions import UserError

from odoo.addons.omni_connector_base.tools.errors import PayloadError

from ..const import FILE_ROWS_TOPIC
from ..tools import contract, csv_feed


class OmniPosImportWizard(models.TransientModel):
    """Import an end-of-day export (contract JSON or the documented CSV) of a store.

    Every record lands as an ``omni.event`` (source: file) exactly as a webhook would, so a
    record already received another way is not imported twice. Bad CSV rows are reported by
    line number and kept as failed events; the good records go through.
    """

    _name = "omni.pos.import.wizard"
    _description = "Omni POS File Import"

    backend_id = fields.Many2one(
        "omni.backend", required=True, domain=[("channel", "=", "pos")], ondelete="cascade"
    )
    file = fields.Binary(required=True, attachment=False)
    filename = fields.Char()
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft")
    received_count = fields.Integer(readonly=True)
    duplicate_count = fields.Integer(readonly=True)
    rejected_count = fields.Integer(readonly=True)
    report = fields.Text(readonly=True)

    def action_import(self):
        self.env["omni.backend"]._omni_check_manager()
        self.ensure_one()
        data = base64.b64decode(self.file or b"")
        try:
            if (self.filename or "").lower().endswith(".csv"):
                vals_list, problems = self._csv_vals(data)
            else:
                vals_list, problems = self._json_vals(data)
        except PayloadError as err:
            raise UserError(
                _("Cannot read %(file)s: %(err)s", file=self.filename, err=str(err))
            ) from None
        backend = self.backend_id.sudo()
        for vals in vals_list:
            vals.setdefault("headers", {"filename": self.filename or ""})
        new_events, duplicates = (
            self.env["omni.event"].sudo()._receive(backend, vals_list, source="file")
        )
        new_events.filtered(lambda e: e.state == "received")._enqueue()
        self.write(
            {
                "state": "done",
                "received_count": len(new_events),
                "duplicate_count": len(vals_list) - len(new_events),
                "rejected_count": len(problems),
                "report": "\n".join(problems) or _("Every record was accepted."),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _csv_vals(self, data):
        backend = self.backend_id
        records, rejected = csv_feed.read(data)
        vals_list = backend._pos_event_vals([record for __, record in records])
        problems = []
        for line_numbers, message, rows in rejected:
            problems.append(message)
            # Kept as a failed event: nothing of the file is lost, a user sees what to fix.
            vals_list.append(
                {
                    **backend._omni_event_vals(
                        FILE_ROWS_TOPIC,
                        {
                            "file": self.filename,
                            "lines": line_numbers,
                            "rows": rows,
                            "error": message,
                        },
                        f"{self.filename or 'file'}:{line_numbers[0]}",
                    ),
                    "state": "failed",
                    "attempts": 1,
                    "error_class": "payload",
                    "error_message": message,
                }
            )
        return vals_list, problems

    def _json_vals(self, data):
        try:
            document = json.loads(data)
        except ValueError as err:
            raise PayloadError(_("not JSON: %(error)s", error=str(err))) from None
        records = document if isinstance(document, list) else contract.split(document)
        problems = []
        for index, record in enumerate(records, start=1):
            kind = record.get("record_type") if isinstance(record, dict) else None
            try:
                contract.validate(record, kind if kind in contract.RECORD_TYPES else "")
            except PayloadError as err:
                # Stored anyway: its event fails with this message and stays visible.
                problems.append(_("record %(index)s: %(err)s", index=index, err=str(err)))
        return self.backend_id._pos_event_vals(records), problems
