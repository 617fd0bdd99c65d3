from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    omni_recon_tolerance = fields.Float(
        related="company_id.omni_recon_tolerance", readonly=False, digits=(16, 4)
    )
    omni_recon_delivery_sla_days = fields.Integer(
        related="company_id.omni_recon_delivery_sla_days", readonly=False
    )
    omni_recon_invoice_sla_days = fields.Integer(
        related="company_id.omni_recon_invoice_sla_days", readonly=False
    )
    omni_recon_settlement_grace_days = fields.Integer(
        related="company_id.omni_recon_settlement_grace_days", readonly=False
    )
    omni_recon_bank_days = fields.Integer(related="company_id.omni_recon_bank_days", readonly=False)
    omni_recon_fx_tolerance_pct = fields.Float(
        related="company_id.omni_recon_fx_tolerance_pct", readonly=False
    )
    omni_recon_high_amount = fields.Monetary(
        related="company_id.omni_recon_high_amount",
        readonly=False,
        currency_field="currency_id",
    )
