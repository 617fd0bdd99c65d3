"""What counts as a gap: net quantities and amounts, per-line invoicing, refunds of no goods,
money that did not move, orders imported twice, the processor's amount, the bank's lines,
orders that could not be imported. Each case goes in through the public ways (the importer,
the test channel's webhook, Odoo's own wizards and bank statement lines) and the run must
report exactly the expected exceptions, with their amounts."""

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.omni_connector_base.tools import canonical

from .common import ReconScenarioCase


def _money(value):
    return Decimal(str(value))


@tagged("post_install", "-at_install")
class TestReconGaps(ReconScenarioCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.utcnow = datetime.now(timezone.utc)
        cls.importer = cls.env["omni.importer"]
        cls.processor = cls.make_backend("Card processor")
        cls.backend.payout_journal_id = cls.bank_journal
        cls.expected = set()  # (exception key, amount)
        cls._net_quantities()
        cls._consolidated_billing()
        cls._refunds_of_no_goods()
        cls._manual_gateways()
        cls._imported_twice()
        cls._processor_amounts()
        cls._bank_lines()
        cls._unmapped_orders()
        cls._foreign_currency_payment()

    # ------------------------------------------------------------------ public ways in
    @classmethod
    def expect(cls, kind, record, amount, etype=None):
        etype = etype or kind.split(":")[0]
        cls.expected.add((f"{etype}:{kind.split(':', 1)[1]}:{record.id}", round(amount, 2)))

    @classmethod
    def movement(cls, amount, order=None, backend=None, days_ago=1, payout=None, **vals):
        """One processor movement through the importer; returns its record."""
        backend = backend or cls.backend
        payment = canonical.Payment(
            **{
                "external_id": cls._next("TX"),
                "payment_type": "charge",
                "amount": _money(amount),
                "currency": cls.currency.name,
                "status": "succeeded",
                "order_external_id": order.external_id if order else "",
                "created_at": cls.utcnow - timedelta(days=days_ago),
                **vals,
            }
        )
        if payout:
            return cls.import_payout(payout, payments=(payment,)).payment_ids.filtered(
                lambda p: p.external_id == payment.external_id
            )
        return cls.importer.import_payments(backend, [payment])

    @classmethod
    def import_payout(cls, external_id, amount=None, status="in_transit", days_ago=1, payments=()):
        total = sum((p.amount for p in payments), Decimal(0)) if amount is None else amount
        return cls.importer.import_payout(
            cls.backend,
            canonical.Payout(
                external_id=external_id,
                amount=_money(total),
                currency=cls.currency.name,
                status=status,
                arrival_date=cls.utcnow - timedelta(days=days_ago),
                payments=tuple(payments),
            ),
        )

    @classmethod
    def bank_line(cls, amount, label):
        """A bank statement line, as Odoo's own bank import writes it."""
        return cls.env["account.bank.statement.line"].create(
            {
                "journal_id": cls.bank_journal.id,
                "amount": amount,
                "payment_ref": label,
                "date": fields.Date.today(),
            }
        )

    @classmethod
    def invoice_with_wizard(cls, sale_orders):
        """Odoo's 'Create invoices' of the selected sale orders (one invoice per customer)."""
        wizard = (
            cls.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=sale_orders.ids)
            .create({"advance_payment_method": "delivered"})
        )
        wizard.create_invoices()
        moves = sale_orders.invoice_ids.filtered(lambda m: m.state == "draft")
        moves.action_post()
        return moves

    @classmethod
    def credit_note(cls, invoice, quantity):
        """Odoo's 'Credit note' of an invoice, for ``quantity`` of its first line."""
        reversal = (
            cls.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "returned"})
        )
        refund = cls.env["account.move"].browse(reversal.refund_moves()["res_id"])
        refund.invoice_line_ids[0].quantity = quantity
        refund.action_post()
        return refund

    @classmethod
    def order_with_sale(cls, total, confirm=False, **vals):
        order = cls.omni_order(total, **vals)
        cls.sale_order(order, total, confirm=confirm)
        return order

    # ------------------------------------------------------------------ the cases
    @classmethod
    def _net_quantities(cls):
        goods = cls.goods
        # 2 delivered and invoiced, 1 returned with Odoo's credit note and refunded
        cls.returned = cls.omni_order(80.0, amount_refunded=40.0)
        so = cls.sale_order(cls.returned, 40.0, qty=2, product=goods, age_days=10)
        cls.deliver(so)
        cls.credit_note(cls.invoice(so), 1)
        cls.return_goods(so, 1)
        cls.movement(80.0, cls.returned)
        cls.movement(-40.0, cls.returned, payment_type="refund")
        # invoiced on delivery: 3 delivered and invoiced, 1 returned, credited by Odoo's
        # own 'Create invoices' (a credit note for the returned unit), refunded
        by_delivery = cls.env["product.product"].create(
            {
                "name": "Recon Goods on delivery",
                "detailed_type": "product",
                "invoice_policy": "delivery",
                "taxes_id": [Command.clear()],
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            by_delivery, cls.warehouse.lot_stock_id, 10
        )
        order = cls.omni_order(60.0, amount_refunded=20.0)
        so = cls.sale_order(order, 20.0, qty=3, product=by_delivery, age_days=10)
        cls.deliver(so)
        cls.invoice_with_wizard(so)
        cls.return_goods(so, 1)
        credit = cls.invoice_with_wizard(so)
        assert credit.move_type == "out_refund", credit.move_type
        cls.movement(60.0, order)
        cls.movement(-20.0, order, payment_type="refund")
        # control: one of two units never left
        order = cls.omni_order(50.0)
        so = cls.sale_order(order, 25.0, qty=2, product=goods, age_days=10)
        cls.deliver(so, qty=1)
        cls.invoice(so)
        cls.movement(50.0, order)
        cls.expect("undelivered:order", order, 25.0)

    @classmethod
    def _consolidated_billing(cls):
        # one invoice for two orders of one customer
        first, second = cls.omni_order(30.0), cls.omni_order(70.0)
        sale_orders = cls.sale_order(first, 30.0, age_days=10) | cls.sale_order(
            second, 70.0, age_days=10
        )
        invoice = cls.invoice_with_wizard(sale_orders)
        assert len(invoice) == 1 and invoice.amount_total == 100.0, invoice
        cls.movement(30.0, first)
        cls.movement(70.0, second)
        # one invoice for two orders, one of them booked 5 below the channel's total
        first, second = cls.omni_order(40.0), cls.omni_order(60.0)
        sale_orders = cls.sale_order(first, 40.0, age_days=10) | cls.sale_order(
            second, 55.0, age_days=10
        )
        cls.invoice_with_wizard(sale_orders)
        cls.movement(40.0, first)
        cls.movement(60.0, second)
        cls.expect("amount_mismatch:order", second, 5.0)

    @classmethod
    def _refund(cls, order, amount, **vals):
        cls.importer.import_refund(
            cls.backend,
            canonical.Refund(
                external_id=cls._next("R"),
                order_external_id=order.external_id,
                currency=cls.currency.name,
                amount=_money(amount),
                **{key: _money(value) for key, value in vals.items()},
            ),
        )
        cls.movement(-amount, order, payment_type="refund")

    @classmethod
    def _refunds_of_no_goods(cls):
        for kind in ("shipping_amount", "adjustment_amount"):
            order = cls.omni_order(100.0)
            so = cls.sale_order(order, 100.0, product=cls.goods)
            cls.deliver(so)
            cls.invoice(so)
            cls.movement(100.0, order)
            cls._refund(order, 10.0, **{kind: 10.0})
        # controls: goods refunded and nothing back in stock, alone or with the shipping
        for refunded, shipping in ((30.0, 0.0), (25.0, 10.0)):
            order = cls.omni_order(100.0)
            so = cls.sale_order(order, 100.0, product=cls.goods)
            cls.deliver(so)
            cls.invoice(so)
            cls.movement(100.0, order)
            cls._refund(order, refunded, **({"shipping_amount": shipping} if shipping else {}))
            cls.expect("refund_without_return:order", order, refunded - shipping)

    @classmethod
    def _manual_gateways(cls):
        for amount, gateway in ((100.0, "manual"), (45.0, " Cash on Delivery (COD) ")):
            order = cls.order_with_sale(amount)
            pay = cls.movement(amount, order, days_ago=10, processor=gateway)
            cls.expect("payment_not_received:payment", pay, amount)
        # controls: settled by a payout; within the grace; a card charge
        order = cls.order_with_sale(60.0)
        cls.movement(60.0, order, days_ago=10, processor="bank deposit", payout="PO-MANUAL")
        order = cls.order_with_sale(20.0)
        cls.movement(20.0, order, days_ago=1, processor="manual")
        order = cls.order_with_sale(80.0)
        cls.movement(80.0, order, days_ago=10, processor="stripe")

    @classmethod
    def _imported_twice(cls):
        again = cls.make_backend("Recon channel, connected again")
        for total in (50.0, 75.0):
            ref = cls._next("SHOP")
            cls.order_with_sale(total, ref=ref)
            twice = cls.order_with_sale(total, ref=ref, backend=again)
            cls.expect("duplicate_order:imported_twice", twice, total)
        # control: another shop's order that has the same id but its own name
        ref = cls._next("SHOP")
        cls.order_with_sale(40.0, ref=ref)
        cls.order_with_sale(40.0, ref=ref, backend=again, name="#other-shop")

    @classmethod
    def _processor_amounts(cls):
        # the channel's transaction names the processor's charge, captured 3 short
        order = cls.order_with_sale(100.0)
        cls.movement(100.0, order, processor_reference="ch_short")
        twin = cls.movement(97.0, backend=cls.processor, processor_reference="ch_short")
        assert twin.order_id == order, twin.order_id
        cls.expect("processor_amount_mismatch:payment", twin, 3.0)
        # the processor's balance transaction points at the order transaction, 2 over
        order = cls.order_with_sale(50.0)
        own = cls.movement(50.0, order)
        twin = cls.movement(52.0, order, processor_reference=own.external_id)
        cls.expect("processor_amount_mismatch:payment", twin, 2.0)
        # control: the same amount at both
        order = cls.order_with_sale(40.0)
        cls.movement(40.0, order, processor_reference="ch_same")
        cls.movement(40.0, backend=cls.processor, processor_reference="ch_same")

    @classmethod
    def _bank_lines(cls):
        # lines on the payout journal that no payout explains
        for amount, label in ((123.45, "Deposit 778"), (-15.0, "Bank fee")):
            line = cls.bank_line(amount, label)
            cls.expect("bank_line_unmatched:line", line, abs(amount))
        # payouts whose bank line has another amount: named by its label, or linked by hand
        payout = cls.import_payout("po_short", 200.0, status="paid", days_ago=5)
        cls.bank_line(199.5, "STRIPE PAYOUT po_short")
        cls.expect("payout_bank_mismatch:payout", payout, 0.5)
        payout = cls.import_payout("po_linked", 300.0, status="paid", days_ago=5)
        payout.statement_line_id = cls.bank_line(290.0, "Transfer 3391")
        cls.expect("payout_bank_mismatch:payout", payout, 10.0)
        # control: a payout and its line, matched by the payouts' own bank matching
        payout = cls.import_payout("po_exact", 150.0, status="paid", days_ago=1)
        cls.bank_line(150.0, "STRIPE PAYOUT po_exact")
        payout.action_match_bank_statement()
        assert payout.statement_line_id, "the control payout is matched"

    @classmethod
    def _unmapped_orders(cls):
        for ref, charges in (("U-1", (36.52,)), ("U-2", (20.0, 15.0))):
            cls.receive_order(ref, sku="NO-SUCH-SKU")
            event = cls.env["omni.event"].search(
                [("backend_id", "=", cls.backend.id), ("external_id", "=", ref)]
            )
            assert event.error_class == "mapping", event.error_message
            for amount in charges:
                cls.importer.import_payments(
                    cls.processor,
                    [
                        canonical.Payment(
                            external_id=cls._next("ch"),
                            payment_type="charge",
                            amount=_money(amount),
                            currency=cls.currency.name,
                            status="succeeded",
                            order_external_id=ref,
                            created_at=cls.utcnow - timedelta(days=1),
                        )
                    ],
                )
            cls.expect("unmapped:event", event, sum(charges))
        # control: a charge naming no order at all is an orphan
        pay = cls.movement(45.0, order_external_id="NO-ORDER")
        cls.expect("orphan_payment:payment", pay, 45.0)

    @classmethod
    def receive_order(cls, ref, sku):
        payload = {
            "id": f"evt-{ref}",
            "topic": "order",
            "order": {
                "id": ref,
                "name": f"#{ref}",
                "currency": cls.currency.name,
                "created_at": (cls.utcnow - timedelta(days=1)).isoformat(),
                "updated_at": (cls.utcnow - timedelta(days=1)).isoformat(),
                "customer": {"id": "C-GAPS", "email": "gaps@example.com", "name": "Gaps"},
                "lines": [
                    {"id": "L1", "sku": sku, "name": "Unknown", "quantity": "1", "price": "36.52"}
                ],
                "total": "36.52",
            },
        }
        vals_list = cls.backend._omni_webhook_events(json.dumps(payload).encode(), {})
        new, known = cls.env["omni.event"]._receive(cls.backend, vals_list, "webhook")
        (new or known)._process_job()

    @classmethod
    def _foreign_currency_payment(cls):
        usd = cls.env.ref("base.USD")
        other = usd if cls.currency != usd else cls.env.ref("base.EUR")
        other.active = True
        # 100 in another currency than the order's is no payment of it
        order = cls.order_with_sale(100.0, financial_state="paid")
        cls.movement(100.0, order, currency=other.name)
        cls.expect("underpaid:order", order, 100.0)

    # ------------------------------------------------------------------ the run
    def found(self):
        excs = self.env["omni.recon.exception"].search(
            [("company_id", "=", self.company.id), ("state", "=", "open")]
        )
        return {(exc.key, round(exc.amount, 2)) for exc in excs}

    def test_exactly_the_gaps(self):
        self.run_recon()
        found = self.found()
        self.assertEqual(found - self.expected, set(), "false positives")
        self.assertEqual(self.expected - found, set(), "missed gaps")

    def test_new_types_name_their_records(self):
        self.run_recon()
        Exception_ = self.env["omni.recon.exception"]
        mismatch = Exception_.search([("exception_type", "=", "payout_bank_mismatch")])
        self.assertEqual(
            sorted(mismatch.omni_payout_id.mapped("external_id")), ["po_linked", "po_short"]
        )
        self.assertIn("199.5", " ".join(mismatch.mapped("name")))
        unmatched = Exception_.search([("exception_type", "=", "bank_line_unmatched")])
        self.assertEqual(len(unmatched.move_id), 2)
        not_received = Exception_.search([("exception_type", "=", "payment_not_received")])
        self.assertEqual(
            set(not_received.omni_payment_id.mapped("processor")),
            {"manual", " Cash on Delivery (COD) "},
        )
        processor = Exception_.search([("exception_type", "=", "processor_amount_mismatch")])
        self.assertEqual(len(processor.omni_order_id), 2)
