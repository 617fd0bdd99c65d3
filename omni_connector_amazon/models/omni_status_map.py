from odoo import api, models

# Amazon's fulfilment statuses (lower case, as the parser passes them) the common defaults do
# not cover; payment is Amazon's business: an order past PENDING is paid.
AMAZON_DEFAULTS = [
    ("fulfillment", "pending", "open", "none"),
    ("fulfillment", "pending_availability", "open", "none"),
    ("fulfillment", "unshipped", "open", "none"),
    ("fulfillment", "partially_shipped", "partially_delivered", "none"),
    ("fulfillment", "shipped", "delivered", "deliver"),
    ("fulfillment", "unfulfillable", "open", "none"),
    ("fulfillment", "cancelled", "cancelled", "cancel"),
]


class OmniStatusMap(models.Model):
    _inherit = "omni.status.map"

    @api.model
    def _default_rows(self, channel):
        rows = super()._default_rows(channel)
        if channel != "amazon":
            return rows
        known = {(row["kind"], row["channel_state"]) for row in rows}
        return rows + [
            {"kind": kind, "channel_state": state, "canonical_state": canonical, "action": action}
            for kind, state, canonical, action in AMAZON_DEFAULTS
            if (kind, state) not in known
        ]
