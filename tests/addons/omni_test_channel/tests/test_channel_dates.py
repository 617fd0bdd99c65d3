"""Every document made from a channel fact carries the channel's date, not the time Odoo
imported it: the sale order its order date (kept through its confirmation), the deliveries
the time of the version saying the order is fulfilled, the credit note and the goods a
refund restocks the refund's date, a return's goods the time it closed. A channel clock
ahead of ours dates nothing in the future."""

import json
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import OmniTestChannelCase, order_payload, sign


def iso(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def refund_payload(event_id, created_at, restock=True):
    refund = {
        "id": "R-1",
        "order_id": "1001",
        "currency": "EUR",
        "amount": "12.00",
        "created_at": iso(created_at),
        "lines": [{"line_id": "L1", "quantity": "1", "restock": restock}],
    }
    return {"id": event_id, "topic": "refund", "refund": refund}


def return_payload(event_id, created_at, closed_at=None, status="CLOSED"):
    ret = {
        "id": "RET-1",
        "order_id": "1001",
        "status": status,
        "created_at": iso(created_at),
        "lines": [{"id": "RET-1-L1", "line_id": "L1", "quantity": "1", "processed": "1"}],
    }
    if closed_at:
        ret["closed_at"] = iso(closed_at)
    return {"id": event_id, "topic": "return", "return": ret}


class ChannelDatesCase(OmniTestChannelCase):
    def setUp(self):
        super().setUp()
        self.now = fields.Datetime.now().replace(microsecond=0)

    def days_ago(self, days, hours=0):
        return self.now - timedelta(days=days, hours=hours)

    def order(self, event_id, created, updated=None, **changes):
        return order_payload(
            event_id, created_at=iso(created), updated_at=iso(updated or created), **changes
        )

    def deliver_ok(self, payload):
        event = self.deliver(payload)
        self.assertEqual(event.state, "done", event.error_message)
        return event

    def fulfilled(self, placed, updated=None):
        """The sale order of an order paid and fulfilled as the channel first sends it."""
        payload = self.order(
            "evt-1", placed, updated, financial_status="paid", fulfillment_status="fulfilled"
        )
        return self.deliver_ok(payload).sale_order_id

    def pickings(self, sale_order, code):
        return sale_order.picking_ids.filtered(lambda p: p.picking_type_code == code)

    def assertDoneAt(self, pickings, when):
        """The pickings, their moves and move lines done at ``when``."""
        self.assertTrue(pickings)
        self.assertEqual(set(pickings.mapped("state")), {"done"})
        self.assertEqual(set(pickings.mapped("date_done")), {when})
        self.assertEqual(set(pickings.move_ids.mapped("date")), {when})
        self.assertEqual(set(pickings.move_ids.move_line_ids.mapped("date")), {when})


@tagged("post_install", "-at_install")
class TestChannelDates(ChannelDatesCase):
    def test_confirmed_order_keeps_the_channel_order_date(self):
        placed = self.days_ago(5)
        event = self.deliver_ok(self.order("evt-1", placed, financial_status="paid"))
        sale_order = event.sale_order_id
        self.assertEqual(sale_order.state, "sale")
        self.assertEqual(sale_order.date_order, placed)
        self.assertEqual(sale_order.omni_order_ids.channel_created_at, placed)

    def test_order_confirmed_by_a_later_version_keeps_its_date(self):
        placed = self.days_ago(6)
        event = self.deliver_ok(self.order("evt-1", placed))  # pending: a quotation
        sale_order = event.sale_order_id
        self.assertEqual((sale_order.state, sale_order.date_order), ("draft", placed))
        self.deliver_ok(self.order("evt-2", placed, self.days_ago(2), financial_status="paid"))
        self.assertEqual((sale_order.state, sale_order.date_order), ("sale", placed))

    def test_delivery_done_when_the_channel_says_fulfilled(self):
        placed, fulfilled = self.days_ago(6), self.days_ago(4, hours=3)
        event = self.deliver_ok(self.order("evt-1", placed, financial_status="paid"))
        sale_order = event.sale_order_id
        self.deliver_ok(
            self.order(
                "evt-2",
                placed,
                fulfilled,
                financial_status="paid",
                fulfillment_status="fulfilled",
            )
        )
        self.assertDoneAt(self.pickings(sale_order, "outgoing"), fulfilled)
        self.assertEqual(sale_order.date_order, placed)

    def test_order_imported_fulfilled_is_delivered_at_its_update_time(self):
        placed, updated = self.days_ago(5), self.days_ago(3)
        sale_order = self.fulfilled(placed, updated)
        self.assertEqual(sale_order.date_order, placed)
        self.assertDoneAt(self.pickings(sale_order, "outgoing"), updated)

    def test_refund_credit_note_and_restock_at_the_refund_date(self):
        fulfilled, refunded = self.days_ago(6), self.days_ago(2, hours=5)
        sale_order = self.fulfilled(self.days_ago(7), fulfilled)
        self.deliver_ok(refund_payload("evt-r", refunded))
        credit_note = self.omni_order().credit_note_ids
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.invoice_date, refunded.date())
        self.assertEqual(credit_note.date, refunded.date())
        self.assertDoneAt(self.pickings(sale_order, "incoming"), refunded)
        self.assertDoneAt(self.pickings(sale_order, "outgoing"), fulfilled)

    def test_refund_of_an_order_of_the_same_batch(self):
        """Order, fulfilment and refund in one job: each document its own date."""
        placed, fulfilled, refunded = self.days_ago(9), self.days_ago(8), self.days_ago(3)
        events = self.env["omni.event"]
        for payload in (
            self.order("evt-1", placed, financial_status="paid"),
            self.order(
                "evt-2", placed, fulfilled, financial_status="paid", fulfillment_status="fulfilled"
            ),
            refund_payload("evt-r", refunded),
        ):
            events |= self.receive(payload)[0]
        events._process_job()
        self.assertEqual(set(events.mapped("state")), {"done"}, events.mapped("error_message"))
        sale_order = self.omni_order().sale_order_id
        self.assertEqual(sale_order.date_order, placed)
        self.assertDoneAt(self.pickings(sale_order, "outgoing"), fulfilled)
        self.assertDoneAt(self.pickings(sale_order, "incoming"), refunded)
        self.assertEqual(self.omni_order().credit_note_ids.invoice_date, refunded.date())

    def test_orders_of_one_batch_keep_their_own_dates(self):
        first, second = self.days_ago(4), self.days_ago(2, hours=7)
        events = self.env["omni.event"]
        for event_id, external_id, when in (("evt-a", "A-1", first), ("evt-b", "B-1", second)):
            payload = self.order(
                event_id, when, financial_status="paid", fulfillment_status="fulfilled"
            )
            payload["order"].update(id=external_id, name=f"#{external_id}")
            events |= self.receive(payload)[0]
        events._process_job()
        self.assertEqual(set(events.mapped("state")), {"done"}, events.mapped("error_message"))
        for external_id, when in (("A-1", first), ("B-1", second)):
            sale_order = self.omni_order(external_id).sale_order_id
            self.assertEqual(sale_order.date_order, when)
            self.assertDoneAt(self.pickings(sale_order, "outgoing"), when)

    def test_closed_return_restocks_at_its_close_time(self):
        sale_order = self.fulfilled(self.days_ago(8), self.days_ago(7))
        closed = self.days_ago(1, hours=2)
        self.deliver_ok(return_payload("evt-ret", self.days_ago(3), closed))
        self.assertDoneAt(self.pickings(sale_order, "incoming"), closed)

    def test_open_return_restocks_at_its_request_time(self):
        """An open return carries no time for its goods but its request's."""
        sale_order = self.fulfilled(self.days_ago(8))
        requested = self.days_ago(3)
        self.deliver_ok(return_payload("evt-ret", requested, status="OPEN"))
        self.assertDoneAt(self.pickings(sale_order, "incoming"), requested)

    def test_channel_clock_ahead_dates_nothing_in_the_future(self):
        ahead = self.now + timedelta(days=2)
        sale_order = self.fulfilled(self.days_ago(1), ahead)
        self.deliver_ok(refund_payload("evt-r", ahead))
        after = fields.Datetime.now()
        for picking in sale_order.picking_ids:
            self.assertTrue(self.now <= picking.date_done <= after, picking.date_done)
            self.assertTrue(all(self.now <= d <= after for d in picking.move_ids.mapped("date")))
        self.assertEqual(len(sale_order.picking_ids), 2)
        self.assertLessEqual(self.omni_order().credit_note_ids.invoice_date, after.date())

    def test_refund_without_a_date_is_dated_when_imported(self):
        sale_order = self.fulfilled(self.days_ago(4))
        payload = refund_payload("evt-r", self.now)
        del payload["refund"]["created_at"]
        self.deliver_ok(payload)
        after = fields.Datetime.now()
        self.assertEqual(self.omni_order().credit_note_ids.invoice_date, after.date())
        restock = self.pickings(sale_order, "incoming")
        self.assertTrue(self.now <= restock.date_done <= after, restock.date_done)

    def test_unreadable_channel_date_writes_nothing(self):
        event = self.deliver(order_payload("evt-1", created_at="five days ago"))
        self.assertEqual(event.error_class, "payload")
        self.assertIn("five days ago", event.error_message)
        self.assertFalse(self.omni_order())
        self.assertFalse(self.env["sale.order"].search([("omni_backend_id", "=", self.backend.id)]))

    def test_channel_and_other_orders_confirmed_together(self):
        """Odoo's own confirmation of a mixed selection: the channel order keeps its date,
        the other gets the confirmation time as Odoo does."""
        placed = self.days_ago(5)
        channel_order = self.deliver_ok(self.order("evt-1", placed)).sale_order_id
        other = self.env["sale.order"].create(
            {
                "partner_id": channel_order.partner_id.id,
                "date_order": placed,
                "order_line": [
                    fields.Command.create({"product_id": self.product_a.id, "product_uom_qty": 1})
                ],
            }
        )
        (channel_order | other).action_confirm()
        self.assertEqual((channel_order.state, other.state), ("sale", "sale"))
        self.assertEqual(channel_order.date_order, placed)
        self.assertGreaterEqual(other.date_order, self.now)


