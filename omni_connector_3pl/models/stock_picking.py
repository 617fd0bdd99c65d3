from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    omni_dispatch_id = fields.Many2one(
        "omni.dispatch",
        string="3PL Dispatch",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="omni_connector_base.group_omni_user",
        help="The 3PL order this delivery (or the delivery it is a backorder of) was sent as.",
    )
    omni_dispatch_state = fields.Selection(
        related="omni_dispatch_id.state",
        string="3PL State",
        groups="omni_connector_base.group_omni_user",
    )

    def _create_backorder(self):
        # The rest of a 3PL order stays the same 3PL order: the warehouse ships it later.
        backorders = super()._create_backorder()
        for backorder in backorders.sudo().filtered(lambda b: b.backorder_id.omni_dispatch_id):
            backorder.omni_dispatch_id = backorder.backorder_id.omni_dispatch_id
        return backorders

    def _tpl_dispatchable(self):
        """Outgoing deliveries of 3PL warehouses not yet covered by a dispatch: {picking:
        fulfilment centre}. A backorder is its delivery's dispatch's."""
        pickings = self.sudo().filtered(
            lambda p: (
                p.picking_type_code == "outgoing"
                and not p.omni_dispatch_id
                and not p.backorder_id
                and p.state not in ("draft", "done", "cancel")
            )
        )
        if not pickings:
            return {}
        centres = (
            self.env["omni.location"]
            .sudo()
            ._tpl_for_warehouses(pickings.picking_type_id.warehouse_id)
        )
        return {
            picking: centres[picking.picking_type_id.warehouse_id]
            for picking in pickings
            if picking.picking_type_id.warehouse_id in centres
        }

    def _tpl_dispatch(self):
        """Record a dispatch for each delivery a 3PL operates and enqueue its sending (the
        API is never called in the user's transaction)."""
        Dispatch = self.env["omni.dispatch"].sudo()
        for picking, centre in self._tpl_dispatchable().items():
            dispatch = Dispatch.create(
                {
                    "name": picking.name,
                    "backend_id": centre.backend_id.id,
                    "picking_id": picking.id,
                    "location_id": centre.id,
                }
            )
            picking.sudo().omni_dispatch_id = dispatch
            centre.backend_id._tpl_enqueue_send(dispatch)

    def _tpl_request_cancel(self):
        """Deliveries cancelled in Odoo (the sale order, or by hand) cancel their 3PL order
        once nothing of it is left to ship."""
        # sudo: a salesman cancelling an order has no right on backends or dispatches
        dispatches = self.sudo().omni_dispatch_id.filtered(
            lambda d: (
                d.state in ("to_send", "sent", "partial", "error")
                and not d._open_picking()
                and any(p.state == "cancel" for p in d._pickings())
            )
        )
        for dispatch in dispatches:
            dispatch.state = "cancel_requested"
            dispatch.backend_id._tpl_enqueue_cancel(dispatch)
