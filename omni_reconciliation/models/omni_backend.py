from odoo import api, fields, models

from ..const import RECON_SETTINGS, RECON_SETTINGS_CHECK


def _own_setting(field_type, string, **kwargs):
    """A setting of the channel's own: it starts from the company's value when the channel
    takes its own settings."""
    return field_type(
        string=string,
        compute="_compute_omni_recon_settings",
        store=True,
        readonly=False,
        **kwargs,
    )


class OmniBackend(models.Model):
    """A channel reconciles with its company's settings, or with its own (a marketplace that
    pays out weekly needs a longer settlement grace than a shop paid daily)."""

    _inherit = "omni.backend"
    _sql_constraints = [
        (
            "omni_recon_settings_positive",
            RECON_SETTINGS_CHECK,
            "No reconciliation setting (tolerance, delay...) can be negative.",
        ),
    ]

    omni_recon_own_settings = fields.Boolean(
        string="Own Reconciliation Settings",
        help="Reconcile this channel with the settings below instead of the company's.",
    )
    omni_recon_tolerance = _own_setting(
        fields.Float,
        "Reconciliation Tolerance",
        digits=(16, 4),
        help="Amount gaps up to this are not reported, unless the currency has its own "
        "tolerance; half the currency's rounding is always tolerated.",
    )
    omni_recon_delivery_sla_days = _own_setting(fields.Integer, "Delivery SLA (days)")
    omni_recon_invoice_sla_days = _own_setting(fields.Integer, "Invoicing SLA (days)")
    omni_recon_settlement_grace_days = _own_setting(
        fields.Integer,
        "Settlement Grace (days)",
        help="Days after a charge's available date before it must be in a payout.",
    )
    omni_recon_bank_days = _own_setting(
        fields.Integer,
        "Bank Delay (days)",
        help="Days after a payout's arrival date before it must be in the bank.",
    )
    omni_recon_fx_tolerance_pct = _own_setting(fields.Float, "FX Tolerance (%)")
    omni_recon_high_amount = _own_setting(
        fields.Monetary,
        "High Severity From",
        currency_field="currency_id",
        help="Amount gaps from this amount (company currency) are high severity.",
    )

    @api.depends("omni_recon_own_settings")
    def _compute_omni_recon_settings(self):
        # Only on the switch, not on the company's values: the channel's own values stay its own.
        for backend in self:
            for suffix in RECON_SETTINGS:
                field = f"omni_recon_{suffix}"
                backend[field] = backend.company_id[field]

    def _omni_recon_settings(self):
        """The settings the reconciliation applies to this channel, by SQL parameter."""
        self.ensure_one()
        source = self if self.omni_recon_own_settings else self.company_id
        return {param: source[f"omni_recon_{suffix}"] for suffix, param in RECON_SETTINGS.items()}
