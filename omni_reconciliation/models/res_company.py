from odoo import fields, models

from ..const import RECON_SETTINGS_CHECK


class ResCompany(models.Model):
    """The company's reconciliation settings; a channel backend may override them."""

    _inherit = "res.company"
    _sql_constraints = [
        (
            "omni_recon_settings_positive",
            RECON_SETTINGS_CHECK,
            "No reconciliation setting (tolerance, delay...) can be negative.",
        ),
    ]

    omni_recon_tolerance = fields.Float(
        string="Reconciliation Tolerance",
        digits=(16, 4),
        default=0.0,
        help="Amount gaps up to this (in the currency of the amounts compared) are not "
        "reported, unless the currency has its own tolerance; half the currency's rounding "
        "is always tolerated.",
    )
    omni_recon_delivery_sla_days = fields.Integer(
        string="Delivery SLA (days)",
        default=3,
        help="Days after confirmation before an undelivered order is reported.",
    )
    omni_recon_invoice_sla_days = fields.Integer(
        string="Invoicing SLA (days)",
        default=3,
        help="Days after confirmation before an uninvoiced order is reported.",
    )
    omni_recon_settlement_grace_days = fields.Integer(
        string="Settlement Grace (days)",
        default=2,
        help="Days after a charge's available date before it must be in a payout.",
    )
    omni_recon_bank_days = fields.Integer(
        string="Bank Delay (days)",
        default=3,
        help="Days after a payout's arrival date before it must be in the bank.",
    )
    omni_recon_fx_tolerance_pct = fields.Float(
        string="FX Tolerance (%)", default=1.0, help="Conversion gaps up to this are tolerated."
    )
    omni_recon_high_amount = fields.Monetary(
        string="High Severity From",
        currency_field="currency_id",
        default=1000.0,
        help="Amount gaps from this amount (company currency) are high severity.",
    )
