from odoo import _, api, fields, models

from odoo.addons.omni_connector_base.tools.errors import MappingError


class OmniBackend(models.Model):
    """Stripe accounting, self-contained: each balance transaction booked exactly once in the
    Stripe balance journal, payout by payout, and receipts matched to their invoices."""

    _inherit = "omni.backend"  # pylint: disable=consider-merging-classes-inherited

    stripe_journal_id = fields.Many2one(
        "account.journal",
        string="Stripe Balance Journal",
        check_company=True,
        domain="[('type', '=', 'bank')]",
        help="Bank-type journal standing for the Stripe balance (clearing account).",
    )
    stripe_fee_account_id = fields.Many2one(
        "account.account", string="Fee Account", check_company=True
    )
    stripe_dispute_account_id = fields.Many2one(
        "account.account", string="Dispute Loss Account", check_company=True
    )
    stripe_adjustment_account_id = fields.Many2one(
        "account.account", string="Adjustment Account", check_company=True
    )
    stripe_revenue_account_id = fields.Many2one(
        "account.account",
        string="Platform Revenue Account",
        check_company=True,
        compute="_compute_stripe_revenue_account_id",
        store=True,
        readonly=False,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Connect platforms: where the application fees earned on connected accounts' "
        "charges (and their refunds) are credited. Defaults to the company's income account "
        "of product categories.",
    )
    stripe_fx_account_id = fields.Many2one(
        "account.account",
        string="FX Account",
        check_company=True,
        help="Where the reconciliation books FX variances of converted charges. Balance "
        "transactions themselves are booked in their settlement currency.",
    )
    stripe_fee_booking = fields.Selection(
        [("per_payout", "Summarised per payout"), ("per_transaction", "Per transaction")],
        string="Fee Booking",
        default="per_payout",
        required=True,
    )

    @api.depends("company_id")
    def _compute_stripe_revenue_account_id(self):
        """The company's income account of product categories, until one is chosen."""
        for backend in self:
            company = backend.company_id
            if backend.stripe_revenue_account_id.company_id == company:
                continue
            income = (
                self.env["ir.property"]
                .with_company(company)
                ._get("property_account_income_categ_id", "product.category")
            )
            backend.stripe_revenue_account_id = (
                income if income and income.company_id == company else False
            )

    def _stripe_book(self, payments, payout=None):
        """Journal entries in the Stripe journal for the movements not booked yet: one entry
        per payout (its transactions and the transfer to the bank), or one per movement seen
        before its payout. Fees go to the fee account per transaction or, inside a payout and
        with the per-payout setting, in one line per payout."""
        self.ensure_one()
        journal = self.stripe_journal_id
        if not journal:
            return
        to_book = payments.filtered(lambda p: not p.move_id).sorted("channel_created_at")
        if not to_book:
            return
        Move = self.env["account.move"].with_company(self.company_id)
        if payout:
            moves = Move.create(
                self._stripe_move_vals(
                    to_book, payout.external_id, payout.arrival_date, summarise_fees=True
                )
            )
            moves.action_post()
            to_book.write({"move_id": moves.id})
            payout.move_id = moves
        else:
            moves = Move.create(
                [
                    self._stripe_move_vals(
                        payment,
                        payment.external_id,
                        payment.channel_created_at,
                        summarise_fees=False,
                    )
                    for payment in to_book
                ]
            )
            moves.action_post()
            for payment, move in zip(to_book, moves, strict=True):
                payment.move_id = move
        self._stripe_reconcile_invoices(to_book, moves)

    def _stripe_reconcile_invoices(self, payments, moves):
        """Receipts and refunds settle the open invoices / credit notes of their order."""
        orders_by_ref = {
            p.external_id: p.order_id.sale_order_id
            for p in payments
            if p.payment_type in ("charge", "refund") and p.order_id.sale_order_id
        }
        if not orders_by_ref:
            return
        for line in moves.line_ids:
            sale_order = orders_by_ref.get(line.name)
            if not sale_order or line.account_id.account_type != "asset_receivable":
                continue
            open_lines = sale_order.invoice_ids.filtered(lambda m: m.state == "posted").line_ids
            incoming = line.balance < 0
            open_lines = open_lines.filtered(
                lambda invoice_line, account=line.account_id, incoming=incoming: (
                    invoice_line.account_id == account
                    and not invoice_line.reconciled
                    and (invoice_line.balance > 0) == incoming
                )
            )
            if open_lines:
                (line | open_lines).reconcile()

    def _stripe_move_vals(self, payments, ref, date, summarise_fees):
        journal = self.stripe_journal_id
        stripe_account = journal.default_account_id
        summarise_fees = summarise_fees and self.stripe_fee_booking == "per_payout"
        date = (date or fields.Datetime.now()).date()
        lines, fees = [], {}
        for payment in payments:
            currency = payment.currency_id
            account, partner = self._stripe_counterpart(payment)
            fee = payment.fee_amount
            lines.append(
                self._stripe_line(
                    stripe_account,
                    payment.amount - (0 if summarise_fees else fee),
                    currency,
                    date,
                    payment.external_id,
                )
            )
            lines.append(
                self._stripe_line(
                    account, -payment.amount, currency, date, payment.external_id, partner
                )
            )
            if fee and summarise_fees:
                fees[currency] = fees.get(currency, 0.0) + fee
            elif fee:
                lines.append(
                    self._stripe_line(
                        self._stripe_fee_account(),
                        fee,
                        currency,
                        date,
                        _("Stripe fee %(payment)s", payment=payment.external_id),
                    )
                )
        for currency, fee in fees.items():
            label = _("Stripe fees of payout %(payout)s", payout=ref)
            lines.append(self._stripe_line(self._stripe_fee_account(), fee, currency, date, label))
            lines.append(self._stripe_line(stripe_account, -fee, currency, date, label))
        self._stripe_balance_rounding(lines)
        return {
            "move_type": "entry",
            "journal_id": journal.id,
            "date": date,
            "ref": ref,
            "omni_backend_id": self.id,
            "omni_external_ref": ref,
            "line_ids": [fields.Command.create(vals) for vals in lines if vals["amount_currency"]],
        }

    def _stripe_line(self, account, amount, currency, date, label, partner=None):
        company = self.company_id
        balance = currency._convert(amount, company.currency_id, company, date)
        return {
            "account_id": account.id,
            "partner_id": partner.id if partner else False,
            "name": label,
            "currency_id": currency.id,
            "amount_currency": currency.round(amount),
            "balance": company.currency_id.round(balance),
        }

    def _stripe_balance_rounding(self, lines):
        """Conversion to company currency rounds line by line: put the residual on the last
        Stripe-account line so the entry balances exactly."""
        residual = self.company_id.currency_id.round(sum(line["balance"] for line in lines))
        if residual:
            stripe_account = self.stripe_journal_id.default_account_id.id
            target = [line for line in lines if line["account_id"] == stripe_account][-1]
            target["balance"] -= residual

    def _stripe_account(self, field_name):
        account = self[field_name]
        if not account:
            raise MappingError(
                _(
                    "Stripe backend %(backend)s has no %(account)s configured.",
                    backend=self.name,
                    account=self._fields[field_name].string,
                ),
                "account",
            )
        return account

    def _stripe_fee_account(self):
        return self._stripe_account("stripe_fee_account_id")

    def _stripe_counterpart(self, payment):
        """Account (and partner) on the other side of a movement's gross amount."""
        company = self.company_id
        kind = payment.payment_type
        if kind in ("charge", "refund"):
            partner = payment.order_id.partner_id.commercial_partner_id
            if partner:
                return partner.with_company(company).property_account_receivable_id, partner
            # Unmatched: park it in the suspense account until finance allocates it.
            return (
                self.stripe_journal_id.suspense_account_id
                or company.account_journal_suspense_account_id
            ), None
        if kind in ("dispute", "dispute_reversal"):
            return self._stripe_account("stripe_dispute_account_id"), None
        if kind == "payout":
            return company.transfer_account_id, None
        if kind == "fee":
            return self._stripe_fee_account(), None
        if kind == "application_fee":
            return self._stripe_account("stripe_revenue_account_id"), None
        return self._stripe_adjustment_account(), None

    def _stripe_adjustment_account(self):
        return self._stripe_account("stripe_adjustment_account_id")