@tagged("post_install", "-at_install")
class TestChannelDatesValuation(ChannelDatesCase):
    """Perpetual valuation: the journal entry of a channel's delivery is dated the day of the
    delivery, or the first open day after the lock date."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        category = cls.env["product.category"].create(
            {
                "name": "Channel goods (perpetual)",
                "property_cost_method": "standard",
                "property_valuation": "real_time",
            }
        )
        cls.product_a.write({"categ_id": category.id, "standard_price": 4.0})

    def valuation_entries(self, sale_order):
        return self.pickings(sale_order, "outgoing").move_ids.account_move_ids

    def test_valuation_entry_dated_the_delivery_day(self):
        placed = self.days_ago(5)
        entries = self.valuation_entries(self.fulfilled(placed))
        self.assertTrue(entries, "product A is valued in real time")
        self.assertEqual(set(entries.mapped("date")), {placed.date()})

    def test_valuation_entry_after_the_lock_date(self):
        lock = self.days_ago(3).date()
        self.company.fiscalyear_lock_date = lock
        sale_order = self.fulfilled(self.days_ago(5))
        self.assertEqual(
            set(self.valuation_entries(sale_order).mapped("date")), {lock + timedelta(1)}
        )
        self.assertEqual(sale_order.date_order, self.days_ago(5))


@tagged("post_install", "-at_install")
class TestChannelDatesWebhook(ChannelDatesCase, HttpCase):
    def test_real_time_webhook_order_keeps_the_channel_date(self):
        placed = self.days_ago(5)
        body = json.dumps(self.order("evt-1", placed, financial_status="paid")).encode()
        response = self.url_open(
            f"/omni/webhook/omnitest/{self.backend.id}",
            data=body,
            headers={"Content-Type": "application/json", "X-Omni-Test-Hmac": sign(body)},
            timeout=20,
        )
        self.assertEqual(response.status_code, 200, response.text)
        job = self.env["queue.job"].search(
            [("model_name", "=", "omni.event"), ("method_name", "=", "_process_job")]
        )
        job.records._process_job()  # what the job runner does
        event = self.events()
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(event.sale_order_id.state, "sale")
        self.assertEqual(event.sale_order_id.date_order, placed)
