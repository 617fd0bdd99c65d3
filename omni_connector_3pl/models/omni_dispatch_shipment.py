from odoo import fields, models

SHIPMENT_STATES = [
    ("shipped", "Shipped"),
    ("delivered", "Delivered"),
    ("exception", "Exception"),
    ("on_hold", "On Hold"),
    ("cancelled", "Cancelled"),
]


class OmniDispatchShipment(models.Model):
    """One shipment of a 3PL order as the warehouse reported it, and the Odoo delivery it
    validated (a shipped one). Its id makes a shipment count once however often it comes."""

    _name = "omni.dispatch.shipment"
    _description = "3PL Shipment"
    _order = "id desc"
    _rec_name = "external_id"

    dispatch_id = fields.Many2one(
        "omni.dispatch", required=True, readonly=True, ondelete="cascade", index=True
    )
    backend_id = fields.Many2one(related="dispatch_id.backend_id", store=True, index=True)
    company_id = fields.Many2one(related="dispatch_id.company_id", store=True, index=True)
    external_id = fields.Char(string="3PL Shipment", required=True, readonly=True)
    state = fields.Selection(SHIPMENT_STATES, required=True, readonly=True)
    picking_id = fields.Many2one(
        "stock.picking", string="Validated Delivery", readonly=True, ondelete="set null"
    )
    location_ref = fields.Char(string="Fulfilment Centre", readonly=True)
    carrier = fields.Char(readonly=True)
    carrier_service = fields.Char(readonly=True)
    tracking_number = fields.Char(readonly=True)
    tracking_url = fields.Char(readonly=True)
    shipped_at = fields.Datetime(readonly=True)
    delivered_at = fields.Datetime(readonly=True)
    status_reason = fields.Text(readonly=True, help="Why the warehouse holds or cancelled it.")
    status_at = fields.Datetime(readonly=True, help="When the warehouse last changed it.")
    lines_summary = fields.Text(string="Shipped", readonly=True)

    _sql_constraints = [
        (
            "backend_external_uniq",
            "UNIQUE(backend_id, external_id)",
            "This 3PL shipment is already recorded.",
        ),
    ]
