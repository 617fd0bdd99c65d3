from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models

# Context key of a validation of channel transfers: {picking id: naive UTC datetime the
# channel did it}. Such a picking, its moves and their lines are done at that date, and the
# journal entries of their valuation are dated that day (or the first open day after the
# lock date); the valuation layers keep their creation time (``create_date`` is the ORM's).
DONE_AT_CONTEXT_KEY = "omni_done_at"


class StockMove(models.Model):
    _inherit = "stock.move"

    omni_backend_id = fields.Many2one(
        "omni.backend",
        string="Channel Backend",
        index="btree_not_null",
        copy=False,
        check_company=True,
    )
    omni_channel = fields.Selection(related="omni_backend_id.channel", string="Channel", store=True)
    omni_external_ref = fields.Char(string="Channel Reference", index="btree_not_null", copy=False)

    def _prepare_account_move_vals(
        self, credit_account_id, debit_account_id, journal_id, qty, description, svl_id, cost
    ):
        vals = super()._prepare_account_move_vals(
            credit_account_id, debit_account_id, journal_id, qty, description, svl_id, cost
        )
        done_at = (self.env.context.get(DONE_AT_CONTEXT_KEY) or {}).get(self.picking_id.id)
        if done_at:
            lock_date = self.company_id._get_user_fiscal_lock_date()
            vals["date"] = max(done_at.date(), lock_date + timedelta(days=1))
        return vals


class StockPicking(models.Model):
    _name = "stock.picking"
    _inherit = ["stock.picking", "omni.origin.mixin"]

    omni_channel = fields.Selection(related="sale_id.omni_channel", string="Channel", store=True)
    omni_external_ref = fields.Char(
        related="sale_id.omni_external_ref", string="Channel Reference", store=True
    )
    # Shared by the channels: a 3PL's shipment writes them, a channel's fulfilment push
    # sends them (Shopify).
    omni_tracking_ref = fields.Char(
        string="Tracking Number",
        copy=False,
        help="Sent to the channel with the fulfilment of this delivery (the carrier's tracking "
        "reference is used when this is empty).",
    )
    omni_tracking_company = fields.Char(string="Carrier", copy=False)

    def _omni_tracking_number(self):
        self.ensure_one()
        number = self.omni_tracking_ref
        # carrier_tracking_ref exists when the delivery (stock_delivery) module is installed
        if not number and "carrier_tracking_ref" in self._fields:
            number = self["carrier_tracking_ref"]
        return number or False

    @api.depends("sale_id.omni_order_ids")
    def _compute_omni_origin(self):
        return super()._compute_omni_origin()

    def _omni_origin_orders(self):
        """The channel orders of its sale order (a delivery), or of the return it receives."""
        returns = self.env["omni.return"].search([("picking_ids", "in", self.ids)])
        return self.sale_id.omni_order_ids | returns.omni_order_id

    def _action_done(self):
        result = super()._action_done()
        done_at = self.env.context.get(DONE_AT_CONTEXT_KEY)
        if done_at:
            self._omni_set_done_dates(done_at)
        return result

    def _omni_set_done_dates(self, done_at):
        """Date the done pickings named in ``done_at`` (and their moves and move lines) at the
        channel's time, one write per date."""
        by_date = defaultdict(self.browse)
        for picking in self.filtered(lambda p: p.state == "done" and done_at.get(p.id)):
            by_date[done_at[picking.id]] |= picking
        for date, pickings in by_date.items():
            pickings.write({"date_done": date})
            moves = pickings.move_ids.filtered(lambda move: move.state == "done")
            moves.write({"date": date})
            moves.move_line_ids.write({"date": date})
