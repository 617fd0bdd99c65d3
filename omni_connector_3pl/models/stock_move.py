from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_confirm(self, merge=True, merge_into=False):
        moves = super()._action_confirm(merge=merge, merge_into=merge_into)
        # A delivery confirmed in a 3PL warehouse is sent to the 3PL (by a job).
        moves.picking_id._tpl_dispatch()
        return moves

    def _action_cancel(self):
        result = super()._action_cancel()
        self.picking_id._tpl_request_cancel()
        return result
