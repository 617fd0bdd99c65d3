from odoo import fields, models


class OmniPayment(models.Model):
    _inherit = "omni.payment"

    # Connect platform earnings (Stripe's application fees and their refunds): revenue.
    payment_type = fields.Selection(
        selection_add=[("application_fee", "Platform Earnings")],
        ondelete={"application_fee": "set adjustment"},
    )
