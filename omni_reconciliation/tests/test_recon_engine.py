"""The engine on a seeded scenario: two (or more) injected discrepancies of every type it
implements plus a clean control set. Precision and recall must both be 100%."""

from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from ..models.omni_recon_exception import EXCEPTION_TYPES
from .common import USER_GROUP, ReconScenarioCase

IMPLEMENTED = {
    "missing_in_odoo",
    "duplicate_order",
    "amount_mismatch",
    "underpaid",
    "overpaid",
    "orphan_payment",
    "refund_without_return",
    "return_without_refund",
    "undelivered",
    "uninvoiced",
    "unsettled_payment",
    "payout_mismatch",
    "payout_not_banked",
    "payout_bank_mismatch",
    "bank_line_unmatched",
    "payment_not_received",
    "processor_amount_mismatch",
    "fee_variance",
    "fx_variance",
    "z_report_gap",
    "stock_drift",
    "unmapped",
}


@tagged("post_install", "-at_install")
class TestReconEngine(ReconScenarioCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.expected = set()  # (type, link field, record id, amount)

        def expect(etype, field, record, amount):
            cls.expected.add((etype, field, record.id, round(amount, 2)))

        goods = cls.goods
        # ---------------------------------------------------------------- clean control set
        cls.clean_orders = cls.env["omni.order"]
        clean_payout = cls.payout(0.0)
        nets = 0.0
        for total in (100.0, 250.0, 35.5):
            order = cls.omni_order(total, financial_state="paid")
            so = cls.sale_order(order, total)
            cls.invoice(so)
            cls.payment(total, order, fee=round(total * 0.03, 2), payout=clean_payout)
            nets += total - round(total * 0.03, 2)
            cls.clean_orders |= order
        # delivered goods, invoiced, paid
        order = cls.omni_order(80.0, financial_state="paid")
        so = cls.sale_order(order, 40.0, qty=2, product=goods, age_days=10)
        cls.deliver(so)
        cls.invoice(so)
        cls.payment(80.0, order, payout=clean_payout)
        nets += 80.0
        cls.clean_orders |= order
        # returned and refunded (stock and money agree)
        order = cls.omni_order(60.0, financial_state="refunded", amount_refunded=60.0)
        so = cls.sale_order(order, 60.0, product=goods)
        cls.deliver(so)
        cls.invoice(so)
        cls.return_goods(so, 1)
        cls.payment(60.0, order, payout=clean_payout)
        cls.payment(-60.0, order, ptype="refund", payout=clean_payout)
        cls.clean_orders |= order
        # recent: not delivered nor invoiced yet, within the SLAs
        order = cls.omni_order(45.0, financial_state="paid")
        so = cls.sale_order(order, 45.0, product=goods)
        cls.payment(45.0, order, payout=clean_payout)
        nets += 45.0
        cls.clean_orders |= order
        # a cancelled channel order never booked
        cls.clean_orders |= cls.omni_order(20.0, cancelled_at=cls.now)
        clean_payout.amount = nets
        cls.bank(clean_payout)
        cls.clean_payouts = clean_payout | cls.payout(0.0, banked=False, days_ago=0)
        # FX within tolerance, events failing for another reason
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.env["res.currency.rate"].create(
            {
                "currency_id": cls.eur.id,
                "rate": 0.9,
                "name": cls.now.date() - timedelta(days=20),
                "company_id": cls.company.id,
            }
        )
        cls.clean_payments = cls.payment(
            100.0, ptype="adjustment", currency=cls.eur, exchange_rate=1.11
        )
        cls.clean_events = cls.event("payload")
        # an order mirrored from Odoo's own POS: no sale order by design, paid in full
        order = cls.omni_order(30.0, financial_state="paid", booked_in_odoo=True)
        cls.payment(30.0, order, ptype="cash")
        cls.clean_orders |= order
        # stores: Z reports that agree, a day without Z report yet, a sub-cent gap
        cls.store = cls.location("Store Downtown", cls.warehouse)
        cls.clean_days = cls.store_day(
            cls.store, 5, {"cash": (100.0, 100.0), "card": (250.0, 250.0)}
        )
        cls.clean_days |= cls.store_day(cls.store, 6, {"cash": (80.0, 30.0)}, z_reported=False)
        cls.clean_days |= cls.store_day(cls.store, 7, {"card": (10.004, 10.0)})
        # stock: channel agrees with Odoo's available quantity (on hand less reserved, child
        # locations included; a register sells its store's warehouse)
        cls.register = cls.location("Till 1", kind="register", parent=cls.store)
        shelf = cls.env["stock.location"].create(
            {"name": "Shelf", "location_id": cls.warehouse.lot_stock_id.id, "usage": "internal"}
        )
        stock_a = cls.stocked_product("Stock A", 10.0, 5.0)
        stock_b = cls.stocked_product("Stock B", 7.0, 9.0, location=shelf)
        reserve = cls.env["stock.picking"].create(
            {
                "picking_type_id": cls.warehouse.out_type_id.id,
                "location_id": cls.warehouse.lot_stock_id.id,
                "location_dest_id": cls.env.ref("stock.stock_location_customers").id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "reserve B",
                            "product_id": stock_b.id,
                            "product_uom_qty": 2.0,
                            "product_uom": stock_b.uom_id.id,
                            "location_id": cls.warehouse.lot_stock_id.id,
                            "location_dest_id": cls.env.ref("stock.stock_location_customers").id,
                        },
                    )
                ],
            }
        )
        reserve.action_confirm()
        reserve.action_assign()
        cls.clean_levels = cls.stock_level(cls.store, stock_a, 10.0)
        cls.clean_levels |= cls.stock_level(cls.store, stock_b, 5.0)
        cls.clean_levels |= cls.stock_level(cls.register, stock_a, 10.0)
        consumable = cls.env["product.product"].create(
            {"name": "Paper bag", "detailed_type": "consu", "standard_price": 0.1}
        )
        cls.clean_levels |= cls.stock_level(cls.store, consumable, 500.0)

        # ---------------------------------------------------------------- discrepancies
        # missing in Odoo
        for total in (50.0, 60.0):
            order = cls.omni_order(total)
            expect("missing_in_odoo", "omni_order_id", order, total)
        cls.missing = order
        # duplicates: two sale orders for one channel order; two channel orders on one SO
        order = cls.omni_order(70.0)
        cls.sale_order(order, 70.0, confirm=False)
        dup = cls.sale_order(order, 70.0, confirm=False, link=False)
        expect("duplicate_order", "sale_order_id", dup, 70.0)
        first = cls.omni_order(80.0)
        so = cls.sale_order(first, 80.0, confirm=False)
        second = cls.omni_order(80.0)
        second.sale_order_id = so
        expect("duplicate_order", "omni_order_id", second, 80.0)
        # amount mismatch: channel vs sale order; channel vs invoice
        order = cls.omni_order(100.0)
        cls.sale_order(order, 95.0, confirm=False)
        expect("amount_mismatch", "omni_order_id", order, 5.0)
        order = cls.omni_order(100.0)
        so = cls.sale_order(order, 100.0)
        cls.invoice(so, price=112.0)
        expect("amount_mismatch", "omni_order_id", order, 12.0)
        # underpaid: partially paid; paid per the channel but no money
        order = cls.omni_order(100.0)
        cls.sale_order(order, 100.0, confirm=False)
        cls.payment(60.0, order)
        expect("underpaid", "omni_order_id", order, 40.0)
        order = cls.omni_order(100.0, financial_state="paid")
        cls.sale_order(order, 100.0, confirm=False)
        expect("underpaid", "omni_order_id", order, 100.0)
        cls.underpaid = order
        # overpaid: charged too much; refund announced by the channel but never paid
        order = cls.omni_order(100.0)
        cls.sale_order(order, 100.0, confirm=False)
        cls.payment(130.0, order)
        expect("overpaid", "omni_order_id", order, 30.0)
        order = cls.omni_order(100.0, amount_refunded=20.0)
        cls.sale_order(order, 100.0, confirm=False)
        cls.payment(100.0, order)
        expect("overpaid", "omni_order_id", order, 20.0)
        # orphan charges
        pay = cls.payment(45.0, order_external_ref="NOPE-1")
        expect("orphan_payment", "omni_payment_id", pay, 45.0)
        pay = cls.payment(55.0)
        expect("orphan_payment", "omni_payment_id", pay, 55.0)
        # refund without return (delivered goods, money back, nothing back in stock)
        for refund in (40.0, 100.0):
            order = cls.omni_order(100.0, amount_refunded=refund)
            so = cls.sale_order(order, 100.0, product=goods)
            cls.deliver(so)
            cls.payment(100.0, order)
            cls.payment(-refund, order, ptype="refund")
            expect("refund_without_return", "omni_order_id", order, refund)
        # return without refund
        for qty, price, back in ((2, 50.0, 1), (1, 70.0, 1)):
            order = cls.omni_order(qty * price)
            so = cls.sale_order(order, price, qty=qty, product=goods)
            cls.deliver(so)
            cls.return_goods(so, back)
            cls.payment(qty * price, order)
            expect("return_without_refund", "omni_order_id", order, back * price)
        # undelivered past the SLA (invoiced, so only the delivery is late)
        for qty, price in ((1, 30.0), (2, 20.0)):
            order = cls.omni_order(qty * price)
            so = cls.sale_order(order, price, qty=qty, product=goods, age_days=10)
            cls.invoice(so)
            expect("undelivered", "omni_order_id", order, qty * price)
        # uninvoiced past the SLA
        for total in (90.0, 110.0):
            order = cls.omni_order(total)
            cls.sale_order(order, total, age_days=10)
            expect("uninvoiced", "omni_order_id", order, total)
        # unsettled charges (due 10 days ago, in no payout)
        for total, fee in ((100.0, 3.0), (50.0, 1.5)):
            order = cls.omni_order(total)
            cls.sale_order(order, total, confirm=False)
            pay = cls.payment(total, order, fee=fee, available_days_ago=10)
            expect("unsettled_payment", "omni_payment_id", pay, total - fee)
        # payout != its transactions
        for amount, net in ((500.0, 480.0), (290.0, 300.0)):
            payout = cls.payout(amount)
            cls.payment(net, ptype="adjustment", payout=payout)
            expect("payout_mismatch", "omni_payout_id", payout, abs(amount - net))
        # payout not found in the bank
        for amount in (200.0, 350.0):
            payout = cls.payout(amount, banked=False, days_ago=10)
            expect("payout_not_banked", "omni_payout_id", payout, amount)
        cls.not_banked = payout
        # fee variance: gross - fee != net on a charge; payout fee != its movements' fees
        for total, fee, net in ((100.0, 3.0, 95.0), (50.0, 1.0, 48.0)):
            order = cls.omni_order(total)
            cls.sale_order(order, total, confirm=False)
            pay = cls.payment(total, order, fee=fee, net=net)
            expect("fee_variance", "omni_payment_id", pay, abs(total - fee - net))
        payout = cls.payout(100.0, fee=10.0)
        cls.payment(107.0, ptype="adjustment", fee=7.0, net=100.0, payout=payout)
        expect("fee_variance", "omni_payout_id", payout, 3.0)
        # FX: the processor's rate differs from Odoo's (1 EUR = 1/0.9 USD) by more than 1%
        for amount, rate in ((100.0, 1.0), (200.0, 1.05)):
            pay = cls.payment(amount, ptype="adjustment", currency=cls.eur, exchange_rate=rate)
            expect("fx_variance", "omni_payment_id", pay, abs(amount * rate - amount / 0.9))
        # Z report vs transactions: card short by 10 on one day, cash over by 12.5 on another
        day = cls.store_day(cls.store, 1, {"cash": (100.0, 100.0), "card": (250.0, 240.0)})
        expect("z_report_gap", "store_day_id", day, 10.0)
        cls.z_gap_day = day
        day = cls.store_day(cls.store, 2, {"cash": (80.0, 92.5), "card": (5.0, 5.0)})
        expect("z_report_gap", "store_day_id", day, 12.5)
        # a till in yen (zero decimals, 1 USD = 150 JPY): 300 yen short is 2.00 at stake
        jpy = cls.env.ref("base.JPY")
        jpy.active = True
        cls.env["res.currency.rate"].create(
            {
                "currency_id": jpy.id,
                "rate": 150.0,
                "name": cls.now.date() - timedelta(days=20),
                "company_id": cls.company.id,
            }
        )
        tokyo = cls.location("Store Tokyo", cls.warehouse)
        day = cls.store_day(tokyo, 1, {"cash": (45000, 45300), "card": (1200, 1200)}, currency=jpy)
        expect("z_report_gap", "store_day_id", day, 2.0)
        # stock drift: the channel shows 6 where Odoo has 4 (cost 2.5); 3 of a product Odoo
        # has none of (cost 12), reported at the register
        stock_c = cls.stocked_product("Stock C", 4.0, 2.5)
        level = cls.stock_level(cls.store, stock_c, 6.0)
        expect("stock_drift", "stock_level_id", level, 5.0)
        cls.drift_level = level
        stock_d = cls.stocked_product("Stock D", 0.0, 12.0)
        level = cls.stock_level(cls.register, stock_d, 3.0)
        expect("stock_drift", "stock_level_id", level, 36.0)
        cls.seed_money_gaps(expect)
        # unmapped records from the pipeline
        for _i in range(2):
            event = cls.event("mapping")
            expect("unmapped", "omni_event_id", event, 0.0)

    # ------------------------------------------------------------------ helpers
    def found(self, state="open"):
        excs = self.env["omni.recon.exception"].search(
            [("company_id", "=", self.company.id), ("key", "!=", False), ("state", "=", state)]
        )
        result = set()
        for exc in excs:
            link = next(
                field
                for field in (
                    "store_day_id",
                    "stock_level_id",
                    "omni_event_id",
                    "omni_payout_id" if exc.exception_type != "unsettled_payment" else "",
                    "omni_payment_id",
                    "sale_order_id" if exc.key.startswith("duplicate_order:sale") else "",
                    "omni_order_id",
                    "move_id",
                )
                if field and exc[field]
            )
            result.add((exc.exception_type, link, exc[link].id, round(exc.amount, 2)))
        return result

    # ------------------------------------------------------------------ tests
    def test_precision_and_recall(self):
        run = self.run_recon()
        found = self.found()
        self.assertEqual(found - self.expected, set(), "false positives")
        self.assertEqual(self.expected - found, set(), "missed discrepancies")
        types = {etype for etype, *_rest in self.expected}
        self.assertEqual(types, IMPLEMENTED)
        self.assertEqual(IMPLEMENTED, {key for key, _label in EXCEPTION_TYPES})
        for etype in IMPLEMENTED:
            self.assertGreaterEqual(sum(1 for e in self.expected if e[0] == etype), 2, etype)
        self.assertEqual(run.created_count, len(self.expected))
        self.assertEqual(run.state, "done")
        self.assertGreaterEqual(run.duration, 0.0)
        self.assertEqual(sum(run.count_by_type.values()), len(self.expected))
        # nothing on the clean control set
        Exc = self.env["omni.recon.exception"]
        self.assertFalse(Exc.search([("omni_order_id", "in", self.clean_orders.ids)]))
        self.assertFalse(Exc.search([("omni_payout_id", "in", self.clean_payouts.ids)]))
        self.assertFalse(Exc.search([("omni_payment_id", "in", self.clean_payments.ids)]))
        self.assertFalse(Exc.search([("omni_event_id", "in", self.clean_events.ids)]))
        self.assertFalse(Exc.search([("store_day_id", "in", self.clean_days.ids)]))
        self.assertFalse(Exc.search([("stock_level_id", "in", self.clean_levels.ids)]))
        drift = Exc.search([("stock_level_id", "=", self.drift_level.id)])
        self.assertEqual(drift.product_id, self.drift_level.product_id)
        self.assertIn("channel shows 6", drift.name)
        gap = Exc.search([("store_day_id", "=", self.z_gap_day.id)])
        self.assertIn("card", gap.name)
        action = gap.action_open_store_day()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("omni.store.day", gap.store_day_id.id)
        )
        sample = Exc.search([("exception_type", "=", "amount_mismatch")], limit=1)
        self.assertTrue(sample.explanation and sample.name and sample.backend_id)
        self.assertEqual(sample.channel, "omnitest")

    def test_rerun_is_idempotent_and_fixes_close(self):
        self.run_recon()
        Exc = self.env["omni.recon.exception"]
        before = Exc.search_read([("key", "!=", False)], ["key", "state", "write_date", "amount"])
        run2 = self.run_recon()
        self.assertEqual(
            (run2.created_count, run2.updated_count, run2.closed_count, run2.reopened_count),
            (0, 0, 0, 0),
        )
        after = Exc.search_read([("key", "!=", False)], ["key", "state", "write_date", "amount"])
        self.assertEqual(before, after)

        # a human resolves one; it stays resolved even though it still holds
        underpaid = Exc.search([("omni_order_id", "=", self.underpaid.id)])
        underpaid.action_resolve()
        # fix two discrepancies at the source
        self.sale_order(self.missing, self.missing.amount_total, confirm=False)
        self.bank(self.not_banked)
        self.z_gap_day.tender_ids.filtered(lambda t: t.tender == "card").transactions_amount = 250
        self.drift_level.channel_quantity = 4.0
        run3 = self.run_recon()
        self.assertEqual(run3.closed_count, 4)
        self.assertEqual(run3.created_count, 0)
        missing = Exc.search(
            [("exception_type", "=", "missing_in_odoo"), ("omni_order_id", "=", self.missing.id)]
        )
        self.assertEqual(missing.state, "resolved")
        self.assertTrue(missing.auto_closed)
        for field, record in (
            ("store_day_id", self.z_gap_day),
            ("stock_level_id", self.drift_level),
        ):
            closed = Exc.search([(field, "=", record.id)])
            self.assertEqual((closed.state, closed.auto_closed), ("resolved", True), field)
        self.assertIn("no longer holds", missing.resolution_note)
        self.assertIn("no longer holds", missing.message_ids[:1].body)
        self.assertEqual(underpaid.state, "resolved")
        self.assertFalse(underpaid.auto_closed)
        self.assertEqual(Exc.search_count([("omni_order_id", "=", self.underpaid.id)]), 1)

        # the variance comes back: the auto-closed exception is reopened, not duplicated
        self.missing.sale_order_id.unlink()
        run4 = self.run_recon()
        self.assertEqual(run4.reopened_count, 1)
        self.assertEqual(missing.state, "open")
        self.assertEqual(underpaid.state, "resolved")

    def test_amount_change_updates(self):
        self.run_recon()
        exc = self.env["omni.recon.exception"].search(
            [("exception_type", "=", "missing_in_odoo"), ("omni_order_id", "=", self.missing.id)]
        )
        self.missing.amount_total = 75.0
        run = self.run_recon()
        self.assertEqual(run.updated_count, 1)
        self.assertEqual(exc.amount, 75.0)
        self.assertEqual(exc.state, "open")

    def test_backend_scope_and_multi_company(self):
        company_b = self.env["res.company"].create({"name": "Recon Co B"})
        backend_b = self.env["omni.backend"].create(
            {"name": "B channel", "channel": "omnitest", "company_id": company_b.id}
        )
        order_b = self.omni_order(999.0, backend=backend_b)
        store_b = self.location("Store B", backend=backend_b)
        day_b = self.store_day(store_b, 1, {"cash": (10.0, 4.0)})
        # one product, costed per company (standard_price is company-dependent): the drift
        # in company B is valued at B's cost, and company A's stock never counts for B
        shared = self.stocked_product("Shared stock", 5.0, 5.0)
        shared.with_company(company_b).standard_price = 50.0
        warehouse_b = self.env["stock.warehouse"].search([("company_id", "=", company_b.id)])
        self.assertEqual(len(warehouse_b), 1)
        level_b = self.stock_level(store_b, shared, 1.0)
        store_b.warehouse_id = warehouse_b
        other_backend = self.env["omni.backend"].create(
            {"name": "Other A channel", "channel": "omnitest", "company_id": self.company.id}
        )
        order_other = self.omni_order(11.0, backend=other_backend)
        run_a = self.run_recon()
        Exc = self.env["omni.recon.exception"]
        self.assertFalse(Exc.search([("omni_order_id", "=", order_b.id)]))
        self.assertFalse(Exc.search([("store_day_id", "=", day_b.id)]))
        self.assertFalse(Exc.search([("stock_level_id", "=", level_b.id)]))
        self.assertFalse(Exc.search([("run_id", "=", run_a.id), ("company_id", "=", company_b.id)]))
        # the other channel of company A is reconciled: its order is missing in Odoo
        self.assertEqual(
            Exc.search([("omni_order_id", "=", order_other.id)]).mapped("exception_type"),
            ["missing_in_odoo"],
        )
        run_b = self.run_recon(company=company_b)
        self.assertEqual(run_b.created_count, 3)
        drift_b = Exc.search([("stock_level_id", "=", level_b.id)])
        self.assertEqual((drift_b.company_id, drift_b.amount), (company_b, 50.0))
        self.assertEqual(Exc.search([("store_day_id", "=", day_b.id)]).company_id, company_b)
        exc_b = Exc.search([("omni_order_id", "=", order_b.id)])
        self.assertEqual(exc_b.company_id, company_b)
        self.assertEqual(exc_b.amount, 999.0)
        # a run of one backend neither raises nor closes the other backends' exceptions
        count_a = Exc.search_count([("company_id", "=", self.company.id), ("state", "=", "open")])
        run_other = self.run_recon(backend=other_backend)
        self.assertEqual(run_other.candidate_count, 1)
        self.assertEqual(run_other.closed_count, 0)
        self.assertEqual(
            Exc.search_count([("company_id", "=", self.company.id), ("state", "=", "open")]),
            count_a,
        )
        # users see their company only; users without an Omni group see nothing
        user_a = new_test_user(
            self.env,
            "recon_eng_a",
            groups=USER_GROUP,
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        self.assertNotIn(exc_b, Exc.with_user(user_a).search([]))
        self.assertEqual(
            Exc.with_user(user_a).search([]), Exc.search([("company_id", "=", self.company.id)])
        )
        plain = new_test_user(
            self.env,
            "recon_eng_plain",
            groups="base.group_user",
            company_id=self.company.id,
            company_ids=[self.company.id, company_b.id],
        )
        for model in (
            "omni.recon.exception",
            "omni.recon.run",
            "omni.recon.variance.report",
            "omni.recon.dashboard",
            "omni.recon.dashboard.type",
        ):
            with self.assertRaises(AccessError):
                self.env[model].with_user(plain).search([])

    def test_cron_enqueues_per_company_and_wizard(self):
        with trap_jobs() as trap:
            runs = self.env["omni.recon.run"]._cron_enqueue_nightly()
            self.assertIn(self.company, runs.company_id)
            trap.assert_jobs_count(len(runs))
            for job in trap.enqueued_jobs:
                self.assertEqual(job.channel, "root.omni")
            self.assertTrue(all(run.state == "draft" for run in runs))
            trap.perform_enqueued_jobs()
        self.assertTrue(all(run.state == "done" for run in runs))
        # an Omni user (not a manager) runs it from the UI
        user = new_test_user(
            self.env,
            "recon_wizard_user",
            groups=USER_GROUP,
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        wizard = self.env["omni.recon.run.wizard"].with_user(user).create({})
        action = wizard.action_run()
        self.assertEqual(action["res_model"], "omni.recon.exception")
        self.assertEqual(self.env["omni.recon.run"].search([], limit=1).create_uid, user)
        with trap_jobs() as trap:
            self.env["omni.recon.run.wizard"].with_user(user).create(
                {"in_background": True}
            ).action_run()
            trap.assert_jobs_count(1)

    def test_variance_report(self):
        self.env.flush_all()
        Report = self.env["omni.recon.variance.report"]
        rows = Report.search([("backend_id", "=", self.backend.id)])
        self.assertTrue(rows)
        total_channel = sum(rows.mapped("channel_amount"))
        orders = self.env["omni.order"].search([("backend_id", "=", self.backend.id)])
        self.assertAlmostEqual(total_channel, sum(orders.mapped("amount_total")), places=2)
        self.assertEqual(sum(rows.mapped("missing_count")), 3)  # two missing + the cancelled
        data = Report.read_group(
            [("backend_id", "=", self.backend.id)], ["channel_amount", "gap_odoo"], ["backend_id"]
        )
        self.assertEqual(len(data), 1)

    def test_dashboard(self):
        run = self.run_recon()
        user = new_test_user(
            self.env,
            "recon_dash_user",
            groups=USER_GROUP,
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        action = self.env.ref("omni_reconciliation.omni_recon_dashboard_server_action")
        action = action.with_user(user).run()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("omni.recon.dashboard", self.company.id)
        )
        dash = self.env["omni.recon.dashboard"].with_user(user).browse(action["res_id"])

        def count(*types):
            return sum(1 for e in self.expected if e[0] in types)

        def amount(*types):
            return round(sum(e[3] for e in self.expected if e[0] in types), 2)

        self.assertEqual(dash.open_count, len(self.expected))
        self.assertAlmostEqual(dash.open_amount, amount(*IMPLEMENTED), places=2)
        self.assertEqual(
            dash.age_0_7_count + dash.age_8_30_count + dash.age_31_count, dash.open_count
        )
        self.assertEqual(dash.unposted_count, count("missing_in_odoo", "uninvoiced"))
        self.assertEqual(
            dash.unmatched_count, count("orphan_payment", "unsettled_payment", "payout_not_banked")
        )
        self.assertEqual(dash.return_count, count("refund_without_return", "return_without_refund"))
        self.assertEqual((dash.stock_count, dash.stock_amount), (2, 41.0))
        self.assertEqual(dash.last_run_id, run)
        self.assertEqual(dash.last_run_state, "done")
        self.assertAlmostEqual(dash.last_run_duration, run.duration, places=3)
        failed = self.env["omni.event"].search_count(
            [("company_id", "=", self.company.id), ("state", "=", "failed")]
        )
        self.assertEqual(dash.event_failed_count, failed)
        self.assertGreaterEqual(failed, 3)
        by_type = {line.exception_type: line for line in dash.type_line_ids}
        self.assertEqual(set(by_type), IMPLEMENTED)
        self.assertEqual(sum(line.open_count for line in dash.type_line_ids), dash.open_count)
        self.assertAlmostEqual(by_type["stock_drift"].open_amount, 41.0, places=2)
        channel = dash.channel_line_ids.filtered(lambda line: line.backend_id == self.backend)
        self.assertEqual((channel.stock_count, channel.stock_amount), (2, 41.0))
        self.assertEqual(channel.queue_depth, self.backend.queue_depth)
        self.assertEqual(channel.failure_rate, self.backend.failure_rate)
        self.assertGreater(channel.failure_rate, 0.0)  # the scenario's failed events
        # drill down: the stock drifts, grouped by channel
        drill = dash.with_context(
            recon_types=["stock_drift"], search_default_group_channel=1
        ).action_open_exceptions()
        self.assertEqual(
            self.env["omni.recon.exception"].with_user(user).search_count(drill["domain"]), 2
        )
        self.assertEqual(drill["context"], {"search_default_group_channel": 1})
        drill = by_type["z_report_gap"].action_open_exceptions()
        self.assertIn(("exception_type", "in", ["z_report_gap"]), drill["domain"])
        # resolving an exception takes it off the dashboard
        Exc = self.env["omni.recon.exception"]
        Exc.search([("exception_type", "=", "stock_drift")], limit=1).action_resolve()
        self.env.flush_all()
        dash.invalidate_recordset()
        self.assertEqual(dash.stock_count, 1)
