from odoo import _, api, fields, models
from odoo.exceptions import UserError


class OmniReconLinkPaymentWizard(models.TransientModel):
    """Orphan payment: link the channel payment to the order it pays, then re-check."""

    _name = "omni.recon.link.payment.wizard"
    _description = "Link an Orphan Payment to an Order"
    _check_company_auto = True

    exception_id = fields.Many2one(
        "omni.recon.exception", required=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(related="exception_id.company_id")
    backend_id = fields.Many2one(related="exception_id.backend_id")
    payment_id = fields.Many2one(related="exception_id.omni_payment_id")
    currency_id = fields.Many2one(related="payment_id.currency_id")
    amount = fields.Monetary(related="payment_id.amount", currency_field="currency_id")
    order_external_ref = fields.Char(related="payment_id.order_external_ref")
    order_id = fields.Many2one(
        "omni.order",
        string="Channel Order",
        required=True,
        domain="[('company_id', '=', company_id), ('backend_id', '=', backend_id)]",
    )

    @api.constrains("order_id", "exception_id")
    def _check_order(self):
        for wizard in self:
            order, exc = wizard.order_id, wizard.exception_id
            if order.company_id != exc.company_id or (
                exc.backend_id and order.backend_id != exc.backend_id
            ):
                raise UserError(
                    _("The order must belong to the payment's company and channel backend.")
                )

    def action_link(self):
        self.ensure_one()
        exc = self.exception_id
        if exc.state != "open" or exc.exception_type != "orphan_payment":
            raise UserError(_("Only an open orphan payment can be linked to an order."))
        self.payment_id.order_id = self.order_id
        exc._omni_audit(
            "exception_link_payment",
            _(
                "Payment %(payment)s linked to order %(order)s by %(user)s.",
                payment=self.payment_id.external_id,
                order=self.order_id.display_name,
                user=self.env.user.name,
            ),
        )
        exc._recheck()
        return exc.get_formview_action()
