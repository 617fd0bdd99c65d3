from odoo import fields, models


class OmniOrderRefund(models.Model):
    """A channel refund booked on an order: once per refund id, with its credit note and the
    return it settles (money follows refunds, goods follow returns)."""

    _name = "omni.order.refund"
    _description = "Omnichannel Order Refund"
    _order = "order_id, id"
    _rec_name = "external_id"

    order_id = fields.Many2one("omni.order", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    external_id = fields.Char(required=True)
    amount = fields.Monetary(help="Refunded to the customer, in the shop currency.")
    credit_note_id = fields.Many2one(
        "account.move", ondelete="set null", index="btree_not_null", copy=False
    )
    return_id = fields.Many2one(
        "omni.return",
        ondelete="set null",
        index="btree_not_null",
        help="The channel's return this refund settles.",
    )

    _sql_constraints = [
        (
            "order_external_uniq",
            "UNIQUE(order_id, external_id)",
            "This channel refund is already booked on the order.",
        ),
    ]
