from odoo import api, fields, models

# (kind, channel state) -> (canonical state, Odoo action); connectors extend per channel.
_COMMON_DEFAULTS = [
    ("financial", "pending", "pending", "none"),
    ("financial", "authorized", "authorized", "confirm"),
    ("financial", "paid", "paid", "confirm"),
    ("financial", "partially_paid", "partially_paid", "confirm"),
    ("financial", "partially_refunded", "partially_refunded", "confirm"),
    ("financial", "refunded", "refunded", "confirm"),
    ("financial", "voided", "cancelled", "cancel"),
    ("fulfillment", "unfulfilled", "open", "none"),
    ("fulfillment", "partial", "partially_delivered", "none"),
    ("fulfillment", "fulfilled", "delivered", "deliver"),
    ("cancel", "cancelled", "cancelled", "cancel"),
]


class OmniStatusMap(models.Model):
    """Channel status -> canonical state -> Odoo action, as data (editable per backend)."""

    _name = "omni.status.map"
    _inherit = ["omni.approval.mixin"]
    _omni_approval_fields = ("kind", "channel_state", "canonical_state", "action")
    _description = "Omnichannel Status Mapping"
    _order = "backend_id, kind, sequence, channel_state"

    backend_id = fields.Many2one("omni.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        [("financial", "Financial"), ("fulfillment", "Fulfilment"), ("cancel", "Cancellation")],
        required=True,
    )
    channel_state = fields.Char(required=True, help="The state as the channel spells it.")
    canonical_state = fields.Selection(
        [
            ("pending", "Pending"),
            ("authorized", "Authorized"),
            ("paid", "Paid"),
            ("partially_paid", "Partially Paid"),
            ("partially_refunded", "Partially Refunded"),
            ("refunded", "Refunded"),
            ("open", "Open"),
            ("partially_delivered", "Partially Delivered"),
            ("delivered", "Delivered"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
    )
    action = fields.Selection(
        [
            ("none", "Nothing"),
            ("confirm", "Confirm the sale order"),
            ("deliver", "Confirm and deliver"),
            ("lock", "Confirm and lock"),
            ("cancel", "Cancel the sale order"),
        ],
        required=True,
        default="none",
    )

    _sql_constraints = [
        (
            "backend_kind_state_uniq",
            "UNIQUE(backend_id, kind, channel_state)",
            "A channel state is mapped once per kind.",
        ),
    ]

    @api.depends("kind", "channel_state")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for row in self:
            row.display_name = f"{kinds.get(row.kind, '')}: {row.channel_state or ''}"

    @api.model
    def _default_rows(self, channel):
        """Default rows for a new backend of ``channel``; connectors extend."""
        return [
            {
                "kind": kind,
                "channel_state": state,
                "canonical_state": canonical,
                "action": action,
            }
            for kind, state, canonical, action in _COMMON_DEFAULTS
        ]

    @api.model
    def _resolve(self, backend, kind, channel_state):
        """The mapping row for a channel state (case-insensitive), or an empty recordset."""
        state = (channel_state or "").strip().lower()
        if not state:
            return self.browse()
        return backend.status_map_ids.filtered(
            lambda row: row.kind == kind and row.channel_state.lower() == state
        )[:1]
