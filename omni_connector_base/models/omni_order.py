from odoo import api, fields, models


class OmniOrder(models.Model):
    """An order as the channel reported it, linked to the sale order the importer made.

    Keeps the channel's facts (amounts in shop and presentment currency, statuses, dates) so
    that reconciliation can compare them with what Odoo booked.
    """

    _name = "omni.order"
    _description = "Omnichannel Order"
    _order = "channel_created_at desc, id desc"

    name = fields.Char(required=True, index="trigram")
    backend_id = fields.Many2one("omni.backend", required=True, ondelete="restrict", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    channel = fields.Selection(related="backend_id.channel", store=True)
    external_id = fields.Char(required=True, index=True)
    currency_id = fields.Many2one("res.currency", required=True, string="Shop Currency")
    presentment_currency_id = fields.Many2one("res.currency")
    amount_total = fields.Monetary(currency_field="currency_id")
    amount_tax = fields.Monetary(currency_field="currency_id")
    amount_discount = fields.Monetary(currency_field="currency_id")
    amount_total_presentment = fields.Monetary(currency_field="presentment_currency_id")
    amount_refunded = fields.Monetary(currency_field="currency_id")
    taxes_included = fields.Boolean()
    financial_status = fields.Char(help="Financial status as the channel spells it.")
    fulfillment_status = fields.Char(help="Fulfilment status as the channel spells it.")
    financial_state = fields.Char(help="Canonical financial state from the status map.")
    fulfillment_state = fields.Char(help="Canonical fulfilment state from the status map.")
    cancelled_at = fields.Datetime()
    cancel_reason = fields.Char()
    channel_created_at = fields.Datetime(index=True)
    channel_updated_at = fields.Datetime(
        help="The channel's update time of the version stored here; older events are refused."
    )
    content_digest = fields.Char(help="Digest of the canonical order, to skip unchanged updates.")
    location_external_id = fields.Char(string="Channel Location")
    partner_id = fields.Many2one("res.partner", index="btree_not_null")
    sale_order_id = fields.Many2one("sale.order", index="btree_not_null", ondelete="set null")
    booked_in_odoo = fields.Boolean(
        help="The channel is Odoo itself (e.g. Odoo's Point of Sale): Odoo already booked its "
        "documents, so no sale order is made and none is missing."
    )
    sale_state = fields.Selection(related="sale_order_id.state", string="Sale Order Status")
    line_ids = fields.One2many("omni.order.line", "order_id")
    payment_ids = fields.One2many("omni.payment", "order_id")
    event_ids = fields.One2many("omni.event", "omni_order_id")
    invoice_id = fields.Many2one(
        "account.move",
        copy=False,
        ondelete="set null",
        index="btree_not_null",
        help="The invoice the importer made by the backend's invoicing policy (a credit note "
        "for a sale of a negative total).",
    )
    credit_note_ids = fields.Many2many("account.move", string="Credit Notes", copy=False)
    refund_ids = fields.One2many("omni.order.refund", "order_id", string="Refunds")
    refunded_external_ids = fields.Char(
        compute="_compute_refunded_external_ids",
        help="The channel ids of the refunds booked on the order.",
    )
    return_ids = fields.One2many("omni.return", "omni_order_id", string="Returns")
    return_count = fields.Integer(compute="_compute_return_count")

    _sql_constraints = [
        (
            "backend_external_uniq",
            "UNIQUE(backend_id, external_id)",
            "This channel order is already stored.",
        ),
    ]

    @api.model
    def _find(self, backend, external_id):
        """The stored order of a backend's channel order id (empty when not imported)."""
        if not external_id:
            return self.browse()
        return self.search(
            [("backend_id", "=", backend.id), ("external_id", "=", external_id)], limit=1
        )

    @api.depends("name", "channel")
    def _compute_display_name(self):
        labels = dict(self.env["omni.backend"]._fields["channel"]._description_selection(self.env))
        for order in self:
            channel = labels.get(order.channel, order.channel)
            order.display_name = f"[{channel}] {order.name}" if channel else order.name

    @api.depends("refund_ids.external_id")
    def _compute_refunded_external_ids(self):
        for order in self:
            order.refunded_external_ids = ",".join(sorted(order.refund_ids.mapped("external_id")))

    @api.depends("return_ids")
    def _compute_return_count(self):
        for order in self:
            order.return_count = len(order.return_ids)

    def action_open_returns(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "omni_connector_base.omni_return_action"
        )
        action["domain"] = [("omni_order_id", "=", self.id)]
        action["context"] = {"create": False}
        if len(self.return_ids) == 1:
            action.update(views=[(False, "form")], res_id=self.return_ids.id)
        return action

    def action_open_sale_order(self):
        self.ensure_one()
        return self.sale_order_id._get_formview_action() if self.sale_order_id else False


class OmniOrderLine(models.Model):
    _name = "omni.order.line"
    _description = "Omnichannel Order Line"
    _order = "order_id, id"

    order_id = fields.Many2one("omni.order", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    external_id = fields.Char()
    name = fields.Char()
    line_type = fields.Selection(
        [
            ("product", "Product"),
            ("shipping", "Shipping"),
            ("tip", "Tip"),
            ("duty", "Duty"),
            ("adjustment", "Adjustment"),
        ],
        default="product",
        required=True,
    )
    sku = fields.Char(string="SKU")
    product_id = fields.Many2one("product.product")
    quantity = fields.Float(digits="Product Unit of Measure")
    quantity_refunded = fields.Float(digits="Product Unit of Measure")
    price_unit = fields.Monetary()
    discount_amount = fields.Monetary()
    tax_amount = fields.Monetary()
    sale_line_id = fields.Many2one("sale.order.line", ondelete="set null")
    return_id = fields.Many2one(
        "omni.return",
        string="Exchanged In",
        ondelete="set null",
        index="btree_not_null",
        help="The return whose exchange added this line to the order.",
    )
