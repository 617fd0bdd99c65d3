from odoo import api, fields, models

#: Canonical return states; Shopify's ReturnStatus values are the same words in upper case.
RETURN_STATES = [
    ("requested", "Requested"),
    ("open", "Open"),
    ("closed", "Closed"),
    ("declined", "Declined"),
    ("canceled", "Canceled"),
]


class OmniReturn(models.Model):
    """A return (RMA) as the channel reported it, with what Odoo did about it.

    Goods follow returns: the quantities the channel processed come back into stock through a
    validated return of the sale order's delivery (``picking_ids``), once per unit; exchange
    items become new lines of the sale order (``exchange_line_ids``). Money follows refunds:
    the credit notes of the refunds that settle the return are booked by the refund import.
    """

    _name = "omni.return"
    _description = "Omnichannel Return"
    _order = "channel_created_at desc, id desc"

    name = fields.Char(required=True, index="trigram")
    backend_id = fields.Many2one("omni.backend", required=True, ondelete="restrict", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    channel = fields.Selection(related="backend_id.channel", store=True)
    external_id = fields.Char(required=True, index=True)
    omni_order_id = fields.Many2one(
        "omni.order", string="Channel Order", required=True, ondelete="cascade", index=True
    )
    sale_order_id = fields.Many2one(related="omni_order_id.sale_order_id", store=True)
    partner_id = fields.Many2one(related="omni_order_id.partner_id")
    currency_id = fields.Many2one(related="omni_order_id.currency_id")
    state = fields.Selection(RETURN_STATES, required=True, default="requested", index=True)
    channel_status = fields.Char(help="The return's status as the channel spells it.")
    channel_created_at = fields.Datetime(index=True)
    closed_at = fields.Datetime()
    line_ids = fields.One2many("omni.return.line", "return_id", string="Returned Lines")
    exchange_line_ids = fields.One2many(
        "omni.order.line",
        "return_id",
        string="Exchange Items",
        help="Order lines the exchange added to the order (sent to the customer).",
    )
    picking_ids = fields.Many2many(
        "stock.picking",
        "omni_return_stock_picking_rel",
        "return_id",
        "picking_id",
        string="Return Receipts",
        copy=False,
        help="The validated returns that took the processed quantities back into stock.",
    )
    picking_count = fields.Integer(compute="_compute_counts")
    refund_ids = fields.One2many(
        "omni.order.refund", "return_id", string="Refunds", help="The refunds settling it."
    )
    refund_external_ids = fields.Char(
        string="Channel Refunds",
        compute="_compute_credit_notes",
        help="The channel ids of the refunds that settle this return.",
    )
    credit_note_ids = fields.Many2many(
        "account.move", compute="_compute_credit_notes", string="Credit Notes"
    )
    credit_note_count = fields.Integer(compute="_compute_credit_notes")
    sync_note = fields.Text(
        string="Import Notes", readonly=True, help="What the import could not apply, and why."
    )

    _sql_constraints = [
        (
            "backend_external_uniq",
            "UNIQUE(backend_id, external_id)",
            "This channel return is already stored.",
        ),
    ]

    @api.depends("name", "channel")
    def _compute_display_name(self):
        labels = dict(self.env["omni.backend"]._fields["channel"]._description_selection(self.env))
        for ret in self:
            channel = labels.get(ret.channel, ret.channel)
            ret.display_name = f"[{channel}] {ret.name}" if channel else ret.name

    @api.depends("picking_ids")
    def _compute_counts(self):
        for ret in self:
            ret.picking_count = len(ret.picking_ids)

    @api.depends("refund_ids.external_id", "refund_ids.credit_note_id")
    def _compute_credit_notes(self):
        for ret in self:
            ret.refund_external_ids = ",".join(sorted(ret.refund_ids.mapped("external_id")))
            ret.credit_note_ids = ret.refund_ids.credit_note_id
            ret.credit_note_count = len(ret.credit_note_ids)

    def action_open_pickings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action["domain"] = [("id", "in", self.picking_ids.ids)]
        action["context"] = {"create": False}
        if len(self.picking_ids) == 1:
            action.update(views=[(False, "form")], res_id=self.picking_ids.id)
        return action

    def action_open_credit_notes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_refund_type"
        )
        action["domain"] = [("id", "in", self.credit_note_ids.ids)]
        action["context"] = {"create": False}
        return action


class OmniReturnLine(models.Model):
    _name = "omni.return.line"
    _description = "Omnichannel Return Line"
    _order = "return_id, id"

    return_id = fields.Many2one("omni.return", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="return_id.company_id", store=True)
    external_id = fields.Char(required=True)
    order_line_id = fields.Many2one(
        "omni.order.line", required=True, ondelete="cascade", index=True
    )
    sale_line_id = fields.Many2one(related="order_line_id.sale_line_id")
    product_id = fields.Many2one(related="order_line_id.product_id")
    quantity = fields.Float(digits="Product Unit of Measure", help="Quantity requested.")
    quantity_processed = fields.Float(
        digits="Product Unit of Measure",
        help="Quantity the channel received and dealt with (refunded, exchanged or kept).",
    )
    quantity_restocked = fields.Float(
        digits="Product Unit of Measure",
        help="Quantity Odoo took back into stock for this line through the return receipts.",
    )
    quantity_exchanged = fields.Float(
        digits="Product Unit of Measure",
        help="Quantity swapped for the return's exchange items: taken off the sale line, so "
        "the sale order holds what the customer keeps and its total stays the channel's.",
    )
    reason = fields.Char()
    note = fields.Text()

    _sql_constraints = [
        (
            "return_external_uniq",
            "UNIQUE(return_id, external_id)",
            "This return line is already stored.",
        ),
    ]
