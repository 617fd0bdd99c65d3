"""The shared importer fed canonical returns directly: goods follow returns (a validated
return receipt per processed unit, once), money follows refunds (a refund naming a return
books its credit note only), exchange items become sale lines; nothing is half-written."""

import dataclasses
from datetime import datetime, timezone
from decimal import Decimal

from odoo.tests import tagged

from odoo.addons.omni_connector_base.tools import canonical
from odoo.addons.omni_connector_base.tools.errors import MappingError, PayloadError

from ..parser import parse_order
from .common import ORDER, OmniTestChannelCase, order_payload

D = Decimal
CREATED = datetime(2026, 11, 3, 9, 0, tzinfo=timezone.utc)


def a_return(
    status="CLOSED", processed="1", lines=None, exchange=(), ext="RET-1", order="1001", refunds=()
):
    return canonical.Return(
        external_id=ext,
        order_external_id=order,
        name=f"#1001-{ext}",
        status=status,
        lines=tuple(lines)
        if lines is not None
        else (
            canonical.ReturnLine(
                external_id=f"{ext}-L1",
                order_line_external_id="L1",
                quantity=D("2"),
                processed_quantity=D(processed),
                reason="SIZE_TOO_SMALL",
            ),
        ),
        exchange_lines=tuple(exchange),
        refund_external_ids=tuple(refunds),
        created_at=CREATED,
        closed_at=CREATED if status == "CLOSED" else None,
    )


def exchange_line(ext="X1", sku="OMNI-B", price="7.35", qty="1", tax="1.47"):
    return canonical.OrderLine(
        external_id=ext,
        name="Widget B (exchange)",
        quantity=D(qty),
        price_unit=D(price),
        sku=sku,
        taxes=(canonical.TaxLine(title="VAT", rate=D("0.2"), amount=D(tax)),),
    )


