from odoo import fields, models


class OmniBackend(models.Model):
    """A Shopify shop as an Omni backend.

    Only the channel is declared for now: the base hooks (connection test, webhook
    verification, event processing) keep their fail-closed defaults for Shopify, so every
    Shopify webhook is rejected until the HMAC verifier is written.
    """

    _inherit = "omni.backend"

    channel = fields.Selection(
        selection_add=[("shopify", "Shopify")], ondelete={"shopify": "cascade"}
    )
