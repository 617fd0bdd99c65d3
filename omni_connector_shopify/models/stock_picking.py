from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    omni_fulfillment_ref = fields.Char(
        string="Channel Fulfilment",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The channel's fulfilment created from this delivery.",
    )

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
