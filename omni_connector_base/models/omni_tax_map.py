from odoo import api, fields, models


class OmniTaxMap(models.Model):
    """Channel tax line (title and rate) -> Odoo tax. A channel tax without a row here makes
    the event fail with a mapping error instead of booking a wrong tax."""

    _name = "omni.tax.map"
    _inherit = ["omni.approval.mixin"]
    _omni_approval_fields = ("channel_tax", "rate", "tax_id")
    _description = "Omnichannel Tax Mapping"
    _order = "backend_id, channel_tax"
    _check_company_auto = True

    backend_id = fields.Many2one("omni.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    channel_tax = fields.Char(required=True, help="Tax title as the channel sends it, e.g. 'VAT'.")
    rate = fields.Float(digits=(16, 6), help="Rate as a fraction (0.2 for 20 %).", required=True)
    tax_id = fields.Many2one(
        "account.tax",
        required=True,
        check_company=True,
        domain="[('type_tax_use', '=', 'sale'), ('company_id', '=', company_id)]",
    )

    _sql_constraints = [
        (
            "backend_tax_rate_uniq",
            "UNIQUE(backend_id, channel_tax, rate)",
            "This channel tax is already mapped.",
        ),
    ]

    @api.depends("channel_tax", "rate")
    def _compute_display_name(self):
        for row in self:
            row.display_name = f"{row.channel_tax or ''} {row.rate * 100:g} %"

    @api.model
    def _find(self, backend, title, rate):
        key = (title or "").strip().lower()
        return backend.tax_map_ids.filtered(
            lambda row: (
                row.channel_tax.strip().lower() == key and abs(row.rate - float(rate)) < 1e-6
            )
        )[:1]
