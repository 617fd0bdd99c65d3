from datetime import datetime

from odoo.tests import tagged

from .common import OmniTestChannelCase


@tagged("post_install", "-at_install")
class TestPayoutBankMatching(OmniTestChannelCase):
    """Payouts find the bank statement line that received them, and never guess."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank = cls.env["account.journal"].create(
            {"name": "Omni Bank EUR", "code": "OBK", "type": "bank", "currency_id": cls.eur.id}
        )
        cls.usd = cls.env.ref("base.USD")
        cls.usd.active = True

    def payout(
        self, external_id, amount, arrival="2026-11-10", trace="", status="paid", currency=None
    ):
        return self.env["omni.payout"].create(
            {
                "backend_id": self.backend.id,
                "external_id": external_id,
                "amount": amount,
                "currency_id": (currency or self.eur).id,
                "status": status,
                "trace": trace,
                "arrival_date": datetime.fromisoformat(arrival),
            }
        )

    def line(self, amount, date="2026-11-11", label="SEPA CREDIT STRIPE", **vals):
        return self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.bank.id,
                "date": date,
                "amount": amount,
                "payment_ref": label,
                **vals,
            }
        )

    def test_single_candidate_is_linked_once(self):
        payout = self.payout("po_1", 1234.56)
        line = self.line(1234.56)
        self.assertEqual(payout._match_bank_statement_lines(), payout)
        self.assertEqual(payout.statement_line_id, line)
        # Re-running neither moves it nor gives the line to another payout of the same amount.
        other = self.payout("po_2", 1234.56)
        self.assertFalse((payout | other)._match_bank_statement_lines())
        self.assertEqual(payout.statement_line_id, line)
        self.assertFalse(other.statement_line_id)

    def test_ambiguous_amounts_are_left_to_finance(self):
        first, second = self.payout("po_a", 500.0), self.payout("po_b", 500.0)
        self.line(500.0)
        self.line(500.0, date="2026-11-12")
        self.assertFalse((first | second)._match_bank_statement_lines())
        self.assertFalse(first.statement_line_id or second.statement_line_id)

    def test_trace_or_id_in_the_label_decides(self):
        first = self.payout("po_a", 500.0, trace="TRC-AAA")
        second = self.payout("po_b", 500.0)
        line_b = self.line(500.0, label="STRIPE PAYOUT po_b")
        line_a = self.line(500.0, label="SEPA TRC-AAA STRIPE")
        self.assertEqual((first | second)._match_bank_statement_lines(), first | second)
        self.assertEqual((first.statement_line_id, second.statement_line_id), (line_a, line_b))

    def test_window_currency_amount_and_status_must_agree(self):
        late = self.payout("po_late", 10.0, arrival="2026-10-01")
        usd = self.payout("po_usd", 20.0, currency=self.usd)
        off_by_a_cent = self.payout("po_cent", 30.0)
        failed = self.payout("po_failed", 40.0, status="failed")
        self.line(10.0)
        self.line(20.0)
        self.line(30.01)
        self.line(40.0)
        payouts = late | usd | off_by_a_cent | failed
        self.assertFalse(payouts._match_bank_statement_lines())

    def test_foreign_currency_line(self):
        payout = self.payout("po_usd", 99.0, currency=self.usd)
        line = self.line(91.5, foreign_currency_id=self.usd.id, amount_currency=99.0)
        payout._match_bank_statement_lines()
        self.assertEqual(payout.statement_line_id, line)

    def test_cron_and_button(self):
        payout = self.payout("po_c", 77.7)
        line = self.line(77.7)
        self.env["omni.payout"]._cron_match_bank_statement()
        self.assertEqual(payout.statement_line_id, line)
        unmatched = self.payout("po_d", 66.6)
        action = unmatched.action_match_bank_statement()
        self.assertEqual(action["params"]["type"], "warning")
