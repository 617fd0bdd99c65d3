"""External POS feed, contract v1: events -> importer -> sale orders, payments, store-days."""

import json
from decimal import Decimal

from odoo.tests import tagged

from odoo.addons.omni_connector_base.tests.common import cents

from .common import PosCase


@tagged("post_install", "-at_install")
class TestPosFeed(PosCase):
    def import_world(self, backend=None, records=None):
        backend = backend or self.backend
        self.receive(self.world.records if records is None else records, backend)
        events = self.process(backend)
        self.assert_all_done(events)
        return events

    def test_store_days_gaps_exact(self):
        self.import_world()
        facts = self.store_day_facts()
        expected = self.expected_tenders()
        self.assertTrue(expected)
        for (register, day, tender), amount in expected.items():
            z, txn, gap, __ = facts[(register, day, tender)]
            self.assertEqual(txn, amount, (register, day, tender))
            self.assertEqual(gap, self.world.expected_gaps.get((register, day, tender), 0))
            self.assertEqual(z - txn, gap)
        gaps = {key: row[2] for key, row in facts.items() if row[2]}
        self.assertEqual(gaps, self.world.expected_gaps)
        days = self.env["omni.store.day"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(len(days), len(self.world.z_reports))
        self.assertTrue(all(days.mapped("z_reported")))
        short = days.filtered(lambda d: d.location_id.external_id == "S1-R1")
        self.assertAmount(short.gap_total, "-5.00")
        self.assertEqual(short.location_id.kind, "register")
        self.assertEqual(short.location_id.parent_id.external_id, "S1")
        self.assertEqual(short.location_id.parent_id.kind, "store")

    def test_order_independent(self):
        """The whole feed reversed (Z reports first, voids and returns before their sale):
        voids and returns wait for their sale, and everything ends up the same."""
        self.import_world()
        reversed_backend = self.make_backend("Reversed")
        events = self.receive(list(reversed(self.world.records)), reversed_backend)
        events._process_job()
        waiting = events.filtered(lambda e: e.error_class == "retryable")
        self.assertEqual(
            set(waiting.mapped("external_id")),
            {
                t["transaction_id"]
                for t in self.world.transactions
                if t.get("original_transaction_id")
            },
            "voids and returns with receipt came before their sale",
        )
        self.assertTrue(all(waiting.mapped("next_retry_at")))
        self.process_until_settled(reversed_backend)
        self.assert_all_done(events)
        self.maxDiff = None
        self.assertEqual(self.comparable(reversed_backend), self.comparable(self.backend))

    def test_return_whose_receipt_never_comes(self):
        """After waiting its attempts, a return with an unknown receipt is imported alone."""
        ret = next(
            t
            for t in self.world.transactions
            if t["kind"] == "return" and t.get("original_transaction_id")
        )
        event = self.receive([ret])
        self.process_until_settled(rounds=self.backend.max_attempts)
        self.assertEqual(event.state, "done", event.error_message)
        self.assertIn("never received", event.result_note)
        self.assertEqual(event.attempts, self.backend.max_attempts - 1)
        order = event.omni_order_id
        self.assertEqual(order.external_id, ret["transaction_id"])
        self.assertAmount(order.amount_total, ret["total"])
        # A void whose sale never comes is dead-lettered, visibly.
        void = next(t for t in self.world.transactions if t["kind"] == "void")
        event = self.receive([dict(void, original_transaction_id="NEVER-SENT")])
        self.process_until_settled(rounds=self.backend.max_attempts)
        self.assertEqual(event.state, "dead")
        self.assertIn("NEVER-SENT", event.error_message)
        self.assertRecordValues(
            event.activity_ids,
            [
                {
                    "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                    "user_id": self.backend.responsible_user_id.id,
                }
            ],
        )

    def test_transactions_become_documents(self):
        self.import_world()
        world = self.world
        Order = self.env["omni.order"]
        orders = Order.search([("backend_id", "=", self.backend.id)])
        sales_and_returns = [t for t in world.transactions if t["kind"] != "void"]
        with_receipt = [
            t
            for t in sales_and_returns
            if t["kind"] == "return" and t.get("original_transaction_id")
        ]
        # Returns with their receipt book a credit note on the original, not an order.
        self.assertEqual(len(orders), len(sales_and_returns) - len(with_receipt))
        for txn in with_receipt:
            original = orders.filtered(
                lambda o, t=txn: o.external_id == t["original_transaction_id"]
            )
            self.assertIn(txn["transaction_id"], original.refunded_external_ids)
            self.assertEqual(
                cents(original.amount_refunded),
                -Decimal(txn["total"]),
            )
            self.assertEqual(len(original.credit_note_ids), 1)
            self.assertEqual(original.credit_note_ids.state, "posted")
            self.assertEqual(
                cents(original.credit_note_ids.amount_total),
                -Decimal(txn["total"]),
            )
            refund_payment = self.env["omni.payment"].search(
                [("pos_transaction_ref", "=", txn["transaction_id"])]
            )
            self.assertEqual(refund_payment.order_id, original)
        # A return without receipt is a return order of negative quantities.
        no_receipt = next(
            t
            for t in sales_and_returns
            if t["kind"] == "return" and not t.get("original_transaction_id")
        )
        order = orders.filtered(lambda o: o.external_id == no_receipt["transaction_id"])
        self.assertEqual(order.sale_order_id.order_line.product_uom_qty, -1.0)
        self.assertAmount(order.sale_order_id.amount_total, no_receipt["total"])
        # Each void cancelled its sale and took its tenders out of the day.
        voided_ids = {
            t["original_transaction_id"] for t in world.transactions if t["kind"] == "void"
        }
        voided = orders.filtered(lambda o: o.external_id in voided_ids)
        self.assertEqual(len(voided), len(voided_ids))
        self.assertEqual(set(voided.sale_order_id.mapped("state")), {"cancel"})
        self.assertTrue(all(voided.mapped("cancelled_at")))
        self.assertEqual(set(voided.payment_ids.mapped("status")), {"voided"})
        # Sales: confirmed sale orders at the register's store warehouse, exact totals.
        for txn in sales_and_returns:
            if txn in with_receipt:
                continue
            order = orders.filtered(lambda o, t=txn: o.external_id == t["transaction_id"])
            self.assertAmount(order.amount_total, txn["total"])
            if order not in voided:
                self.assertEqual(order.sale_order_id.state, "sale", txn)
                self.assertAmount(order.sale_order_id.amount_total, txn["total"])
            self.assertEqual(order.sale_order_id.warehouse_id, self.warehouse)
            self.assertEqual(order.location_external_id, txn["register_id"])
        # Walk-ins share one partner; loyalty customers are matched by card / email.
        walk_in = self.backend.default_partner_id
        self.assertTrue(walk_in)
        anonymous = [t for t in sales_and_returns if "customer" not in t and t not in with_receipt]
        self.assertEqual(
            set(
                orders.filtered(
                    lambda o: o.external_id in {t["transaction_id"] for t in anonymous}
                ).partner_id
            ),
            {walk_in},
        )
        loyal = orders.filtered(lambda o: o.partner_id != walk_in)
        self.assertTrue(loyal, "the seeded world has loyalty customers")
        self.assertTrue(all(p.email.startswith("loyal") for p in loyal.partner_id))
        # Card tenders carry the processor reference, except the one the terminal lost.
        cards = self.env["omni.payment"].search(
            [("backend_id", "=", self.backend.id), ("pos_tender", "=", "card")]
        )
        missing = cards.filtered(lambda p: not p.processor_reference)
        self.assertEqual(len(missing), len(self.world.z_reports))  # one per till and day
        self.assertTrue(all(p.processor_reference.startswith("ch_pos") for p in cards - missing))
        self.assertEqual(set(cards.mapped("processor")), {"stripe"})

    def test_replay_changes_nothing(self):
        events = self.import_world()
        before = (self.order_facts(), self.store_day_facts())
        counts = (
            self.env["sale.order"].search_count([("omni_backend_id", "=", self.backend.id)]),
            self.env["account.move"].search_count([("omni_backend_id", "=", self.backend.id)]),
        )
        events.action_replay()
        events._process_job()
        self.assert_all_done(events)
        self.assertEqual((self.order_facts(), self.store_day_facts()), before)
        self.assertEqual(
            (
                self.env["sale.order"].search_count([("omni_backend_id", "=", self.backend.id)]),
                self.env["account.move"].search_count([("omni_backend_id", "=", self.backend.id)]),
            ),
            counts,
        )
        # The same records received again are duplicates: nothing new is stored.
        self.assertFalse(self.receive(self.world.records))

    def test_unknown_sku_is_a_visible_failed_event(self):
        txn = json.loads(json.dumps(self.world.transactions[0]))
        txn["transaction_id"] = "UNKNOWN-SKU-1"
        txn["lines"][0]["sku"] = "NOT-IN-ODOO"
        txn["lines"][0]["barcode"] = "0000000000000"
        event = self.receive([txn])
        event._process_job()
        self.assertEqual(event.state, "failed")
        self.assertEqual(event.error_class, "mapping")
        self.assertIn("NOT-IN-ODOO", event.error_message)
        self.assertFalse(self.env["omni.order"].search([("external_id", "=", "UNKNOWN-SKU-1")]))
        self.assertFalse(
            self.env["omni.payment"].search([("pos_transaction_ref", "=", "UNKNOWN-SKU-1")])
        )
        # Someone creates the product: the retried event goes through.
        self.env["product.product"].create(
            {"name": "New item", "default_code": "NOT-IN-ODOO", "detailed_type": "consu"}
        )
        event.action_retry()
        event._process_job()
        self.assertEqual(event.state, "done", event.error_message)
        sale_order = event.omni_order_id.sale_order_id
        self.assertEqual(sale_order.state, "sale")
        self.assertAmount(sale_order.amount_total, txn["total"])

    def test_hostile_records_fail_visibly(self):
        good = self.world.transactions[0]
        cases = {
            "float amount": {**good, "transaction_id": "H1", "total": 12.5},
            "tenders do not add up": {
                **good,
                "transaction_id": "H2",
                "total": str(Decimal(good["total"]) + 1),
            },
            "unknown field": {**good, "transaction_id": "H3", "surprise": True},
            "bad currency": {**good, "transaction_id": "H4", "currency": "usd"},
            "no record type": {"transaction_id": "H5"},
            "void without original": {
                "record_type": "transaction",
                "transaction_id": "H6",
                "kind": "void",
                "store_id": "S1",
                "business_date": "2026-11-02",
                "created_at": "2026-11-02T10:00:00Z",
                "currency": "USD",
            },
            "void of an unknown sale": {
                "record_type": "transaction",
                "transaction_id": "H7",
                "kind": "void",
                "store_id": "S1",
                "business_date": "2026-11-02",
                "created_at": "2026-11-02T10:00:00Z",
                "currency": "USD",
                "original_transaction_id": "NEVER-SEEN",
            },
            "bad date": {**good, "transaction_id": "H8", "business_date": "2026-13-40"},
        }
        events = self.receive(list(cases.values()))
        self.assertEqual(len(events), len(cases))
        events._process_job()
        for (label, __), event in zip(cases.items(), events, strict=True):
            # a void of a sale not here yet waits for it; every other one is refused
            self.assertIn(
                (event.state, event.error_class),
                (("failed", "payload"), ("waiting", "retryable")),
                label,
            )
            self.assertTrue(event.error_message, label)
        self.assertEqual(events[-2].state, "waiting", "the void of an unknown sale waits")
        self.assertFalse(self.env["omni.order"].search([("backend_id", "=", self.backend.id)]))
        self.assertFalse(self.env["omni.store.day"].search([("backend_id", "=", self.backend.id)]))

    def test_unmapped_store_when_creation_is_off(self):
        backend = self.make_backend("Strict stores", pos_create_locations=False)
        events = self.receive(self.world.transactions[:1], backend)
        events._process_job()
        self.assertEqual(events.state, "failed")
        self.assertEqual(events.error_class, "mapping")
        store = self.env["omni.location"].create(
            {"backend_id": backend.id, "external_id": "S1", "name": "Main", "kind": "store"}
        )
        self.env["omni.location"].create(
            {
                "backend_id": backend.id,
                "external_id": "S1-R1",
                "name": "Till 1",
                "kind": "register",
                "parent_id": store.id,
            }
        )
        events.action_retry()
        events._process_job()
        self.assertEqual(events.state, "done", events.error_message)

    def test_several_z_reports_of_one_day_add_up(self):
        """A till closing two sessions a day declares their sum; a replayed Z counts once."""
        self.import_world()
        first = self.world.z_reports[0]
        register, day = first["register_id"], first["business_date"]
        before = self.store_day_facts()
        second = dict(
            first,
            z_id=first["z_id"] + "-2",
            closed_at=day + "T20:00:00Z",
            tenders=[{"type": "cash", "amount": "12.40", "count": 1}],
            total="12.40",
            transaction_count=1,
        )
        for __ in range(2):  # the second time, a replay with a new delivery id
            self.receive([second], source="webhook")
            self.process()
            self.env.invalidate_all()
            after = self.store_day_facts()
            z_before = before[(register, day, "cash")][0]
            self.assertEqual(after[(register, day, "cash")][0], z_before + Decimal("12.40"))
            self.assertEqual(after[(register, day, "card")], before[(register, day, "card")])
        store_day = self.env["omni.store.day"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("location_id.external_id", "=", register),
                ("business_date", "=", day),
            ]
        )
        self.assertEqual(set(store_day.pos_z_reports), {first["z_id"], second["z_id"]})
