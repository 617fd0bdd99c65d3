"""Settlement booking, one for every processor and marketplace: a processor's balance is the
default account of its gateway's journal (the clearing account). The customer's money
enters it through its registered payments; the settlement entries book the rest: fees,
disputes and their reversals, reserves, adjustments, platform earnings, and the payout that
leaves it for the bank. One entry per payout (fees summarised or per movement, as the
backend says), or one per movement seen before its payout; each movement booked once."""

from odoo import _, fields, models

from .omni_importer import SettlementPlan


class OmniImporter(models.AbstractModel):
    _inherit = "omni.importer"  # pylint: disable=consider-merging-classes-inherited

    def _flush_settlements(self, batch):
        plans, batch.settlements = batch.settlements, []
        merged = {}  # a payout planned twice in the batch is booked once
        for plan in plans:
            key = (plan.backend, plan.payout)
            if key in merged:
                merged[key].payments |= plan.payments
            else:
                merged[key] = SettlementPlan(plan.backend, plan.payments, plan.payout)
        for plan in merged.values():
            if plan.backend._omni_settlement_gateway():
                self._book_settlement(plan.backend, plan.payments, plan.payout)

    def _book_settlement(self, backend, payments, payout=None):
        journal = backend._omni_gateway(backend._omni_settlement_gateway()).journal_id
        to_book = payments.exists().filtered(lambda p: not p.move_id)
        to_book = to_book.sorted(lambda p: (p.channel_created_at or fields.Datetime.now(), p.id))
        Move = self.env["account.move"].with_company(backend.company_id)
        if payout:
            vals = self._settlement_move_vals(
                backend, journal, to_book, payout, payout.external_id, payout.arrival_date
            )
            if vals["line_ids"]:
                move = Move.create(vals)
                move.action_post()
                to_book.move_id = move
                payout.move_id = payout.move_id or move
                payout._reconcile_bank_lines()
            return
        to_book = to_book.filtered(lambda p: not p.payout_id.move_id)
        items = [
            (
                payment,
                self._settlement_move_vals(
                    backend, journal, payment, None, payment.external_id, payment.channel_created_at
                ),
            )
            for payment in to_book
        ]
        items = [(payment, vals) for payment, vals in items if vals["line_ids"]]
        if items:
            moves = Move.create([vals for __, vals in items])
            moves.action_post()
            for (payment, __), move in zip(items, moves, strict=True):
                payment.move_id = move

    def _settlement_move_vals(self, backend, journal, payments, payout, ref, date):
        clearing = journal.default_account_id
        summarise = payout is not None and backend.fee_booking == "per_payout"
        date = (date or fields.Datetime.now()).date()
        lines, fees = [], {}

        def add(account, amount, currency, label, partner=None):
            lines.append(
                self._settlement_line(backend, account, amount, currency, date, label, partner)
            )

        for payment in payments:
            currency, fee = payment.currency_id, payment.fee_amount
            if not payment.account_payment_id:
                # Registered customer money is already in the clearing account.
                account, partner = self._settlement_counterpart(backend, journal, payment)
                add(clearing, payment.amount, currency, payment.external_id)
                add(account, -payment.amount, currency, payment.external_id, partner)
            if fee and summarise:
                fees[currency] = fees.get(currency, 0.0) + fee
            elif fee:
                label = _("Fee %(payment)s", payment=payment.external_id)
                add(
                    backend._omni_settlement_account("settlement_fee_account_id"),
                    fee,
                    currency,
                    label,
                )
                add(clearing, -fee, currency, label)
        for currency, fee in fees.items():
            label = _("Fees of payout %(payout)s", payout=ref)
            add(backend._omni_settlement_account("settlement_fee_account_id"), fee, currency, label)
            add(clearing, -fee, currency, label)
        if (
            payout
            and not payout.move_id
            and not payout.payment_ids.filtered(lambda p: p.payment_type == "payout")
        ):
            # The payout itself is not among its movements (Shopify Payments): its net
            # leaves the balance for the bank.
            label = _("Payout %(payout)s", payout=payout.external_id)
            add(clearing, -payout.amount, payout.currency_id, label)
            add(self._payout_account(backend), payout.amount, payout.currency_id, label)
        self._settlement_rounding(backend, clearing, lines)
        return {
            "move_type": "entry",
            "journal_id": journal.id,
            "date": date,
            "ref": ref,
            "omni_backend_id": backend.id,
            "omni_external_ref": ref,
            "line_ids": [fields.Command.create(vals) for vals in lines if vals["amount_currency"]],
        }

    def _settlement_line(self, backend, account, amount, currency, date, label, partner=None):
        company = backend.company_id
        balance = currency._convert(amount, company.currency_id, company, date)
        return {
            "account_id": account.id,
            "partner_id": partner.id if partner else False,
            "name": label,
            "currency_id": currency.id,
            "amount_currency": currency.round(amount),
            "balance": company.currency_id.round(balance),
        }

    def _settlement_rounding(self, backend, clearing, lines):
        """Conversion to company currency rounds line by line: the residual goes on the last
        clearing line so the entry balances exactly."""
        residual = backend.company_id.currency_id.round(sum(line["balance"] for line in lines))
        if residual:
            target = [line for line in lines if line["account_id"] == clearing.id][-1]
            target["balance"] -= residual

    def _payout_account(self, backend):
        """Where a payout goes: the payout bank journal's outstanding receipts (its
        statement line clears them), else the company's internal transfer account."""
        company = backend.company_id
        journal = backend.payout_journal_id
        if journal:
            method_line = journal.inbound_payment_method_line_ids[:1]
            account = (
                method_line.payment_account_id or company.account_journal_payment_debit_account_id
            )
            if account:
                return account
        return company.transfer_account_id

    def _settlement_counterpart(self, backend, journal, payment):
        """Account (and partner) on the other side of a movement's gross amount."""
        company = backend.company_id
        kind = payment.payment_type
        if kind in ("dispute", "dispute_reversal"):
            return backend._omni_settlement_account("settlement_dispute_account_id"), None
        if kind == "payout":
            return self._payout_account(backend), None
        if kind == "fee":
            return backend._omni_settlement_account("settlement_fee_account_id"), None
        if kind == "application_fee":
            return backend._omni_settlement_account("settlement_revenue_account_id"), None
        if kind == "reserve":
            return backend._omni_settlement_account("settlement_reserve_account_id"), None
        if kind in ("charge", "refund", "gift_card", "cash"):
            # Customer money nobody registered (a failed or unregistrable movement that
            # still moved the balance): suspense until finance allocates it.
            return journal.suspense_account_id or company.account_journal_suspense_account_id, None
        return backend._omni_settlement_account("settlement_adjustment_account_id"), None
