from odoo import _, fields, models

USER_GROUP = "omni_connector_base.group_omni_user"


class OmniOriginMixin(models.AbstractModel):
    """Where an Odoo document made from channel facts came from: its channel orders and
    their events, for the smart buttons of the sale order, the invoice and the transfer.

    A model mixing it in says which channel orders it comes from in ``_omni_origin_orders``;
    the fields are Omni users' only (others cannot read channel orders)."""

    _name = "omni.origin.mixin"
    _description = "Omnichannel Origin of a Document"

    omni_origin_order_ids = fields.Many2many(
        "omni.order",
        string="Source Channel Orders",
        compute="_compute_omni_origin",
        groups=USER_GROUP,
    )
    omni_origin_order_count = fields.Integer(
        string="Channel Order Count", compute="_compute_omni_origin", groups=USER_GROUP
    )
    omni_origin_event_count = fields.Integer(
        string="Channel Event Count", compute="_compute_omni_origin", groups=USER_GROUP
    )

    def _omni_origin_orders(self):
        """The channel orders this one document (``self``, a singleton) comes from."""
        return self.env["omni.order"]

    def _compute_omni_origin(self):
        for record in self:
            orders = record._omni_origin_orders() if record.id else self.env["omni.order"]
            record.omni_origin_order_ids = orders
            record.omni_origin_order_count = len(orders)
            record.omni_origin_event_count = (
                self.env["omni.event"].search_count([("omni_order_id", "in", orders.ids)])
                if orders
                else 0
            )

    def action_open_omni_origin_orders(self):
        self.ensure_one()
        orders = self.omni_origin_order_ids
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "omni_connector_base.omni_order_action"
        )
        action.update(domain=[("id", "in", orders.ids)], context={"create": False})
        if len(orders) == 1:
            action.update(views=[(False, "form")], res_id=orders.id)
        return action

    def action_open_omni_origin_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "omni_connector_base.omni_event_action"
        )
        action.update(
            name=_("Channel Events of %(document)s", document=self.display_name),
            domain=[("omni_order_id", "in", self.omni_origin_order_ids.ids)],
            context={"create": False},
        )
        return action
