from odoo import api, fields, models


class OmniExternalId(models.Model):
    """Channel identifier of an Odoo record, unique per (backend, kind, external id).

    An Odoo record may carry identifiers from several backends (the same product sold
    online and in store), but one external id maps to exactly one record.
    """

    _name = "omni.external.id"
    _description = "Omnichannel External ID"
    _order = "backend_id, kind, external_id"
    _rec_name = "external_id"

    backend_id = fields.Many2one("omni.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    channel = fields.Selection(related="backend_id.channel", store=True)
    kind = fields.Selection(
        [
            ("customer", "Customer"),
            ("product", "Product"),
            ("location", "Location / Store"),
            ("order", "Order"),
            ("refund", "Refund"),
        ],
        required=True,
    )
    external_id = fields.Char(required=True)
    res_model = fields.Char(required=True, index=True)
    res_id = fields.Many2oneReference(model_field="res_model", required=True, index=True)
    record_name = fields.Char(compute="_compute_record_name")

    _sql_constraints = [
        (
            "backend_kind_external_uniq",
            "UNIQUE(backend_id, kind, external_id)",
            "This external ID is already mapped for this backend.",
        ),
    ]

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        for mapping in self:
            if mapping.res_model not in self.env:
                mapping.record_name = False
                continue
            record = self.env[mapping.res_model].browse(mapping.res_id).exists()
            mapping.record_name = record.display_name if record else False

    @api.model
    def _lookup(self, backend, kind, external_ids):
        """{external_id: record} for the mapped ones, in one query."""
        mappings = self.search(
            [
                ("backend_id", "=", backend.id),
                ("kind", "=", kind),
                ("external_id", "in", list(external_ids)),
            ]
        )
        return {m.external_id: self.env[m.res_model].browse(m.res_id) for m in mappings}

    @api.model
    def _bind(self, backend, kind, external_id, record):
        if not external_id:
            return
        existing = self.search(
            [
                ("backend_id", "=", backend.id),
                ("kind", "=", kind),
                ("external_id", "=", external_id),
            ]
        )
        vals = {"res_model": record._name, "res_id": record.id}
        if existing:
            existing.write(vals)
        else:
            self.create(
                {"backend_id": backend.id, "kind": kind, "external_id": external_id, **vals}
            )

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
