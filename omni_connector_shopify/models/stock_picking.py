from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    omni_tracking_ref = fields.Char(
        string="Tracking Number",
        copy=False,
        help="Sent to the channel with the fulfilment of this delivery (the carrier's tracking "
        "reference is used when this is empty).",
    )
    omni_tracking_company = fields.Char(string="Carrier", copy=False)
    omni_fulfillment_ref = fields.Char(
        string="Channel Fulfilment",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The channel's fulfilment created from this delivery.",
    )

    def _omni_tracking_number(self):
        self.ensure_one()
        number = self.omni_tracking_ref
        # carrier_tracking_ref exists when the delivery (stock_delivery) module is installed
        if not number and "carrier_tracking_ref" in self._fields:
            number = self["carrier_tracking_ref"]
        return number or False

    def _action_done(self):
        result = super()._action_done()
        # sudo: warehouse users validate deliveries without any right on the backends
        for picking in self.sudo().filtered(
            lambda p: (
                p.state == "done"
                and p.picking_type_code == "outgoing"
                and p.sale_id.omni_backend_id.channel == "shopify"
                and p.sale_id.omni_backend_id.shopify_push_fulfillments
                and not p.omni_fulfillment_ref
            )
        ):
            picking.sale_id.omni_backend_id._shopify_enqueue("_shopify_push_fulfillment", picking)
        return result
