from odoo import _, api, fields, models

from ..const import DEFAULT_GATEWAYS, INVOICE_POLICIES
from ..tools.errors import MappingError
from .omni_backend_gateway import normalize_gateway

# Settlement account field -> the product-category property it defaults to.
_SETTLEMENT_ACCOUNT_DEFAULTS = {
    "settlement_fee_account_id": "property_account_expense_categ_id",
    "settlement_dispute_account_id": "property_account_expense_categ_id",
    "settlement_adjustment_account_id": "property_account_expense_categ_id",
    "settlement_revenue_account_id": "property_account_income_categ_id",
}


class OmniBackend(models.Model):
    """A backend's accounting: when its orders are invoiced, the journal of each payment
    gateway, and the accounts its settlements book to."""

    _name = "omni.backend"
    _inherit = ["omni.backend", "omni.approval.mixin"]
    _omni_approval_fields = (
        "invoice_policy",
        "settlement_fee_account_id",
        "settlement_dispute_account_id",
        "settlement_adjustment_account_id",
        "settlement_reserve_account_id",
        "settlement_revenue_account_id",
        "settlement_fx_account_id",
        "fee_booking",
        "payout_journal_id",
    )

    invoice_policy = fields.Selection(
        INVOICE_POLICIES,
        default="on_paid",
        required=True,
        help="When the importer makes and posts the invoice of a channel order (one per "
        "order, dated at the channel's date). Manually: finance invoices from the sale order.",
    )
    gateway_ids = fields.One2many(
        "omni.backend.gateway", "backend_id", string="Payment Gateways", copy=True
    )
    settlement_fee_account_id = fields.Many2one(
        "account.account",
        string="Fee Account",
        check_company=True,
        compute="_compute_settlement_accounts",
        store=True,
        readonly=False,
        help="Processing, FX and other fees the processor keeps.",
    )
    settlement_dispute_account_id = fields.Many2one(
        "account.account",
        string="Dispute Account",
        check_company=True,
        compute="_compute_settlement_accounts",
        store=True,
        readonly=False,
        help="Disputed amounts withdrawn (and given back when a dispute is won).",
    )
    settlement_adjustment_account_id = fields.Many2one(
        "account.account",
        string="Adjustment Account",
        check_company=True,
        compute="_compute_settlement_accounts",
        store=True,
        readonly=False,
        help="The processor's adjustments, reserves and other movements.",
    )
    settlement_reserve_account_id = fields.Many2one(
        "account.account",
        string="Reserve Account",
        check_company=True,
        help="Reserves the processor holds and releases; the adjustment account when empty.",
    )
    settlement_revenue_account_id = fields.Many2one(
        "account.account",
        string="Platform Revenue Account",
        check_company=True,
        compute="_compute_settlement_accounts",
        store=True,
        readonly=False,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Application fees / platform earnings (and their refunds): revenue, not fees.",
    )
    settlement_fx_account_id = fields.Many2one(
        "account.account",
        string="FX Account",
        check_company=True,
        help="Where the reconciliation books FX variances of converted charges. Movements "
        "themselves are booked in their settlement currency.",
    )
    fee_booking = fields.Selection(
        [("per_payout", "Summarised per payout"), ("per_transaction", "Per transaction")],
        default="per_payout",
        required=True,
    )

    @api.model
    def _omni_default_invoice_policy(self, channel):
        """Online channels invoice an order once it is paid; channels may say otherwise."""
        return "on_paid"

    def _omni_default_gateways(self):
        """{gateway: (label, kind, journal code)} this channel's payments come through."""
        return dict(DEFAULT_GATEWAYS)

    def _omni_settlement_gateway(self):
        """The gateway whose balance this backend's payouts settle (its journal is the
        clearing account), or False when the channel's payouts are not booked."""
        return False

    def _omni_registers_payments(self):
        """Whether the importer registers this backend's payments (not when Odoo itself,
        e.g. its Point of Sale, booked them)."""
        return True

    @api.depends("company_id")
    def _compute_settlement_accounts(self):
        """The company's expense / income accounts of product categories, until chosen."""
        for backend in self:
            company = backend.company_id
            Property = self.env["ir.property"].with_company(company)
            for field_name, prop in _SETTLEMENT_ACCOUNT_DEFAULTS.items():
                if backend[field_name].company_id == company:
                    continue
                account = Property._get(prop, "product.category")
                backend[field_name] = (
                    account if account and account.company_id == company else False
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "invoice_policy" not in vals:
                vals["invoice_policy"] = self._omni_default_invoice_policy(vals.get("channel"))
        backends = super().create(vals_list)
        for backend in backends.filtered(lambda b: not b.gateway_ids):
            backend._reset_gateways()
        return backends

    def _reset_gateways(self):
        """The channel's default gateways, each on its journal (created when needed)."""
        self.ensure_one()
        self.gateway_ids.unlink()
        Gateway = self.env["omni.backend.gateway"]
        vals_list = []
        for gateway, (label, kind, code) in self._omni_default_gateways().items():
            journal = Gateway._company_journal(self.company_id, gateway, label, kind, code)
            if journal:
                vals_list.append(
                    {
                        "backend_id": self.id,
                        "gateway": gateway,
                        "name": label,
                        "kind": kind,
                        "journal_id": journal.id,
                    }
                )
        Gateway.create(vals_list)

    def action_reset_gateways(self):
        self._omni_check_manager()
        for backend in self:
            backend._reset_gateways()

    def _omni_gateway(self, gateway):
        """The gateway mapping of a movement's gateway; unmapped is a mapping error the
        user fixes by mapping it (then replays)."""
        self.ensure_one()
        key = normalize_gateway(gateway)
        mapped = self.gateway_ids.filtered(lambda g: g.gateway == key)[:1]
        if not mapped:
            raise MappingError(
                _(
                    "Payment gateway %(gateway)r of backend %(backend)s has no journal; map it "
                    "on the backend's Accounting tab.",
                    gateway=gateway,
                    backend=self.name,
                ),
                "gateway",
                key,
            )
        return mapped

    def _omni_settlement_account(self, field_name):
        account = self[field_name]
        if not account and field_name == "settlement_reserve_account_id":
            account = self.settlement_adjustment_account_id
            field_name = "settlement_adjustment_account_id"
        if not account:
            raise MappingError(
                _(
                    "Backend %(backend)s has no %(account)s configured.",
                    backend=self.name,
                    account=self._fields[field_name].string,
                ),
                "account",
            )
        return account
