from odoo import _, api, fields, models

from ..const import GATEWAY_KINDS


def normalize_gateway(name):
    """A gateway as channels spell it ("Bank Deposit", "shopify_payments") -> its key."""
    return "_".join((name or "manual").strip().lower().split())


class OmniBackendGateway(models.Model):
    """Gateway -> journal: where the importer registers the payments a channel took
    through this gateway."""

    _name = "omni.backend.gateway"
    _inherit = ["omni.approval.mixin"]
    _omni_approval_fields = ("gateway", "kind", "journal_id")
    _description = "Omnichannel Payment Gateway"
    _order = "backend_id, name"

    backend_id = fields.Many2one("omni.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    gateway = fields.Char(
        required=True, help="The gateway as the channel names it, lower case, '_' for spaces."
    )
    name = fields.Char(required=True, translate=True)
    kind = fields.Selection(GATEWAY_KINDS, required=True, default="processor")
    journal_id = fields.Many2one(
        "account.journal",
        required=True,
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash'))]",
        help="Payments through this gateway are registered in this journal. For a processor "
        "it stands for the processor's balance (its default account is the clearing "
        "account its payouts settle).",
    )

    _sql_constraints = [
        (
            "backend_gateway_uniq",
            "UNIQUE(backend_id, gateway)",
            "This gateway is already mapped for this backend.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals["gateway"] = normalize_gateway(vals.get("gateway"))
        gateways = super().create(vals_list)
        gateways._prepare_journals()
        return gateways

    def write(self, vals):
        if "gateway" in vals:
            vals["gateway"] = normalize_gateway(vals["gateway"])
        result = super().write(vals)
        if {"journal_id", "kind"} & set(vals):
            self._prepare_journals()
        return result

    def _prepare_journals(self):
        """A processor's or stored value's payments go straight to the journal's own
        account (the clearing or liability account), not to outstanding receipts: the
        settlement, not a bank line, clears them."""
        for gateway in self.filtered(lambda g: g.kind in ("processor", "stored_value", "cash")):
            journal = gateway.journal_id
            method_lines = journal.inbound_payment_method_line_ids
            method_lines |= journal.outbound_payment_method_line_ids
            method_lines.filtered(lambda line, j=journal: not line.payment_account_id).write(
                {"payment_account_id": journal.default_account_id.id}
            )

    @api.model
    def _company_journal(self, company, gateway, label, kind, code):
        """The journal a default gateway maps to: the company's cash journal for cash, its
        first bank journal for money banked directly, else the processor's journal (the one
        the company's other backends map it to, or one created once per company)."""
        Journal = self.env["account.journal"].with_company(company)
        domain = [("company_id", "=", company.id)]
        if kind == "cash":
            return Journal.search(domain + [("type", "=", "cash")], limit=1)
        if kind == "bank" or not code:
            return Journal.search(
                domain + [("type", "=", "bank"), ("omni_gateway", "=", False)], limit=1
            )
        # one processor, one balance: the journal another backend of the company maps it to
        mapped = self.search([("company_id", "=", company.id), ("gateway", "=", gateway)], limit=1)
        journal = mapped.journal_id or Journal.search(
            domain + [("omni_gateway", "=", gateway)], limit=1
        )
        if journal:
            return journal
        used = set(Journal.search(domain).mapped("code"))
        candidate, index = code, 1
        while candidate in used:
            index += 1
            candidate = f"{code[:3]}{index}"
        vals = {
            "name": label,
            "code": candidate,
            "type": "bank",
            "company_id": company.id,
            "omni_gateway": gateway,
        }
        if kind == "stored_value":
            vals["default_account_id"] = self._stored_value_account(company, label).id
        return Journal.create(vals)

    @api.model
    def _stored_value_account(self, company, label):
        Account = self.env["account.account"].with_company(company)
        name = _("%(label)s liability", label=label)
        account = Account.search(
            [
                ("company_id", "=", company.id),
                ("name", "=", name),
                ("account_type", "=", "liability_current"),
            ],
            limit=1,
        )
        if account:
            return account
        code, index = "2170", 0
        while Account.search_count([("company_id", "=", company.id), ("code", "=", code)]):
            index += 1
            code = f"217{index}"
        return Account.create(
            {
                "name": name,
                "code": code,
                "account_type": "liability_current",
                "company_id": company.id,
                "reconcile": True,
            }
        )
