"""Odoo's own Point of Sale as a channel: real sessions and orders made through the ORM the
way point_of_sale's own tests make them, mirrored into omni.order / omni.payment exactly once,
never booked a second time, and session closings kept as store-day facts."""

from decimal import Decimal

from odoo import fields
from odoo.tests import TransactionCase, tagged

from odoo.addons.omni_connector_base.tests.common import cents


@tagged("post_install", "-at_install")
class TestOdooPosMirror(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        company = cls.env.company
        Account = cls.env["account.account"]
        cls.cash_journal = cls.env["account.journal"].create(
            {
                "name": "Omni till cash",
                "code": "OTC",
                "type": "cash",
                "company_id": company.id,
                "loss_account_id": Account.create(
                    {"name": "Cash short", "code": "658900", "account_type": "expense"}
                ).id,
                "profit_account_id": Account.create(
                    {"name": "Cash over", "code": "758900", "account_type": "income"}
                ).id,
            }
        )
        bank_journal = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
        )
        cls.cash_pm = cls.env["pos.payment.method"].create(
            {"name": "Omni cash", "journal_id": cls.cash_journal.id, "company_id": company.id}
        )
        cls.card_pm = cls.env["pos.payment.method"].create(
            {"name": "Omni card", "journal_id": bank_journal.id, "company_id": company.id}
        )
        cls.config = cls.env["pos.config"].create(
            {
                "name": "Omni register",
                "payment_method_ids": [(6, 0, (cls.cash_pm | cls.card_pm).ids)],
            }
        )
        # Each register has a cash method of its own (point_of_sale's rule).
        cls.other_cash_pm = cls.cash_pm.copy(
            {"name": "Other cash", "journal_id": cls.cash_journal.copy({"code": "OTC2"}).id}
        )
        cls.other_config = cls.env["pos.config"].create(
            {"name": "Not mirrored", "payment_method_ids": [(6, 0, cls.other_cash_pm.ids)]}
        )
        cls.tee, cls.mug = cls.env["product.product"].create(
            [
                {
                    "name": name,
                    "default_code": code,
                    "detailed_type": "consu",
                    "available_in_pos": True,
                    "list_price": price,
                    "taxes_id": [(5, 0, 0)],
                }
                for name, code, price in (
                    ("Till tee", "TILL-TEE", 20.0),
                    ("Till mug", "TILL-MUG", 7.5),
                )
            ]
        )
        cls.customer = cls.env["res.partner"].create({"name": "Known shopper"})
        cls.backend = cls.env["omni.backend"].create(
            {
                "name": "Own stores",
                "channel": "pos",
                "pos_source": "odoo",
                "pos_config_ids": [(6, 0, cls.config.ids)],
            }
        )
        cls.uid_seq = 0

    def open_session(self, config=None):
        config = config or self.config
        config.open_ui()
        session = config.current_session_id
        session.set_cashbox_pos(0, None)
        return session

    def make_order(self, session, lines, payments, customer=None, refund_of=None, invoice=False):
        """An order as the POS UI sends it (cf. point_of_sale/tests/common.py)."""
        type(self).uid_seq += 1
        uid = f"00099-{session.id:03d}-{self.uid_seq:04d}"
        now = fields.Datetime.to_string(fields.Datetime.now())
        order_lines = []
        for index, (product, qty) in enumerate(lines):
            price = product.lst_price
            vals = {
                "id": self.uid_seq * 100 + index,
                "product_id": product.id,
                "qty": qty,
                "price_unit": price,
                "price_subtotal": price * qty,
                "price_subtotal_incl": price * qty,
                "discount": 0.0,
                "tax_ids": [(6, 0, [])],
                "pack_lot_ids": [],
            }
            if refund_of:
                vals["refunded_orderline_id"] = refund_of.lines.filtered(
                    lambda line, p=product: line.product_id == p
                )[:1].id
            order_lines.append((0, 0, vals))
        total = sum(line[2]["price_subtotal_incl"] for line in order_lines)
        data = {
            "amount_paid": sum(amount for __, amount, __ in payments),
            "amount_return": 0,
            "amount_tax": 0,
            "amount_total": total,
            "date_order": now,
            "fiscal_position_id": False,
            "pricelist_id": session.config_id.pricelist_id.id,
            "lines": order_lines,
            "name": f"Order {uid}",
            "partner_id": customer.id if customer else False,
            "pos_session_id": session.id,
            "sequence_number": self.uid_seq,
            "statement_ids": [
                (
                    0,
                    0,
                    {
                        "amount": amount,
                        "name": now,
                        "payment_method_id": method.id,
                        "transaction_id": reference,
                    },
                )
                for method, amount, reference in payments
            ],
            "uid": uid,
            "user_id": self.env.uid,
            "to_invoice": invoice,
        }
        result = self.env["pos.order"].create_from_ui(
            [{"data": data, "id": uid, "to_invoice": invoice}]
        )
        return self.env["pos.order"].browse(result[0]["id"])

    def mirror(self):
        self.backend._pos_mirror_odoo()
        events = self.env["omni.event"].search(
            [("backend_id", "=", self.backend.id), ("state", "=", "received")]
        )
        events._process_job()
        bad = events.filtered(lambda e: e.state != "done")
        self.assertFalse(bad, bad.mapped("error_message"))
        return events

    def omni_orders(self):
        return self.env["omni.order"].search([("backend_id", "=", self.backend.id)])

    def test_orders_mirrored_once_and_never_booked_again(self):
        session = self.open_session()
        cash_sale = self.make_order(session, [(self.tee, 2)], [(self.cash_pm, 40.0, "")])
        card_sale = self.make_order(
            session,
            [(self.tee, 1), (self.mug, 2)],
            [(self.card_pm, 35.0, "ch_3OmniTill0001")],
            customer=self.customer,
        )
        split_sale = self.make_order(
            session, [(self.mug, 2)], [(self.cash_pm, 5.0, ""), (self.card_pm, 10.0, "")]
        )
        refund = self.make_order(
            session, [(self.tee, -1)], [(self.cash_pm, -20.0, "")], refund_of=cash_sale
        )
        ignored = self.make_order(
            self.open_session(self.other_config), [(self.mug, 1)], [(self.other_cash_pm, 7.5, "")]
        )
        moves_before = self.env["account.move"].search_count([])
        events = self.mirror()
        self.assertEqual(len(events), 4)
        orders = self.omni_orders()
        self.assertEqual(len(orders), 4)
        by_ref = {o.external_id: o for o in orders}
        self.assertNotIn(f"pos.order/{ignored.id}", by_ref)
        for pos_order in (cash_sale, card_sale, split_sale, refund):
            order = by_ref[f"pos.order/{pos_order.id}"]
            self.assertTrue(order.booked_in_odoo)
            self.assertFalse(order.sale_order_id, "POS booked it: no second sale order")
            self.assertEqual(cents(order.amount_total), cents(pos_order.amount_total))
            self.assertEqual(len(order.payment_ids), len(pos_order.payment_ids))
            self.assertEqual(
                sorted(cents(p.amount) for p in order.payment_ids),
                sorted(cents(p.amount) for p in pos_order.payment_ids),
            )
        self.assertEqual(by_ref[f"pos.order/{refund.id}"].financial_state, "refunded")
        self.assertEqual(by_ref[f"pos.order/{cash_sale.id}"].financial_state, "paid")
        # The terminal's transaction id follows the card payment (to its Stripe payout).
        card = by_ref[f"pos.order/{card_sale.id}"].payment_ids
        self.assertEqual(card.processor_reference, "ch_3OmniTill0001")
        self.assertEqual(card.payment_type, "charge")
        self.assertEqual(card.pos_tender, "card")
        self.assertEqual(by_ref[f"pos.order/{card_sale.id}"].partner_id, self.customer)
        self.assertEqual(
            by_ref[f"pos.order/{cash_sale.id}"].partner_id, self.backend.default_partner_id
        )
        # Store identity: the register under the warehouse's store, mapped to the warehouse.
        register = self.env["omni.location"]._find(self.backend, f"pos.config/{self.config.id}")
        self.assertEqual(register.kind, "register")
        warehouse = self.config.picking_type_id.warehouse_id
        self.assertEqual(register.parent_id.warehouse_id, warehouse)
        self.assertEqual(register._effective_warehouse(), warehouse)
        # Nothing booked by the mirror.
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)
        self.assertFalse(self.env["sale.order"].search([("omni_backend_id", "=", self.backend.id)]))
        # Re-runs mirror nothing twice.
        payments = self.env["omni.payment"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(len(payments), 5)
        self.assertFalse(self.mirror())
        self.assertFalse(self.mirror())
        self.assertEqual(self.omni_orders(), orders)
        self.assertEqual(
            self.env["omni.payment"].search([("backend_id", "=", self.backend.id)]), payments
        )

    def test_session_closing_is_a_store_day(self):
        session = self.open_session()
        self.make_order(session, [(self.tee, 1)], [(self.cash_pm, 20.0, "")])
        self.make_order(session, [(self.mug, 2)], [(self.card_pm, 15.0, "ch_3OmniTill0002")])
        self.make_order(session, [(self.mug, 1)], [(self.cash_pm, 7.5, "")])
        self.mirror()
        day = self.env["omni.store.day"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(len(day), 1)
        self.assertFalse(day.z_reported, "the session is still open")
        # Closing: 2.00 short in the drawer.
        session.post_closing_cash_details(27.5 - 2.0)
        result = session.close_session_from_ui()
        self.assertTrue(result.get("successful"), result)
        self.assertEqual(session.state, "closed")
        self.mirror()
        self.assertTrue(day.z_reported)
        self.assertEqual(day.external_id, f"pos.session/{session.id}")
        tenders = {t.tender: t for t in day.tender_ids}
        self.assertEqual(set(tenders), {"cash", "card"})
        self.assertEqual(cents(tenders["cash"].transactions_amount), Decimal("27.50"))
        self.assertEqual(cents(tenders["cash"].z_amount), Decimal("25.50"))
        self.assertEqual(cents(tenders["cash"].gap_amount), Decimal("-2.00"))
        self.assertEqual(tenders["cash"].transaction_count, 2)
        self.assertEqual(cents(tenders["card"].gap_amount), Decimal("0.00"))
        self.assertEqual(cents(day.gap_total), Decimal("-2.00"))
        # Orders turned "done" at closing: the same facts, nothing mirrored again.
        self.assertEqual(len(self.omni_orders()), 3)
        self.assertFalse(self.mirror())

    def test_invoiced_order(self):
        session = self.open_session()
        order = self.make_order(
            session,
            [(self.tee, 1)],
            [(self.card_pm, 20.0, "ch_3OmniTill0003")],
            customer=self.customer,
            invoice=True,
        )
        self.assertEqual(order.state, "invoiced")
        moves_before = self.env["account.move"].search_count([])
        self.mirror()
        mirrored = self.omni_orders()
        self.assertEqual(mirrored.external_id, f"pos.order/{order.id}")
        self.assertTrue(mirrored.booked_in_odoo)
        self.assertEqual(mirrored.financial_state, "paid")
        self.assertEqual(mirrored.partner_id, self.customer)
        self.assertEqual(mirrored.payment_ids.processor_reference, "ch_3OmniTill0003")
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)

    def test_cron_enqueues_the_mirror(self):
        from odoo.addons.queue_job.tests.common import trap_jobs

        with trap_jobs() as trap:
            self.env["omni.backend"]._cron_pos_pull()
        jobs = [(job.recordset, job.method_name) for job in trap.enqueued_jobs]
        self.assertIn((self.backend, "_pos_mirror_odoo"), jobs)
