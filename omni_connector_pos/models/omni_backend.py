from odoo import fields, models


class OmniBackend(models.Model):
    """A store chain (Odoo POS or an external till system) as an Omni backend.

    Only the channel is declared for now: the base hooks (connection test, webhook
    verification, event processing) keep their fail-closed defaults for stores, so every
    store webhook is rejected until the signed-feed verifier is written.
    """

    _inherit = "omni.backend"

    channel = fields.Selection(
        selection_add=[("pos", "Point of Sale")], ondelete={"pos": "cascade"}
    )
