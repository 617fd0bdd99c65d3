from collections import defaultdict

from odoo import _, api, fields, models


class OmniPayout(models.Model):
    """A settlement from a processor to the bank, with the movements it pays out."""

    _name = "omni.payout"
    _description = "Omnichannel Payout"
    _order = "arrival_date desc, id desc"
    _rec_name = "external_id"

    backend_id = fields.Many2one("omni.backend", required=True, ondelete="restrict", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    channel = fields.Selection(related="backend_id.channel", store=True)
    external_id = fields.Char(required=True, index=True)
    currency_id = fields.Many2one("res.currency", required=True)
    amount = fields.Monetary()
    fee_amount = fields.Monetary()
    status = fields.Char(index=True)
    channel_created_at = fields.Datetime()
    arrival_date = fields.Datetime(index=True)
    trace = fields.Char(help="Bank trace / statement descriptor used to find it in the bank.")
    payment_ids = fields.One2many("omni.payment", "payout_id")
    payment_count = fields.Integer(compute="_compute_payment_count")
    move_id = fields.Many2one("account.move", string="Journal Entry", ondelete="set null")
    statement_line_id = fields.Many2one(
        "account.bank.statement.line", string="Bank Statement Line", ondelete="set null"
    )

    _sql_constraints = [
        (
            "backend_external_uniq",
            "UNIQUE(backend_id, external_id)",
            "This payout is already stored.",
        ),
    ]

    def _compute_payment_count(self):
        counts = dict(
            self.env["omni.payment"]._read_group(
                [("payout_id", "in", self.ids)], ["payout_id"], ["__count"]
            )
        )
        for payout in self:
            payout.payment_count = counts.get(payout, 0)

    def _journal_items_action(self, moves):
        """Journal items of ``moves`` in a list (Odoo Community shows them on an entry only
        with the full accounting features): what finance checks of an Omni booking."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Journal Items"),
            "res_model": "account.move.line",
            "view_mode": "tree,form",
            "domain": [("move_id", "in", moves.ids)],
            "context": {"create": False, "search_default_group_by_move": 1},
        }

    def action_open_journal_items(self):
        self.ensure_one()
        payments = self.payment_ids
        moves = self.move_id | payments.move_id | payments.account_payment_id.move_id
        return self._journal_items_action(moves | self.statement_line_id.move_id)

    # ------------------------------------------------------------------------------------
    # Bank matching
    # ------------------------------------------------------------------------------------

    # How far from the processor's arrival date the bank may book the transfer.
    BANK_DAYS_BEFORE = 3
    BANK_DAYS_AFTER = 7

    def action_match_bank_statement(self):
        matched = self._match_bank_statement_lines()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if matched else "warning",
                "message": _(
                    "%(count)s payout(s) matched to a bank statement line.", count=len(matched)
                )
                if matched
                else _("No unambiguous bank statement line found."),
                "sticky": False,
            },
        }

    @api.model
    def _cron_match_bank_statement(self):
        self.search([("statement_line_id", "=", False)])._match_bank_statement_lines()

    def _match_bank_statement_lines(self):
        """Link paid payouts to the bank statement line that received them; returns the
        payouts linked.

        Candidates: posted lines of a bank journal of the payout's company, for the exact
        amount in the payout's currency (journal or foreign currency), booked within the
        window around the arrival date, not linked to another payout. A line whose label
        carries the payout's trace or id wins; otherwise only a single candidate is taken: an
        ambiguous match is left to finance rather than guessed.
        """
        payouts = self.filtered(
            lambda p: not p.statement_line_id and (p.status or "").lower() == "paid"
        )
        if not payouts:
            return self.browse()
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT p.id, l.id,
                   (COALESCE(p.trace, '') <> '' AND l.payment_ref ILIKE '%%' || p.trace || '%%')
                   OR l.payment_ref ILIKE '%%' || p.external_id || '%%' AS labelled,
                   ABS(m.date - COALESCE(p.arrival_date, p.channel_created_at)::date) AS days
              FROM omni_payout p
              JOIN account_bank_statement_line l ON TRUE
              JOIN account_move m
                ON m.id = l.move_id AND m.state = 'posted' AND m.company_id = p.company_id
              JOIN account_journal j ON j.id = m.journal_id AND j.type = 'bank'
             WHERE p.id IN %(ids)s
               AND ((l.currency_id = p.currency_id AND l.amount = p.amount)
                    OR (l.foreign_currency_id = p.currency_id AND l.amount_currency = p.amount))
               AND m.date BETWEEN COALESCE(p.arrival_date, p.channel_created_at)::date
                                  - %(before)s
                              AND COALESCE(p.arrival_date, p.channel_created_at)::date
                                  + %(after)s
               AND NOT EXISTS (SELECT 1 FROM omni_payout o WHERE o.statement_line_id = l.id)
             ORDER BY p.id, labelled DESC, days, l.id
            """,
            {
                "ids": tuple(payouts.ids),
                "before": self.BANK_DAYS_BEFORE,
                "after": self.BANK_DAYS_AFTER,
            },
        )
        candidates = defaultdict(list)
        for payout_id, line_id, labelled, __ in self.env.cr.fetchall():
            candidates[payout_id].append((line_id, bool(labelled)))
        wanted_by = defaultdict(int)  # line → how many payouts could take it
        for lines in candidates.values():
            for line, __ in lines:
                wanted_by[line] += 1
        taken, matched = set(), self.browse()
        # Labelled matches first: they are certain and must not lose their line to a guess.
        for payout_id, lines in sorted(candidates.items(), key=lambda item: not item[1][0][1]):
            labelled = [line for line, is_labelled in lines if is_labelled]
            if labelled:
                choices = [line for line in labelled if line not in taken]
            else:
                choices = [line for line, __ in lines if wanted_by[line] == 1]
            if len(labelled) > 1 or len(choices) != 1 or (not labelled and len(lines) > 1):
                continue
            taken.add(choices[0])
            payout = self.browse(payout_id)
            payout.statement_line_id = choices[0]
            matched |= payout
        matched._reconcile_bank_lines()
        return matched

    def _reconcile_bank_lines(self):
        """Reconcile each matched payout's statement line with its settlement entry: the
        line's suspense leg takes the account the payout went to (outstanding receipts or
        transfer), and the two clear each other. A line finance already worked is left."""
        importer = self.env["omni.importer"]
        for payout in self.filtered(lambda p: p.statement_line_id and p.move_id):
            account = importer._payout_account(payout.backend_id)
            open_lines = payout.move_id.line_ids.filtered(
                lambda line, a=account: line.account_id == a and not line.reconciled
            )
            __, suspense, other = payout.statement_line_id._seek_for_lines()
            if not open_lines or not suspense or other:
                continue
            suspense.with_context(skip_account_move_synchronization=True).write(
                {"account_id": account.id}
            )
            (suspense | open_lines).reconcile()
