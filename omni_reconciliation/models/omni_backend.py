from odoo import api, fields, models

from ..const import RECON_SETTINGS


class OmniBackend(models.Model):
    """A channel reconciles with its company's settings, or with its own (a marketplace that
    pays out weekly needs a longer settlement grace than a shop paid daily)."""

    _inherit = "omni.backend"

    omni_recon_own_settings = fields.Boolean(
        string="Own Reconciliation Settings",
        help="Reconcile this channel with the settings below instead of the company's.",
    )
    # Each starts from the company's value when the channel takes its own settings.
    omni_recon_tolerance = fields.Float(
        string="Reconciliation Tolerance",
        digits=(16, 4),
        compute="_compute_omni_recon_settings",
        store=True,
        readonly=False,
        help="Amount gaps up to this are not reported, unless the currency has its own "
        "tolerance; half the currency's rounding is always tolerated.",
    )
    omni_recon_delivery_sla_days = fields.Integer(
        string="Delivery SLA (days)",
        compute="_compute_omni_recon_settings",
        store=True,
        readonly=False,
    )
    omni_recon_invoice_sla_days = fields.Integer(
        string="Invoicing SLA (days)",
        compute="_compute_omni_recon_settings",
        store=True,
        readonly=False,
    )
    omni_recon_settlement_grace_days = fields.Integer(
        string="Settlement Grace (days)",
        compute="_compute_omni_recon_settings",
        store=True,
        readonly=False,
        help="Days after a charge's available date before it must be in a payout.",
    )
    omni_recon_bank_days = fields.Integer(
        string="Bank Delay (days)",
        compute="_compute_omni_recon_settings",
        store=True,
        readonly=False,
        help="Days after a payout's arrival date before it must be in the bank.",
    )
    omni_recon_fx_tolerance_pct = fields.Float(
        string="FX Tolerance (%)",
        compute="_compute_omni_recon_settings",
        store=True,
        readonly=False,
    )
    omni_recon_company_currency_id = fields.Many2one(related="company_id.currency_id")
    omni_recon_high_amount = fields.Monetary(
        string="High Severity From",
        currency_field="omni_recon_company_currency_id",
        compute="_compute_omni_recon_settings",
        store=True,
        readonly=False,
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
