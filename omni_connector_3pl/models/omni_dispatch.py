from odoo import _, api, fields, models

DISPATCH_STATES = [
    ("to_send", "To Send"),
    ("sent", "Sent"),
    ("partial", "Partially Shipped"),
    ("shipped", "Shipped"),
    ("cancel_requested", "Cancellation Requested"),
    ("cancelled", "Cancelled"),
    ("error", "Error"),
]


class OmniDispatch(models.Model):
    """An Odoo delivery sent to a third-party warehouse as an order, with what the warehouse
    did with it (its shipments). One per delivery and backend: the delivery's backorders are
    covered by the same dispatch (the warehouse ships the rest of the same order)."""

    _name = "omni.dispatch"
    _description = "3PL Dispatch"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        index=True,
        help="Odoo's reference of the delivery, sent as the 3PL order's reference.",
    )
    backend_id = fields.Many2one(
        "omni.backend", required=True, readonly=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    sale_id = fields.Many2one(related="picking_id.sale_id", string="Sale Order")
    location_id = fields.Many2one(
        "omni.location", string="Fulfilment Centre", readonly=True, ondelete="restrict"
    )
    warehouse_id = fields.Many2one(related="location_id.warehouse_id")
    external_id = fields.Char(
        string="3PL Order",
        readonly=True,
        copy=False,
        index=True,
        help="The warehouse's id of the order.",
    )
    state = fields.Selection(
        DISPATCH_STATES,
        default="to_send",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    error_message = fields.Text(readonly=True)
    sent_at = fields.Datetime(readonly=True)
    shipment_ids = fields.One2many("omni.dispatch.shipment", "dispatch_id", string="Shipments")
    charge_ids = fields.One2many("omni.dispatch.charge", "dispatch_id", string="3PL Charges")
    picking_ids = fields.Many2many(
        "stock.picking",
        compute="_compute_picking_ids",
        string="Deliveries",
        help="The delivery and its backorders.",
    )

    _sql_constraints = [
        ("backend_name_uniq", "UNIQUE(backend_id, name)", "This delivery was already sent."),
        (
            "backend_external_uniq",
            "UNIQUE(backend_id, external_id)",
            "This 3PL order is already bound to a delivery.",
        ),
    ]

    @api.depends("picking_id", "picking_id.backorder_ids")
    def _compute_picking_ids(self):
        for dispatch in self:
            dispatch.picking_ids = dispatch._pickings()

    def _pickings(self):
        """The delivery and its backorders, backorders of backorders included, in order."""
        self.ensure_one()
        pickings = todo = self.picking_id
        while todo:
            todo = todo.backorder_ids - pickings
            pickings |= todo
        return pickings

    def _open_picking(self):
        """The one still to ship (the last backorder), or an empty recordset."""
        return self._pickings().filtered(lambda p: p.state not in ("done", "cancel"))[:1]

    def _refresh_state(self):
        """Shipped when nothing is left to ship, partially when some shipment went out."""
        for dispatch in self:
            if dispatch.state not in ("sent", "partial", "to_send", "error"):
                continue
            pickings = dispatch._pickings()
            done = pickings.filtered(lambda p: p.state == "done")
            if done and not dispatch._open_picking():
                dispatch.state = "shipped"
            elif done:
                dispatch.state = "partial"

    def action_retry(self):
        """Send again a dispatch that failed (a manager fixed what the warehouse refused)."""
        self.env["omni.backend"]._omni_check_manager()
        for dispatch in self.filtered(lambda d: d.state == "error"):
            dispatch.write({"state": "to_send", "error_message": False})
            dispatch.backend_id._tpl_enqueue_send(dispatch)
        return True

    def action_open_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "omni_connector_base.omni_event_action"
        )
        action["domain"] = [
            ("backend_id", "=", self.backend_id.id),
            ("external_id", "=like", f"{self.name}#%"),
        ]
        action["context"] = {}
        action["name"] = _("Events of %(name)s", name=self.name)
        return action
