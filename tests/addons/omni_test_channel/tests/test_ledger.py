"""Order-to-cash in the ledger, through the channel's webhooks: invoices by policy, each
payment registered once in its gateway's journal and reconciled, settlements booked from
the processor's clearing account, payouts reconciled with their bank line; with the
balances proving it (clearing = the processor's unpaid balance, customers at zero)."""

from decimal import Decimal

from odoo.tests import tagged

from .common import ORDER, OmniTestChannelCase, order_payload


def charge(txn_id="T1", amount="36.52", **vals):
    return {
        "id": txn_id,
        "amount": amount,
        "currency": "EUR",
        "created_at": "2026-11-02T08:00:00Z",
        **vals,
    }


def payment_payload(event_id, **txn):
    return {"id": event_id, "topic": "payment", "payment": {"currency": "EUR", **txn}}


def payout_payload(event_id, payout_id, amount, transactions, arrival="2026-11-09T00:00:00Z"):
    return {
        "id": event_id,
        "topic": "payout",
        "payout": {
            "id": payout_id,
            "amount": amount,
            "currency": "EUR",
            "arrival_date": arrival,
            "payments": [{"currency": "EUR", **txn} for txn in transactions],
        },
    }


@tagged("post_install", "-at_install")
class TestLedger(OmniTestChannelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend.invoice_policy = "on_paid"
        for n, kind in enumerate(("fee", "dispute", "adjustment")):
            cls.backend[f"settlement_{kind}_account_id"] = cls.env["account.account"].create(
                {"name": f"Processor {kind}", "code": f"62990{n}", "account_type": "expense"}
            )
        cls.clearing = cls.backend._omni_gateway("omnitest").journal_id.default_account_id

    def deliver(self, *payloads):
        for payload in payloads:
            self.receive(payload)
        events = self.process()
        self.assert_all_done(events)
        return events

    def omni_order(self, external_id="1001"):
        return self.env["omni.order"]._find(self.backend, external_id)

    def invoices(self, omni_order):
        return omni_order.sale_order_id.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")

    def balance(self, account, **domain):
        lines = self.env["account.move.line"].search(
            [
                ("account_id", "=", account.id),
                ("parent_state", "=", "posted"),
                ("currency_id", "=", self.eur.id),  # every amount of these orders is in EUR
            ]
            + [(key, "=", value) for key, value in domain.items()]
        )
        return Decimal(str(round(sum(lines.mapped("amount_currency")), 2)))

    def customer_balance(self, omni_order):
        partner = omni_order.partner_id.commercial_partner_id
        return self.balance(partner.property_account_receivable_id, partner_id=partner.id)

    # ------------------------------------------------------------------ invoicing
    def test_paid_order_is_invoiced_at_its_date_and_settled_by_its_payment(self):
        self.deliver(
            order_payload("e1", financial_status="paid", payments=[charge()]),
        )
        omni_order = self.omni_order()
        invoice = self.invoices(omni_order)
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertAmount(invoice.amount_total, ORDER["total"])
        self.assertEqual(str(invoice.invoice_date), "2026-11-02", "the payment's date")
        self.assertEqual(invoice.payment_state, "paid")
        registration = omni_order.payment_ids.account_payment_id
        self.assertEqual(registration.journal_id, self.backend._omni_gateway("omnitest").journal_id)
        self.assertEqual(registration.partner_id, omni_order.partner_id.commercial_partner_id)
        self.assertEqual(self.customer_balance(omni_order), 0)
        self.assertEqual(self.balance(self.clearing), Decimal(ORDER["total"]))
        # replayed: nothing twice
        self.env["omni.event"].search([("backend_id", "=", self.backend.id)]).action_replay()
        self.process()
        self.assertEqual(len(self.invoices(omni_order)), 1)
        self.assertEqual(len(omni_order.payment_ids.account_payment_id), 1)
        self.assertEqual(self.balance(self.clearing), Decimal(ORDER["total"]))

    def test_unpaid_order_waits_for_its_payment_in_any_order_of_arrival(self):
        self.deliver(payment_payload("p1", **charge(order_id="1001")))
        early = self.env["omni.payment"].search([("external_id", "=", "T1")])
        self.assertTrue(early.account_payment_id, "money is registered when it arrives")
        self.assertFalse(early.account_payment_id.partner_id, "no customer known yet")
        # authorized, not paid: the payment that waited for it covers it
        self.deliver(order_payload("e1", financial_status="authorized"))
        omni_order = self.omni_order()
        self.assertEqual(early.order_id, omni_order)
        self.assertEqual(
            early.account_payment_id.partner_id, omni_order.partner_id.commercial_partner_id
        )
        invoice = self.invoices(omni_order)
        self.assertEqual(invoice.payment_state, "paid", "covered by the payment that waited")
        self.assertEqual(self.customer_balance(omni_order), 0)

    def test_unpaid_order_is_not_invoiced_on_paid(self):
        self.deliver(order_payload("e1"))
        self.assertFalse(self.invoices(self.omni_order()))

    def test_on_order_invoices_at_the_order_date(self):
        self.backend.invoice_policy = "on_order"
        self.deliver(order_payload("e1", financial_status="authorized"))
        invoice = self.invoices(self.omni_order())
        self.assertEqual(str(invoice.invoice_date), "2026-11-01")
        self.assertEqual(invoice.payment_state, "not_paid")

    def test_on_delivery_invoices_once_delivered_at_the_delivery_date(self):
        self.backend.invoice_policy = "on_delivery"
        self.deliver(order_payload("e1", financial_status="paid", payments=[charge()]))
        self.assertFalse(self.invoices(self.omni_order()), "paid, not delivered")
        self.deliver(
            order_payload(
                "e2",
                financial_status="paid",
                fulfillment_status="fulfilled",
                updated_at="2026-11-04T12:00:00Z",
            )
        )
        invoice = self.invoices(self.omni_order())
        self.assertEqual(str(invoice.invoice_date), "2026-11-04")
        self.assertEqual(invoice.payment_state, "paid")

    def test_manual_policy_invoices_nothing_but_payments_are_registered(self):
        self.backend.invoice_policy = "manual"
        self.deliver(order_payload("e1", financial_status="paid", payments=[charge()]))
        omni_order = self.omni_order()
        self.assertFalse(self.invoices(omni_order))
        self.assertTrue(omni_order.payment_ids.account_payment_id)

    def test_refund_credit_note_is_settled_by_the_refund_payment(self):
        refund = {
            "id": "R1",
            "amount": "12.00",
            "created_at": "2026-11-05T10:00:00Z",
            "lines": [{"line_id": "L1", "quantity": "1"}],
        }
        self.deliver(
            order_payload(
                "e1",
                financial_status="partially_refunded",
                updated_at="2026-11-05T11:00:00Z",
                refunds=[refund],
                payments=[
                    charge(),
                    charge("T2", "-12.00", type="refund", created_at="2026-11-05T10:00:00Z"),
                ],
            )
        )
        omni_order = self.omni_order()
        credit_note = omni_order.credit_note_ids
        self.assertAmount(credit_note.amount_total, "12.00")
        self.assertEqual(credit_note.payment_state, "paid")
        self.assertEqual(self.invoices(omni_order).payment_state, "paid")
        self.assertEqual(self.customer_balance(omni_order), 0)
        refund_payment = omni_order.payment_ids.filtered(lambda p: p.amount < 0)
        self.assertEqual(refund_payment.account_payment_id.payment_type, "outbound")

    # ------------------------------------------------------------------ gateways
    def test_each_gateway_kind_books_to_its_account(self):
        self.backend.invoice_policy = "on_order"
        transactions = [
            charge("G1", "10.00", processor="gift_card"),
            charge("G2", "6.52", processor="Cash"),
            charge("G3", "20.00", processor="manual"),
        ]
        self.deliver(order_payload("e1", financial_status="paid", payments=transactions))
        omni_order = self.omni_order()
        by_id = {p.external_id: p.account_payment_id for p in omni_order.payment_ids}
        gift = self.backend._omni_gateway("gift_card").journal_id
        self.assertEqual(by_id["G1"].journal_id, gift)
        self.assertEqual(by_id["G1"].outstanding_account_id.account_type, "liability_current")
        self.assertEqual(by_id["G2"].journal_id.type, "cash")
        self.assertEqual(
            by_id["G2"].outstanding_account_id, by_id["G2"].journal_id.default_account_id
        )
        self.assertEqual(
            by_id["G3"].outstanding_account_id,
            self.company.account_journal_payment_debit_account_id,
            "banked money waits in outstanding receipts for its statement line",
        )
        self.assertEqual(self.invoices(omni_order).payment_state, "paid")
        self.assertEqual(self.customer_balance(omni_order), 0)

    def test_pending_transaction_is_registered_once_it_succeeds(self):
        self.backend.invoice_policy = "on_order"
        pending = charge("B1", processor="bank deposit", status="pending")
        self.deliver(order_payload("e1", financial_status="authorized", payments=[pending]))
        omni_order = self.omni_order()
        self.assertFalse(omni_order.payment_ids.account_payment_id, "no money moved yet")
        self.assertEqual(self.invoices(omni_order).payment_state, "not_paid")
        received = charge("B2", processor="bank deposit", created_at="2026-11-06T09:00:00Z")
        self.deliver(
            order_payload(
                "e2",
                financial_status="paid",
                updated_at="2026-11-06T10:00:00Z",
                payments=[pending, received],
            )
        )
        registrations = omni_order.payment_ids.account_payment_id
        self.assertEqual(len(registrations), 1)
        self.assertEqual(registrations.date.isoformat(), "2026-11-06")
        self.assertEqual(self.invoices(omni_order).payment_state, "paid")

    def test_unmapped_gateway_fails_the_event_until_mapped(self):
        self.receive(
            order_payload("e1", financial_status="paid", payments=[charge(processor="klarna")])
        )
        event = self.process()
        self.assertEqual(event.state, "failed")
        self.assertIn("klarna", event.error_message)
        self.assertFalse(self.omni_order(), "nothing half-written")
        self.env["omni.backend.gateway"].create(
            {
                "backend_id": self.backend.id,
                "gateway": "Klarna",
                "name": "Klarna",
                "kind": "processor",
                "journal_id": self.backend._omni_gateway("omnitest").journal_id.id,
            }
        )
        event.action_retry()
        self.process()
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(self.invoices(self.omni_order()).payment_state, "paid")

    def test_charge_seen_by_channel_and_processor_is_registered_once(self):
        self.deliver(order_payload("e1", financial_status="paid", payments=[charge()]))
        # the processor's balance transaction of that charge, with its fee
        self.deliver(
            payment_payload(
                "p1",
                **charge(
                    "txn_1",
                    fee="0.80",
                    processor_reference="T1",
                    available_on="2026-11-04T00:00:00Z",
                ),
            )
        )
        omni_order = self.omni_order()
        processor = self.env["omni.payment"].search([("external_id", "=", "txn_1")])
        self.assertEqual(processor.account_payment_id, omni_order.payment_ids.account_payment_id)
        self.assertEqual(
            len(self.env["account.payment"].search([("omni_backend_id", "=", self.backend.id)])), 1
        )
        self.assertEqual(self.balance(self.clearing), Decimal("35.72"), "gross less its fee")
        self.assertEqual(
            self.balance(self.backend.settlement_fee_account_id, move_id=processor.move_id.id),
            Decimal("0.80"),
        )

    # ------------------------------------------------------------------ settlements
    def test_payout_settles_the_clearing_account_and_its_bank_line(self):
        bank = self.env["account.journal"].create(
            {"name": "Omni payouts", "code": "OPB", "type": "bank", "currency_id": self.eur.id}
        )
        self.backend.payout_journal_id = bank
        reserve = self.env["account.account"].create(
            {"name": "Processor reserve", "code": "139900", "account_type": "asset_current"}
        )
        self.backend.settlement_reserve_account_id = reserve
        self.deliver(order_payload("e1", financial_status="paid", payments=[charge()]))
        balance_txns = [
            charge("txn_1", fee="1.02", processor_reference="T1"),
            {"id": "txn_2", "type": "dispute", "amount": "-5.00", "fee": "15.00"},
            {"id": "txn_3", "type": "reserve", "amount": "-2.50"},
            {"id": "txn_4", "type": "adjustment", "amount": "0.30"},
        ]
        # 36.52 - 1.02 - 5.00 - 15.00 - 2.50 + 0.30 = 13.30
        self.deliver(payout_payload("po1", "PO1", "13.30", balance_txns))
        payout = self.env["omni.payout"].search([("external_id", "=", "PO1")])
        self.assertEqual(payout.move_id.state, "posted")
        self.assertEqual(self.balance(self.clearing), 0, "all of the balance was paid out")
        self.assertEqual(self.balance(self.backend.settlement_fee_account_id), Decimal("16.02"))
        self.assertEqual(self.balance(self.backend.settlement_dispute_account_id), Decimal("5.00"))
        self.assertEqual(self.balance(reserve), Decimal("2.50"))
        outstanding = self.company.account_journal_payment_debit_account_id
        self.assertEqual(self.balance(outstanding, move_id=payout.move_id.id), Decimal("13.30"))
        # the bank receives it: matched and reconciled, nothing left for finance
        line = self.env["account.bank.statement.line"].create(
            {"journal_id": bank.id, "date": "2026-11-10", "amount": 13.30, "payment_ref": "PO1"}
        )
        payout._match_bank_statement_lines()
        self.assertEqual(payout.statement_line_id, line)
        self.assertTrue(line.is_reconciled)
        self.assertEqual(self.balance(outstanding), 0)
        # finance sees every journal item of the payout's bookings from the payout
        action = payout.action_open_journal_items()
        items = self.env["account.move.line"].search(action["domain"])
        self.assertEqual(
            items.move_id,
            payout.move_id | payout.payment_ids.account_payment_id.move_id | line.move_id,
        )
        # replayed payout: booked once
        self.events(topic="payout").action_replay()
        self.process()
        self.assertEqual(self.balance(self.clearing), 0)
        self.assertEqual(self.balance(self.backend.settlement_fee_account_id), Decimal("16.02"))

    def test_clearing_equals_the_unpaid_balance_movement_by_movement(self):
        self.deliver(order_payload("e1", financial_status="paid", payments=[charge()]))
        self.deliver(payment_payload("p1", **charge("txn_1", fee="1.02", processor_reference="T1")))
        self.deliver(payment_payload("p2", id="txn_9", type="fee", amount="-0.50"))
        self.assertEqual(self.balance(self.clearing), Decimal("35.00"))  # 36.52 - 1.02 - 0.50
        self.deliver(
            payout_payload(
                "po1",
                "PO1",
                "35.00",
                [
                    charge("txn_1", fee="1.02", processor_reference="T1"),
                    {"id": "txn_9", "type": "fee", "amount": "-0.50"},
                ],
            )
        )
        self.assertEqual(self.balance(self.clearing), 0)
        self.assertEqual(self.balance(self.backend.settlement_fee_account_id), Decimal("1.52"))
