from odoo import fields, models


class OmniBackend(models.Model):
    """A Stripe account as an Omni backend.

    Only the channel is declared for now: the base hooks (connection test, webhook
    verification, event processing) keep their fail-closed defaults for Stripe, so every
    Stripe webhook is rejected until the Stripe-Signature verifier is written.
    """

    _inherit = "omni.backend"

    channel = fields.Selection(selection_add=[("stripe", "Stripe")], ondelete={"stripe": "cascade"})
