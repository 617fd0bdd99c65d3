from odoo import api, fields, models

from odoo.addons.omni_connector_base.const import DEFAULT_GATEWAYS

STRIPE_GATEWAY = "stripe"


class OmniBackend(models.Model):
    """Stripe's accounting is the shared one (``omni.importer``'s registration and
    settlement booking): the Stripe balance is the journal of the ``stripe`` gateway."""

    _inherit = "omni.backend"  # pylint: disable=consider-merging-classes-inherited

    stripe_journal_id = fields.Many2one(
        "account.journal",
        string="Stripe Balance Journal",
        compute="_compute_stripe_journal_id",
        inverse="_inverse_stripe_journal_id",
        check_company=True,
        domain="[('type', '=', 'bank')]",
        help="Bank-type journal standing for the Stripe balance (clearing account): the "
        "journal of the backend's stripe gateway.",
    )

    @api.depends("gateway_ids.journal_id", "gateway_ids.gateway")
    def _compute_stripe_journal_id(self):
        for backend in self:
            backend.stripe_journal_id = backend._stripe_gateway().journal_id

    def _inverse_stripe_journal_id(self):
        label, kind, __ = DEFAULT_GATEWAYS[STRIPE_GATEWAY]
        for backend in self.filtered("stripe_journal_id"):
            gateway = backend._stripe_gateway()
            if gateway:
                gateway.journal_id = backend.stripe_journal_id
            else:
                self.env["omni.backend.gateway"].create(
                    {
                        "backend_id": backend.id,
                        "gateway": STRIPE_GATEWAY,
                        "name": label,
                        "kind": kind,
                        "journal_id": backend.stripe_journal_id.id,
                    }
                )

    def _stripe_gateway(self):
        return self.gateway_ids.filtered(lambda g: g.gateway == STRIPE_GATEWAY)[:1]

    @api.model
    def _omni_default_invoice_policy(self, channel):
        # A Stripe account has no orders of its own: the shop's backend invoices them.
        return "manual" if channel == "stripe" else super()._omni_default_invoice_policy(channel)

    def _omni_default_gateways(self):
        if self.channel == "stripe":
            return {STRIPE_GATEWAY: DEFAULT_GATEWAYS[STRIPE_GATEWAY]}
        return super()._omni_default_gateways()

    def _omni_settlement_gateway(self):
        if self.channel == "stripe":
            return STRIPE_GATEWAY
        return super()._omni_settlement_gateway()
