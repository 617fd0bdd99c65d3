from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _omni_shopify_warehouses(self):
        return self.location_id.warehouse_id | self.location_dest_id.warehouse_id

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        # queue (not run) the push: one pending job per backend however many moves
        self.env["omni.backend"]._shopify_stock_changed(moves._omni_shopify_warehouses())
        return moves

    def _action_assign(self, force_qty=False):
        # a reservation changes what the warehouse can still sell
        result = super()._action_assign(force_qty=force_qty)
        self.env["omni.backend"]._shopify_stock_changed(self._omni_shopify_warehouses())
        return result

    def _do_unreserve(self):
        result = super()._do_unreserve()
        self.env["omni.backend"]._shopify_stock_changed(self._omni_shopify_warehouses())
        return result
