from odoo import fields, models

from odoo.addons.omni_connector_base.const import TENDER_TYPES


class OmniPayment(models.Model):
    """Till movements know the store-day and tender they belong to: the transactions side of
    ``omni.store.day`` is summed from these columns in SQL."""

    _inherit = "omni.payment"

    pos_location_id = fields.Many2one(
        "omni.location", string="Store / Register", index="btree_not_null", ondelete="set null"
    )
    pos_business_date = fields.Date(string="Business Date")
    pos_tender = fields.Selection(TENDER_TYPES, string="Tender")
    pos_transaction_ref = fields.Char(
        string="Till Transaction", index="btree_not_null", help="The till's transaction id."
    )
