from odoo import api, models

# Shopify words the common defaults do not cover (REST spelling, lower case: the parser turns
# GraphQL's PARTIALLY_FULFILLED into "partial" and so on).
SHOPIFY_DEFAULTS = [
    ("financial", "expired", "cancelled", "cancel"),
    ("fulfillment", "restocked", "open", "none"),
    ("fulfillment", "in_progress", "open", "none"),
    ("fulfillment", "on_hold", "open", "none"),
    ("fulfillment", "open", "open", "none"),
    ("fulfillment", "pending_fulfillment", "open", "none"),
    ("fulfillment", "scheduled", "open", "none"),
    ("fulfillment", "request_declined", "open", "none"),
]


class OmniStatusMap(models.Model):
    _inherit = "omni.status.map"

    @api.model
    def _default_rows(self, channel):
        rows = super()._default_rows(channel)
        if channel != "shopify":
            return rows
        known = {(row["kind"], row["channel_state"]) for row in rows}
        return rows + [
            {"kind": kind, "channel_state": state, "canonical_state": canonical, "action": action}
            for kind, state, canonical, action in SHOPIFY_DEFAULTS
            if (kind, state) not in known
        ]
