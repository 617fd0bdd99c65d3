"""Recall and precision of the reconciliation on an independent scenario (``scenario.py``):
every gap injected, at least twice each type, is found with its exact amount, and nothing
else, with the default settings; and again once the clock has passed every SLA, when what
was not due yet has become a gap too."""

import hashlib
import hmac
from datetime import timedelta
from decimal import Decimal

from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.omni_connector_base.tests.common import OmniCommon

from .scenario import SECRET, Scenario, consumer, dec

AB = [("REC-A", "1", "20.00"), ("REC-B", "2", "15.00")]  # 50.00 of goods, 55.00 shipped


@tagged("post_install", "-at_install")
class TestReconScenario(OmniCommon, HttpCase):
    channel = "omnitest"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.eur = cls.activate_currency("EUR", rate=0.8)  # 1 EUR = 1.25 of the company's
        shop_prices, __ = env["product.pricelist"].create(
            [
                {"name": "Shop", "currency_id": cls.currency.id, "company_id": cls.company.id},
                {"name": "Shop EUR", "currency_id": cls.eur.id, "company_id": cls.company.id},
            ]
        )
        consumer(env, "REC-A", "Recon A", 20.0, qty=500)
        consumer(env, "REC-B", "Recon B", 15.0, qty=500)
        consumer(env, "REC-D", "Recon D", 12.0, qty=500, policy="delivery")
        consumer(env, "REC-S1", "Shelf 1", 9.0, cost=4.0, qty=10)
        consumer(env, "REC-S2", "Shelf 2", 9.0, cost=2.5, qty=5)
        consumer(env, "REC-S3", "Shelf 3", 9.0, cost=3.0, qty=7)
        cls.payout_journal = env["account.journal"].create(
            {"name": "Processor payouts", "code": "PAYB", "type": "bank"}
        )
        shop = {"webhook_secret": SECRET, "pricelist_id": shop_prices.id}
        cls.shop = cls.make_backend("Recon shop", payout_journal_id=cls.payout_journal.id, **shop)
        cls.shop_again = cls.make_backend("Recon shop, second connection", **shop)
        cls.processor = cls.make_backend("Card processor", webhook_secret=SECRET)
        cls.stores = cls.make_backend("Stores", channel="pos", webhook_secret=SECRET)
        # the card processor's gateway, mapped as a user does: its balance is the processor's
        for backend in (cls.shop, cls.shop_again, cls.processor):
            env["omni.backend.gateway"].create(
                {
                    "backend_id": backend.id,
                    "gateway": "omnipay",
                    "name": "OmniPay",
                    "kind": "processor",
                    "journal_id": backend._omni_gateway("omnitest").journal_id.id,
                }
            )
        cls.location = env["omni.location"].create(
            {
                "name": "Main warehouse",
                "backend_id": cls.shop.id,
                "external_id": "WH-MAIN",
                "warehouse_id": cls.warehouse.id,
            }
        )

    def sign(self, body):
        return hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()

    def run_recon(self, backend=None, days=40):
        today = fields.Date.context_today(self.env["omni.recon.run"])
        run = self.env["omni.recon.run"].create(
            {
                "company_id": self.company.id,
                "backend_id": backend.id if backend else False,
                "date_from": today - timedelta(days=days),
                "date_to": today,
            }
        )
        run.with_context(omni_recon_no_action=True).action_run()
        self.assertEqual(run.state, "done", run.error_message)
        return run

    def assertExactly(self, sc, late):
        expected, found = sc.expected_set(late), sc.found_set(self.company)
        missed, extra = sorted(expected - found), sorted(found - expected)
        self.assertFalse(
            missed or extra, f"missed (recall): {missed}\nnot gaps (precision): {extra}"
        )
        self.assertLessEqual(self.INJECTED, {etype for etype, *__ in expected})

    def assertVarianceInvoicedOnce(self):
        """The variance analysis counts each invoice and credit note once, whatever number
        of orders it bills (consolidated billing), in the company currency."""
        orders = self.env["omni.order"].search([("backend_id", "=", self.shop.id)])
        moves = (orders.sale_order_id.invoice_ids | orders.credit_note_ids).filtered(
            lambda m: m.state == "posted"
        )
        self.assertTrue(any(len(m.invoice_line_ids.sale_line_ids.order_id) > 1 for m in moves))
        factor = {self.currency: Decimal(1), self.eur: Decimal("1.25")}
        expected = sum(
            dec(m.amount_total) * factor[m.currency_id] * (-1 if m.move_type == "out_refund" else 1)
            for m in moves
        )
        self.env.flush_all()
        rows = self.env["omni.recon.variance.report"].search([("backend_id", "=", self.shop.id)])
        self.assertEqual(dec(sum(rows.mapped("invoiced_amount"))), dec(expected))

    INJECTED = {
        "missing_in_odoo",
        "duplicate_order",
        "amount_mismatch",
        "undelivered",
        "uninvoiced",
        "unmapped",
        "underpaid",
        "overpaid",
        "refund_without_return",
        "return_without_refund",
        "orphan_payment",
        "payment_not_received",
        "processor_amount_mismatch",
        "fx_variance",
        "unsettled_payment",
        "payout_mismatch",
        "payout_not_banked",
        "payout_bank_mismatch",
        "bank_line_unmatched",
        "fee_variance",
        "stock_drift",
        "z_report_gap",
    }

    def test_every_gap_and_nothing_else_now_and_after_every_sla(self):
        sc = Scenario(self, self.shop, self.shop_again, self.eur, self.location)
        odoo_side, refunds = self.channel_facts(sc)
        sc.deliver_all()
        events = self.env["omni.event"].search([])
        self.assertTrue(
            events.filtered(lambda e: "Stale" in (e.result_note or "")),
            "some order versions arrived after newer ones",
        )
        self.assertEqual(set(events.mapped("state")), {"done", "dead"})
        for step in odoo_side:
            step()
        for step in refunds:
            step()
        sc.deliver_all()
        # what the channel shows for sale of the products sold: what Odoo has free (on hand
        # less reserved for the deliveries still to do), as a stock push left it
        products = self.env["product.product"].search([("default_code", "in", ("REC-A", "REC-B"))])
        free = products.with_context(warehouse=self.warehouse.id).mapped("free_qty")
        self.assertTrue(
            any(products.with_context(warehouse=self.warehouse.id).mapped("outgoing_qty"))
        )
        sc.inventory(zip(products.mapped("default_code"), free, strict=True))
        sc.deliver_all()
        self.bank(sc)
        counts = [sum(1 for e in sc.expected if e[0] == t and not e[4]) for t in self.INJECTED]
        self.assertGreaterEqual(min(counts), 2, "every type injected at least twice")
        self.run_recon()
        self.assertExactly(sc, late=False)
        self.assertVarianceInvoicedOnce()
        # narrower runs (one backend, the last days) leave the open list as it is
        for backend in (self.shop_again, self.processor, self.stores, self.shop):
            self.run_recon(backend)
            self.assertExactly(sc, late=False)
        self.run_recon(days=3)
        self.assertExactly(sc, late=False)
        # users fix some gaps and explain one: the next run closes what no longer holds,
        # leaves what a user closed, and finds the rest again
        fixed = sc.apply_fixes()
        Exc = self.env["omni.recon.exception"]
        explained = Exc.search([("exception_type", "=", "orphan_payment")], limit=1)
        self.env["omni.recon.close.wizard"].create(
            {"exception_ids": explained.ids, "note": "A deposit of the shop's owner."}
        ).action_confirm()
        sc.expected = [
            e
            for e in sc.expected
            if (e[0], sc.resolve(e[1], e[2])) != ("orphan_payment", explained.omni_payment_id)
        ]
        self.run_recon()
        self.assertExactly(sc, late=False)
        closed = Exc.search([("state", "=", "resolved")])
        self.assertEqual({key[:3] for key in sc.found_set(self.company, "resolved")}, set(fixed))
        self.assertTrue(all(closed.mapped("auto_closed")))
        self.assertEqual(explained.state, "explained")
        # the same books ten days later: every SLA has passed
        with freeze_time(sc.now + timedelta(days=10)):
            self.run_recon()
            self.assertExactly(sc, late=True)

    # ------------------------------------------------------------------ the scenario
    def channel_facts(self, sc):
        """The channel's facts (sent) and what Odoo's users and the channel do next (steps
        run after the first deliveries, then the refunds)."""
        odoo, later = [], []

        def invoiced(ref, *more, edit=None):
            odoo.append(lambda: sc.invoice(ref, *more, edit=edit))
            return ref

        # clean orders, each invoiced alone, delivered by the channel
        for days in (8, 9, 11, 12):
            invoiced(sc.order(days, AB)[0])
        # consolidated billing: two orders of one customer on one invoice
        for pair in range(2):
            buyer = {"id": f"C-pair-{pair}", "email": f"pair{pair}@example.com", "name": "Pair"}
            first = sc.order(7, AB, customer=buyer)[0]
            second = sc.order(6, [("REC-A", "2", "20.00")], customer=buyer)[0]
            invoiced(first, second)
        # consolidated invoices refunded: by the channel (goods restocked, shipping), by a
        # user (the whole invoice credited, the goods of both orders back); one edited for
        # one of its orders only
        for pair in range(2, 5):
            buyer = {"id": f"C-pair-{pair}", "email": f"pair{pair}@example.com", "name": "Pair"}
            first = sc.order(9, AB, customer=buyer)[0]
            second = sc.order(8, [("REC-A", "2", "20.00")], customer=buyer)[0]
            if pair == 2:
                invoiced(first, second)
                later.append(lambda r=first: sc.refund(r, "15.00", 2, lines=[(2, 1)], restock=True))
                later.append(lambda r=second: sc.refund(r, "5.00", 2, shipping="5.00"))
            elif pair == 3:
                invoiced(first, second)
                odoo.append(lambda r=first: sc.return_goods(r, {"REC-B": 2}))
                odoo.append(lambda r=second: sc.return_goods(r, {"REC-A": 1}))
                odoo.append(lambda r=first: sc.credit_note(r))
            else:
                edit = lambda inv, r=second: sc.reprice(inv, "REC-A", 21.0, r)  # noqa: E731
                invoiced(first, second, edit=edit)
                sc.expect("amount_mismatch", "omni.order", second, "2.00")
        # paid in the currency the customer saw (presentment), at the order's own ratio
        ref = sc.order(
            8, AB, presented=("EUR", "44.00"), payments=[("44.00", {"currency": "EUR"})]
        )[0]
        invoiced(ref)
        ref = sc.order(
            8, AB, presented=("EUR", "44.00"), payments=[("40.00", {"currency": "EUR"})]
        )[0]
        invoiced(ref)
        sc.expect("underpaid", "omni.order", ref, "5.00")  # 4.00 EUR short at 55 / 44
        # returns and credit notes by Odoo's users on clean orders
        for days in (9, 10):
            ref = invoiced(sc.order(days, AB)[0])
            odoo.append(lambda r=ref: sc.return_goods(r, {"REC-B": 1}))
            odoo.append(lambda r=ref: sc.credit_note(r))
        # refunds the channel restocked, and refunds of shipping only
        for days in (9, 10):
            ref = invoiced(sc.order(days, AB)[0])
            later.append(lambda r=ref: sc.refund(r, "15.00", 2, lines=[(2, 1)], restock=True))
            ref = invoiced(sc.order(days, AB)[0])
            later.append(lambda r=ref: sc.refund(r, "5.00", 2, shipping="5.00"))
        # an order in another currency, converted by the processor at about Odoo's rate
        ref, total = sc.order(8, AB, currency="EUR", payments=[])
        invoiced(ref)
        sc.payment(total, ref, currency="EUR", id=f"T-{ref}-fx", exchange_rate="1.2510")
        # invoiced on delivered quantities, half delivered by a user: the undelivered half is
        # the only gap (it is not to invoice yet)
        ref = sc.order(6, [("REC-A", "1", "20.00"), ("REC-D", "2", "12.00")], fulfilled=False)[0]
        odoo.append(lambda r=ref: sc.deliver_part(r, {"REC-A": 1, "REC-D": 1}))
        invoiced(ref)
        sc.expect("undelivered", "omni.order", ref, "12.00")
        # cancelled and refunded in full before it shipped
        sc.cancel(sc.order(7, AB, fulfilled=False, versions=False)[0], 6)
        # the second connection's own order
        ref = sc.order(8, AB, backend=self.shop_again)[0]
        odoo.append(lambda r=ref: sc.invoice_on(self.shop_again, r))

        self.gaps_of_the_order_chain(sc, odoo, invoiced)
        self.gaps_of_payments(sc, odoo, later, invoiced)
        self.gaps_of_settlement(sc, invoiced, later)
        self.not_due_yet(sc, invoiced)
        sc.inventory([("REC-S1", 8), ("REC-S2", 9), ("REC-S3", 7)])
        sc.expect("stock_drift", "omni.stock.level", "REC-S1", "8.00")  # 2 units at 4.00
        sc.expect("stock_drift", "omni.stock.level", "REC-S2", "10.00")  # 4 units at 2.50
        # tills whose Z report declares money no transaction brought; one declaring none
        day = sc.ago(3).date()
        sc.z_report(self.stores, 3, {"cash": "120.00", "card": "80.50"})
        sc.expect("z_report_gap", "omni.store.day.tender", (day, "cash"), "120.00")
        sc.expect("z_report_gap", "omni.store.day.tender", (day, "card"), "80.50")
        sc.z_report(self.stores, 4, {"cash": "0.00"})
        return odoo, later

    def gaps_of_the_order_chain(self, sc, odoo, invoiced):
        # quotations a user deleted: the channel order has no sale order
        for lines in (AB, [("REC-A", "1", "20.00")]):
            ref, total = sc.order(5, lines, paid=False, fulfilled=False, versions=False)
            odoo.append(lambda r=ref: sc.sale_order(r).unlink())
            sc.expect("missing_in_odoo", "omni.order", ref, total)
        # the same orders imported by the second connection to the shop
        for lines in (AB, [("REC-B", "3", "15.00")]):
            ref, total = sc.order(7, lines, versions=False)
            sc.order(7, lines, ref=ref, backend=self.shop_again, versions=False)
            invoiced(ref)
            odoo.append(lambda r=ref: sc.invoice_on(self.shop_again, r))
            sc.expect("duplicate_order", "omni.order", ("later", ref), total)
        # invoices edited before posting: billed more than the channel's total
        for sku, price, gap in (("REC-A", 23.0, "3.00"), ("REC-B", 15.25, "0.50")):
            invoiced(sc.order(8, AB)[0], edit=lambda inv, s=sku, p=price: sc.reprice(inv, s, p))
            sc.expect("amount_mismatch", "omni.order", sc.last_order, gap)
        # not delivered: nothing shipped, or one unit of two
        ref = invoiced(sc.order(6, AB, fulfilled=False)[0])
        sc.expect("undelivered", "omni.order", ref, "50.00")
        sc.fixable(
            "undelivered",
            "omni.order",
            ref,
            lambda r=ref: sc.deliver_part(r, {"REC-A": 1, "REC-B": 2}),
        )
        ref = invoiced(sc.order(6, AB, fulfilled=False)[0])
        odoo.append(lambda r=ref: sc.deliver_part(r, {"REC-A": 1, "REC-B": 1}))
        sc.expect("undelivered", "omni.order", ref, "15.00")
        # delivered and paid, never invoiced
        ref = sc.order(6, AB)[0]
        sc.expect("uninvoiced", "omni.order", ref, "55.00")
        sc.fixable("uninvoiced", "omni.order", ref, lambda r=ref: sc.invoice(r))
        sc.expect("uninvoiced", "omni.order", sc.order(5, [("REC-A", "2", "20.00")])[0], "45.00")
        # orders naming a product Odoo does not know: one with its charge at stake
        for charge in ("25.00", None):
            ref = sc.next("UNM-")
            sc.order(4, [("REC-NOPE", "1", "20.00")], ref=ref, versions=False)
            if charge:
                sc.payment(charge, ref, id=f"ch_{ref}")
            sc.expect("unmapped", "omni.event", ref, charge or "0.00")

    def gaps_of_payments(self, sc, odoo, later, invoiced):
        # paid less, or more, than the order's total
        for payments, gap in (([("45.00", {})], "10.00"), ([("30.00", {}), ("24.50", {})], "0.50")):
            sc.expect(
                "underpaid", "omni.order", invoiced(sc.order(8, AB, payments=payments)[0]), gap
            )
        for payments, gap in (([("60.00", {})], "5.00"), ([("55.00", {}), ("55.00", {})], "55.00")):
            sc.expect(
                "overpaid", "omni.order", invoiced(sc.order(8, AB, payments=payments)[0]), gap
            )
        # goods refunded that never came back
        for line, amount in ((2, "15.00"), (1, "20.00")):
            ref = invoiced(sc.order(9, AB)[0])
            later.append(lambda r=ref, n=line, a=amount: sc.refund(r, a, 2, lines=[(n, 1)]))
            sc.expect("refund_without_return", "omni.order", ref, amount)
        # goods and shipping refunded, the goods never came back: the goods are the gap
        ref = invoiced(sc.order(9, AB)[0])
        later.append(lambda r=ref: sc.refund(r, "20.00", 2, lines=[(2, 1)], shipping="5.00"))
        sc.expect("refund_without_return", "omni.order", ref, "15.00")
        # returns the channel closed: one refunded, one not
        ref = invoiced(sc.order(9, AB)[0])
        later.append(
            lambda r=ref: sc.refund(
                r, "15.00", 2, lines=[(2, 1)], return_id=sc.channel_return(r, [(2, "1")], 2)
            )
        )
        ref = invoiced(sc.order(9, AB)[0])
        later.append(lambda r=ref: sc.channel_return(r, [(1, "1")], 2))
        sc.expect("return_without_refund", "omni.order", ref, "20.00")
        # goods that came back, neither refunded nor credited
        for back, value in (({"REC-B": 1}, "15.00"), ({"REC-A": 1, "REC-B": 2}, "50.00")):
            ref = invoiced(sc.order(9, AB)[0])
            odoo.append(lambda r=ref, q=back: sc.return_goods(r, q))
            sc.expect("return_without_refund", "omni.order", ref, value)
        # charges naming no order of the company
        sc.expect("orphan_payment", "omni.payment", sc.payment("30.00", "NO-SUCH-ORDER"), "30.00")
        sc.expect("orphan_payment", "omni.payment", sc.payment("12.50", ""), "12.50")
        # paid through gateways that move no money, neither settled nor banked
        for gateway in ("manual", "Cash on Delivery (COD)"):
            ref = invoiced(sc.order(10, AB, payments=[("55.00", {"processor": gateway})])[0])
            sc.expect("payment_not_received", "omni.payment", f"T-{ref}-1", "55.00")
        # converted by the processor far from Odoo's rate (1.25)
        for lines, rate, gap in ((AB, "1.30", "2.75"), ([("REC-A", "2", "20.00")], "1.20", "2.25")):
            ref, total = sc.order(8, lines, currency="EUR", payments=[])
            invoiced(ref)
            pay = sc.payment(total, ref, currency="EUR", exchange_rate=rate)
            sc.expect("fx_variance", "omni.payment", pay, gap)

    def gaps_of_settlement(self, sc, invoiced, later):
        def settled(captured=None, fee="1.00", days=10, **vals):
            """An order paid on the channel and its charge as the processor moved it."""
            ref, total = sc.order(days, AB)
            invoiced(ref)
            return sc.movement(ref, f"T-{ref}-1", captured or total, fee, days - 1, **vals)

        # clean payouts, banked
        clean = [sc.payout([settled(), settled()], 6) for __ in range(2)]
        # the processor captured another amount than the channel recorded
        moves = [settled("52.00"), settled("55.40")]
        clean.append(sc.payout(moves, 6))
        for move, gap in zip(moves, ("3.00", "0.40"), strict=True):
            sc.expect("processor_amount_mismatch", "omni.payment", move["id"], gap)
        # cash on delivery the courier remitted: the channel's record itself, paid out
        cod = []
        for __ in range(2):
            ref = sc.order(10, AB, payments=[("55.00", {"processor": "cash on delivery"})])[0]
            invoiced(ref)
            cod.append(
                {
                    "id": f"T-{ref}-1",
                    "type": "charge",
                    "amount": "55.00",
                    "currency": sc.company_currency.name,
                    "order_id": ref,
                    "processor": "cash on delivery",
                }
            )
        clean.append(sc.payout(cod, 5))
        # a refund the processor paid back, in the payout of its charge
        ref, total = sc.order(10, AB)
        invoiced(ref)
        refund = sc.next("RF-")
        later.append(lambda r=ref, f=refund: sc.refund(r, "5.00", 3, shipping="5.00", ref=f))
        charge = sc.movement(ref, f"T-{ref}-1", total, "1.00", 9)
        back = sc.movement(ref, f"T-{refund}", "-5.00", "0", 4, type="refund")
        clean.append(sc.payout([charge, back], 6))
        # a charge the channel recorded and another backend (the card processor) captured:
        # both name the processor's charge
        ref, total = sc.order(10, AB, payments=[(None, {"processor_reference": "pi_shared"})])
        invoiced(ref)
        captured = sc.movement(ref, "pi_shared", total, "1.60", 9)
        clean.append(sc.payout([captured], 6, backend=self.processor))
        # a movement whose fee and net disagree; a payout whose fees are not its movements'
        odd = settled(net="53.00")  # 55.00 less a fee of 1.00 is 54.00
        clean.append(sc.payout([odd, settled()], 6))
        sc.expect("fee_variance", "omni.payment", odd["id"], "1.00")
        ref, amount = sc.payout([settled(), settled()], 6, fee="5.00")
        clean.append((ref, amount))
        sc.expect("fee_variance", "omni.payout", ref, "3.00")
        # payouts of another amount than their movements'
        for delta in (Decimal("2.00"), Decimal("-0.35")):
            ref, amount = sc.payout([settled(), settled()], 6, amount=Decimal("108.00") + delta)
            clean.append((ref, amount))
            sc.expect("payout_mismatch", "omni.payout", ref, abs(delta))
        # a payout on its way: not expected in the bank yet
        sc.payout([settled(fee="1.30")], 8, status="in_transit")
        # payouts the bank never received; received for another amount
        for fee in ("1.10", "1.20"):  # amounts no bank line has
            ref, amount = sc.payout([settled(fee=fee), settled(fee=fee)], 8)
            sc.expect("payout_not_banked", "omni.payout", ref, amount)
        sc.fixable(
            "payout_not_banked", "omni.payout", ref, lambda r=ref, a=amount: self.banked(sc, r, a)
        )
        self.mismatched = []
        for delta, fee in ((Decimal("-1.00"), "2.50"), (Decimal("0.05"), "3.00")):
            ref, amount = sc.payout([settled(), settled(fee=fee)], 8)
            self.mismatched.append((ref, amount + delta))
            sc.expect("payout_bank_mismatch", "omni.payout", ref, abs(delta))
        # charges available for long and in no payout
        for fee, net in (("1.60", "53.40"), ("1.30", "53.70")):
            sc.send_movement(settled(fee=fee))
            sc.expect("unsettled_payment", "omni.payment", sc.last_movement, net)
        self.clean_payouts = clean

    def not_due_yet(self, sc, invoiced):
        """Facts of yesterday: gaps only once their SLA has passed."""
        invoiced(sc.order(1, AB, fulfilled=False, versions=False)[0])
        sc.expect("undelivered", "omni.order", sc.last_order, "50.00", late=True)
        sc.expect(
            "uninvoiced", "omni.order", sc.order(1, AB, versions=False)[0], "55.00", late=True
        )
        ref = invoiced(sc.order(1, AB, payments=[("55.00", {"processor": "manual"})])[0])
        sc.expect("payment_not_received", "omni.payment", f"T-{ref}-1", "55.00", late=True)
        ref, total = sc.order(2, AB)
        invoiced(ref)
        sc.send_movement(sc.movement(ref, f"T-{ref}-1", total, "1.00", 1))
        sc.expect("unsettled_payment", "omni.payment", sc.last_movement, "54.00", late=True)
        ref, total = sc.order(2, AB)
        invoiced(ref)
        po, amount = sc.payout([sc.movement(ref, f"T-{ref}-1", total, "1.00", 2)], 1)
        sc.expect("payout_not_banked", "omni.payout", po, amount, late=True)

    def banked(self, sc, ref, amount):
        """The bank statement of a payout imported late, and Odoo's matching."""
        sc.bank_line(self.payout_journal, amount, f"OMNIPAY TRC-{ref}", 7)
        self.env["omni.payout"]._cron_match_bank_statement()

    def bank(self, sc):
        """The payout journal's statement lines, and Odoo's matching of payouts to them."""
        for ref, amount in self.clean_payouts:
            sc.bank_line(self.payout_journal, amount, f"OMNIPAY TRC-{ref}", 6)
        for ref, amount in self.mismatched:
            sc.bank_line(self.payout_journal, amount, f"OMNIPAY TRC-{ref}", 8)
        for amount, label in (("77.00", "Wire from a customer"), ("-9.50", "Account fee")):
            sc.bank_line(self.payout_journal, amount, label, 3)
            sc.expect(
                "bank_line_unmatched", "account.bank.statement.line", label, abs(Decimal(amount))
            )
        self.env["omni.payout"]._cron_match_bank_statement()