@tagged("post_install", "-at_install")
class TestReturns(OmniTestChannelCase):
    def setUp(self):
        super().setUp()
        self.importer = self.env["omni.importer"]
        event = self.deliver(order_payload(financial_status="paid", fulfillment_status="fulfilled"))
        self.assertEqual(event.state, "done", event.error_message)
        self.order = self.omni_order()
        self.sale_order = self.order.sale_order_id
        self.assertEqual(set(self.sale_order.picking_ids.mapped("state")), {"done"})

    def receipts(self):
        return self.sale_order.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")

    def returns(self):
        return self.env["omni.return"].search([("backend_id", "=", self.backend.id)])

    def test_closed_return_takes_processed_goods_back_once(self):
        stock = self.product_a.qty_available
        record = self.importer.import_return(self.backend, a_return(processed="1"))
        self.assertEqual(
            (record.state, record.channel_status, record.omni_order_id, record.sale_order_id),
            ("closed", "CLOSED", self.order, self.sale_order),
        )
        line = record.line_ids
        self.assertEqual(
            (line.quantity, line.quantity_processed, line.quantity_restocked, line.reason),
            (2, 1, 1, "SIZE_TOO_SMALL"),
        )
        self.assertEqual(line.sale_line_id.product_id, self.product_a)
        receipt = self.receipts()
        self.assertEqual(record.picking_ids, receipt)
        self.assertEqual((receipt.state, receipt.move_ids.quantity), ("done", 1))
        self.assertEqual(set(receipt.move_ids.mapped("omni_external_ref")), {"RET-1"})
        self.assertEqual(self.product_a.qty_available, stock + 1)
        self.assertFalse(record.sync_note)
        self.assertEqual(self.order.return_ids, record)
        # Replays change nothing.
        for __ in range(2):
            self.importer.import_return(self.backend, a_return(processed="1"))
        self.assertEqual(len(self.receipts()), 1)
        self.assertEqual(self.returns(), record)
        self.assertEqual(len(record.line_ids), 1)
        # One more unit processed: only that unit comes back.
        self.importer.import_return(self.backend, a_return(processed="2"))
        self.assertEqual(len(self.receipts()), 2)
        self.assertEqual(line.quantity_restocked, 2)
        self.assertEqual(self.product_a.qty_available, stock + 2)
        # The channel going back on its count: what is in stock stays, with a note.
        self.importer.import_return(self.backend, a_return(processed="1"))
        self.assertEqual(len(self.receipts()), 2)
        self.assertEqual((line.quantity_processed, line.quantity_restocked), (1, 2))
        self.assertIn("left there", record.sync_note)

    def test_more_processed_than_delivered_is_capped_with_a_note(self):
        ret = a_return(
            lines=[
                canonical.ReturnLine(
                    external_id="RET-1-L1",
                    order_line_external_id="L1",
                    quantity=D("3"),
                    processed_quantity=D("3"),
                )
            ]
        )
        record = self.importer.import_return(self.backend, ret)
        self.assertEqual(record.line_ids.quantity_restocked, 2)  # 2 were delivered
        self.assertEqual(self.receipts().move_ids.quantity, 2)
        self.assertIn("not taken back", record.sync_note)
        self.importer.import_return(self.backend, ret)
        self.assertEqual(len(self.receipts()), 1)

    def test_requested_and_declined_returns_move_nothing(self):
        record = self.importer.import_return(
            self.backend, a_return("REQUESTED", processed="0", exchange=[exchange_line()])
        )
        self.assertEqual(record.state, "requested")
        self.assertEqual(record.line_ids.quantity_restocked, 0)
        self.assertFalse(self.receipts())
        self.assertFalse(record.exchange_line_ids)
        lines = len(self.sale_order.order_line)
        record = self.importer.import_return(
            self.backend, a_return("DECLINED", processed="0", exchange=[exchange_line()])
        )
        self.assertEqual(record.state, "declined")
        self.assertFalse(self.receipts())
        self.assertEqual(len(self.sale_order.order_line), lines)
        self.assertEqual(len(self.returns()), 1)

    def test_refund_of_a_return_books_money_only(self):
        self.importer.import_return(self.backend, a_return(processed="1", refunds=["R-1"]))
        refund = canonical.Refund(
            external_id="R-1",
            order_external_id="1001",
            currency="EUR",
            amount=D("12.00"),
            lines=(canonical.RefundLine("L1", D("1"), D("12.00"), restock=True),),
            return_external_id="RET-1",
        )
        self.importer.import_refund(self.backend, refund)
        credit_note = self.order.credit_note_ids
        self.assertEqual((credit_note.state, credit_note.omni_external_ref), ("posted", "R-1"))
        self.assertAmount(credit_note.amount_total, "12.00")
        self.assertEqual(len(self.receipts()), 1, "the return took the unit back, not the refund")
        record = self.returns()
        self.assertEqual(record.credit_note_ids, credit_note)
        # A refund without a return still restocks as before.
        plain = dataclasses.replace(refund, external_id="R-2", return_external_id="")
        self.importer.import_refund(self.backend, plain)
        self.assertEqual(len(self.receipts()), 2)

    def test_refund_before_its_return_is_linked_when_the_return_arrives(self):
        refund = canonical.Refund(
            external_id="R-1",
            order_external_id="1001",
            currency="EUR",
            amount=D("12.00"),
            lines=(canonical.RefundLine("L1", D("1"), D("12.00"), restock=True),),
            return_external_id="RET-1",
        )
        self.importer.import_refund(self.backend, refund)
        self.assertFalse(self.receipts())
        record = self.importer.import_return(self.backend, a_return(processed="1"))
        self.assertEqual(len(self.receipts()), 1)
        self.assertFalse(record.credit_note_ids)  # the channel's return did not name it
        self.importer.import_return(self.backend, a_return(processed="1", refunds=["R-1"]))
        self.assertEqual(record.credit_note_ids, self.order.credit_note_ids)

    def test_exchange_item_becomes_a_sale_line_and_is_delivered(self):
        lines = self.sale_order.order_line
        total = self.sale_order.amount_total
        returned = self.order.line_ids.filtered(lambda ln: ln.external_id == "L1").sale_line_id
        ordered = returned.product_uom_qty
        unit_total = returned.price_total / ordered
        price, discount = returned.price_unit, returned.discount
        record = self.importer.import_return(
            self.backend, a_return("OPEN", processed="1", exchange=[exchange_line()])
        )
        new_line = self.sale_order.order_line - lines
        self.assertEqual(len(new_line), 1)
        self.assertEqual(
            (
                new_line.product_id,
                new_line.product_uom_qty,
                round(new_line.price_unit, 2),
                new_line.tax_id,
            ),
            (self.product_b, 1, 7.35, self.vat20),
        )
        # a swap within the order: the unit that came back leaves its line, at its price
        self.assertEqual(record.line_ids.quantity_exchanged, 1)
        self.assertEqual(
            (returned.product_uom_qty, returned.price_unit, returned.discount),
            (ordered - 1, price, discount),
        )
        self.assertAlmostEqual(self.sale_order.amount_total, total - unit_total + 8.82, places=2)
        exchange = record.exchange_line_ids
        self.assertEqual((exchange.external_id, exchange.sale_line_id), ("X1", new_line))
        self.assertEqual(exchange.order_id, self.order)
        delivery = new_line.move_ids.picking_id
        self.assertEqual(delivery.picking_type_code, "outgoing")
        self.assertNotEqual(delivery.state, "done")
        self.assertEqual(new_line.move_ids.omni_external_ref, "1001")
        # Closing the return (and replays) adds nothing more.
        for __ in range(2):
            self.importer.import_return(
                self.backend, a_return("CLOSED", processed="1", exchange=[exchange_line()])
            )
        self.assertEqual(self.sale_order.order_line - lines, new_line)
        self.assertEqual(len(self.order.line_ids.filtered("return_id")), 1)
        # The exchanged item can itself be returned later.
        second = a_return(
            ext="RET-2",
            lines=[
                canonical.ReturnLine(
                    external_id="RET-2-L1",
                    order_line_external_id="X1",
                    quantity=D("1"),
                    processed_quantity=D("1"),
                )
            ],
        )
        record2 = self.importer.import_return(self.backend, second)
        self.assertEqual(record2.line_ids.sale_line_id, new_line)

    def test_exchange_with_a_discount_and_a_missing_product(self):
        lines = self.sale_order.order_line
        bad = exchange_line(ext="X9", sku="NOPE-404")
        with self.assertRaises(MappingError) as caught:
            with self.env.cr.savepoint():
                self.importer.import_return(
                    self.backend, a_return("OPEN", exchange=[exchange_line(), bad])
                )
        self.assertIn("NOPE-404", str(caught.exception))
        self.assertFalse(self.returns())
        self.assertEqual(self.sale_order.order_line, lines)
        self.assertFalse(self.receipts())
        discounted = dataclasses.replace(
            exchange_line(price="999.99", tax="179.99"), discount_amount=D("100.01")
        )
        self.importer.import_return(self.backend, a_return("OPEN", exchange=[discounted]))
        added = self.sale_order.order_line - lines
        # 100.01 of 999.99 is no exact percentage: a discount line keeps the total exact
        self.assertEqual(len(added), 2)
        self.assertAmount(sum(added.mapped("price_subtotal")), "899.98")
        self.assertEqual(added.tax_id, self.vat20)

    def test_unknown_order_or_line_fails_and_writes_nothing(self):
        with self.assertRaises(MappingError) as caught:
            self.importer.import_return(self.backend, a_return(order="404"))
        self.assertEqual(caught.exception.kind, "order")
        self.assertIn("404", str(caught.exception))
        self.assertIn("RET-1", str(caught.exception))
        bad_line = canonical.ReturnLine(
            external_id="RET-1-L9",
            order_line_external_id="L404",
            quantity=D("1"),
            processed_quantity=D("1"),
        )
        good_line = a_return().lines[0]
        with self.assertRaises(MappingError) as caught:
            with self.env.cr.savepoint():
                self.importer.import_return(
                    self.backend,
                    a_return(lines=[good_line, bad_line], exchange=[exchange_line()]),
                )
        self.assertEqual(caught.exception.kind, "order_line")
        self.assertIn("L404", str(caught.exception))
        self.assertFalse(self.returns())
        self.assertFalse(self.receipts())
        self.assertFalse(self.order.line_ids.filtered("return_id"))
        with self.assertRaises(PayloadError):
            self.importer.import_return(self.backend, a_return(status="TELEPORTED"))
        with self.assertRaises(PayloadError):
            self.importer.import_return(self.backend, a_return(processed="-1"))
        self.assertFalse(self.returns())

    def test_order_with_returns_in_a_batch_gives_what_one_by_one_gives(self):
        payload = dict(
            ORDER, id="2002", name="#2002", financial_status="paid", fulfillment_status="fulfilled"
        )
        order = parse_order(payload)
        ret = dataclasses.replace(
            a_return(processed="1", exchange=[exchange_line()]), order_external_id="2002"
        )
        order = dataclasses.replace(order, returns=(ret,))
        context = self.importer._batch_context()
        batch_importer = self.importer.with_context(**context)
        links = batch_importer.import_order(self.backend, order)
        self.assertFalse(self.env["omni.order"].browse(links["omni_order_id"]).sale_order_id)
        batch_importer._flush_batch()
        omni_order = self.omni_order("2002")
        sale_order = omni_order.sale_order_id
        record = omni_order.return_ids
        self.assertEqual((record.state, record.line_ids.quantity_restocked), ("closed", 1))
        receipts = sale_order.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        self.assertEqual((receipts.state, receipts.move_ids.quantity), ("done", 1))
        self.assertEqual(len(record.exchange_line_ids), 1)
        self.assertEqual(len(sale_order.order_line), len(self.sale_order.order_line) + 1)
        # The same order again: unchanged, nothing added.
        self.importer.import_order(self.backend, order)
        self.assertEqual(len(omni_order.return_ids), 1)
        self.assertEqual(
            len(sale_order.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")), 1
        )


def return_payload(event_id, order="1001", processed="1"):
    ret = {
        "id": "RET-9",
        "order_id": order,
        "status": "CLOSED",
        "lines": [{"id": "RET-9-L1", "line_id": "L1", "quantity": "1", "processed": processed}],
    }
    return {"id": event_id, "topic": "return", "return": ret}


@tagged("post_install", "-at_install")
class TestReturnEvents(OmniTestChannelCase):
    """Returns through events: planned like the rest, their goods moved at the flush."""

    def test_what_the_flush_could_not_do_is_the_event_note(self):
        self.deliver(order_payload(financial_status="paid"))  # not delivered yet
        event = self.deliver(return_payload("evt-ret"))
        self.assertEqual(event.state, "done", event.error_message)
        record = self.env["omni.return"].search([("external_id", "=", "RET-9")])
        self.assertIn("not taken back", record.sync_note)
        self.assertEqual(event.result_note, record.sync_note)

    def test_return_of_an_order_of_the_same_batch(self):
        payloads = [
            order_payload("evt-o", financial_status="paid", fulfillment_status="fulfilled"),
            return_payload("evt-ret"),
        ]
        events = self.env["omni.event"]
        for payload in payloads:
            events |= self.receive(payload)[0]
        self.assertIsNone(events._try_batch())
        record = self.env["omni.return"].search([("external_id", "=", "RET-9")])
        self.assertEqual(record.omni_order_id, self.omni_order())
        self.assertEqual(record.line_ids.quantity_restocked, 1)
        self.assertEqual(record.picking_ids.state, "done")
        self.assertFalse(record.sync_note)
        self.assertEqual(events.mapped("result_note"), [False, False])
