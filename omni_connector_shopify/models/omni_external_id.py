from odoo import fields, models


class OmniExternalId(models.Model):
    _inherit = "omni.external.id"

    # a Shopify variant's inventory item: what stock pushes and inventory webhooks name
    kind = fields.Selection(
        selection_add=[("inventory_item", "Inventory Item")],
        ondelete={"inventory_item": "cascade"},
    )
