"""The importer's one path, seen from omni.event jobs: many events in one savepoint and one
batch, the importer creating and confirming their sale orders together at its flush. A batch
of events must give exactly what the same events give each as a batch of one, and a bad event
must still fail alone with its own error class."""

from odoo.tests import tagged

from .common import SECRET, OmniTestChannelCase, order_payload


def refund_payload(event_id, refund_id, order_id, line_id="L1", amount="12.00", **changes):
    refund = {
        "id": refund_id,
        "order_id": order_id,
        "currency": "EUR",
        "amount": amount,
        "lines": [{"line_id": line_id, "quantity": "1", "restock": True}],
        **changes,
    }
    return {"id": event_id, "topic": "refund", "refund": refund}


def order(event_id, order_id, **changes):
    payload = order_payload(event_id, id=order_id, name=f"#{order_id}", **changes)
    return payload


@tagged("post_install", "-at_install")
class TestBatch(OmniTestChannelCase):
    maxDiff = None

    def receive_all(self, payloads, backend=None):
        events = self.env["omni.event"]
        for payload in payloads:
            new, __ = self.receive(payload, backend)
            events |= new
        self.assertEqual(len(events), len(payloads))
        return events

    def sale_orders(self, backend=None):
        return self.env["sale.order"].search(
            [("omni_backend_id", "=", (backend or self.backend).id)], order="id"
        )

    def test_bad_event_fails_alone_and_nothing_is_half_written(self):
        bad = order("evt-2", "1002", financial_status="paid")
        bad["order"]["lines"][0]["sku"] = "NO-SUCH-SKU"
        bad["order"]["customer"] = {"id": "C-NEW", "email": "new@example.com", "name": "New"}
        events = self.receive_all(
            [
                order("evt-1", "1001", financial_status="paid"),
                bad,
                order("evt-3", "1003", financial_status="paid", fulfillment_status="fulfilled"),
                order("evt-4", "1004"),
            ]
        )
        partners = self.env["res.partner"].search_count([])
        # The batch attempt names the event that raised and keeps nothing of any of them.
        self.assertEqual(events._try_batch(), 1)
        self.assertEqual(set(events.mapped("state")), {"received"})
        self.assertFalse(self.env["omni.order"].search([("backend_id", "=", self.backend.id)]))
        self.assertFalse(self.sale_orders())
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        message = events._process_job()
        self.assertEqual(message, "3 of 4 event(s) done")
        states = {e.external_id: (e.state, e.error_class, e.attempts) for e in events}
        self.assertEqual(
            states,
            {
                "1001": ("done", False, 1),
                "1002": ("failed", "mapping", 1),
                "1003": ("done", False, 1),
                "1004": ("done", False, 1),
            },
        )
        failed = events.filtered(lambda e: e.state == "failed")
        self.assertIn("NO-SUCH-SKU", failed.error_message)
        self.assertFalse(failed.omni_order_id)
        # Nothing of the bad order anywhere: no canonical order, sale order, binding, contact.
        self.assertFalse(self.omni_order("1002"))
        self.assertFalse(self.env["sale.order"].search([("omni_external_ref", "=", "1002")]))
        self.assertFalse(
            self.env["omni.external.id"].search(
                [("backend_id", "=", self.backend.id), ("external_id", "in", ["1002", "C-NEW"])]
            )
        )
        # C-1 is created once for the good orders; the bad order's new customer is not.
        self.assertEqual(self.env["res.partner"].search_count([]), partners + 1)
        sale_orders = self.sale_orders()
        self.assertEqual(sale_orders.mapped("omni_external_ref"), ["1001", "1003", "1004"])
        self.assertEqual(sale_orders.mapped("state"), ["sale", "sale", "draft"])
        delivered = sale_orders.filtered(lambda so: so.omni_external_ref == "1003")
        self.assertEqual(set(delivered.picking_ids.mapped("state")), {"done"})
        for event in events - failed:
            self.assertEqual(event.sale_order_id.omni_external_ref, event.external_id)
            self.assertEqual(len(event.omni_order_id.line_ids), 3)
            self.assertTrue(all(event.omni_order_id.line_ids.mapped("sale_line_id")))
            binding = self.env["omni.external.id"].search(
                [
                    ("backend_id", "=", self.backend.id),
                    ("kind", "=", "order"),
                    ("external_id", "=", event.external_id),
                ]
            )
            self.assertEqual(
                (binding.res_model, binding.res_id), ("sale.order", event.sale_order_id.id)
            )
        # Fixed, the bad event is imported by a retry; the others stay as they are.
        self.env["product.product"].create({"name": "New", "default_code": "NO-SUCH-SKU"})
        failed.action_retry()
        events._process_job()
        self.assertEqual(set(events.mapped("state")), {"done"})
        self.assertEqual(len(self.sale_orders()), 4)
        self.assertEqual((events - failed).mapped("attempts"), [1, 1, 1])

    def assert_bad_refund_fails_its_order_alone(self, refund, attempt, error_class, message):
        """Three orders in a batch, the second embedding ``refund``: the batch attempt
        returns ``attempt``; then the job fails that order alone, with nothing of it kept."""
        bad = order("evt-2", "1002", financial_status="partially_refunded", refunds=[refund])
        events = self.receive_all(
            [order("evt-1", "1001", financial_status="paid"), bad, order("evt-3", "1003")]
        )
        self.assertEqual(events._try_batch(), attempt)
        self.assertFalse(self.sale_orders())
        events._process_job()
        self.assertEqual(events.mapped("state"), ["done", "failed", "done"])
        failed = events[1]
        self.assertEqual(failed.error_class, error_class)
        self.assertIn(message, failed.error_message)
        self.assertFalse(self.omni_order("1002"))
        self.assertFalse(self.env["account.move"].search([("omni_external_ref", "=", "R-X")]))
        self.assertEqual(self.sale_orders().mapped("omni_external_ref"), ["1001", "1003"])

    def test_embedded_refund_of_an_unknown_line_fails_its_event_at_planning(self):
        # The embedded refund names a line the order does not have: planning checks it, so
        # the batch attempt names that event; the events around it are redone as batches.
        refund = {"id": "R-X", "amount": "1.00", "lines": [{"line_id": "NOPE", "quantity": "1"}]}
        self.assert_bad_refund_fails_its_order_alone(refund, 1, "mapping", "NOPE")

    def test_failure_while_completing_the_batch_falls_back_event_by_event(self):
        # The embedded refund's credit note has a negative total: that only shows when the
        # batch posts its credit notes, after every event ran; each event is then redone alone.
        refund = {"id": "R-X", "amount": "1.00", "shipping": "-5.00", "lines": []}
        self.assert_bad_refund_fails_its_order_alone(refund, -1, "validation", "negative total")

    def test_same_order_several_times_in_one_batch(self):
        events = self.receive_all(
            [
                order("evt-1", "1001"),
                # the same version again (e.g. webhook and pull): unchanged
                order("evt-1b", "1001"),
                # a newer version: the sale order of the batch is made first, then confirmed
                order("evt-2", "1001", updated_at="2026-11-01T11:00:00Z", financial_status="paid"),
                # an older one after it: stale
                order("evt-0", "1001", updated_at="2026-11-01T09:30:00Z", total="1.00"),
                refund_payload("evt-r", "R-1", "1001"),
                refund_payload("evt-r2", "R-1", "1001"),  # the same refund: booked once
            ]
        )
        self.assertIsNone(events._try_batch())  # all of it in one batch
        self.assertEqual(set(events.mapped("state")), {"done"}, events.mapped("error_message"))
        sale_order = self.sale_orders()
        self.assertEqual(len(sale_order), 1)
        self.assertEqual(sale_order.state, "sale")
        omni_order = self.omni_order()
        self.assertEqual(len(omni_order), 1)
        self.assertEqual(events.mapped("omni_order_id"), omni_order)
        self.assertEqual(omni_order.financial_status, "paid")
        self.assertEqual(omni_order.amount_total, 36.52)
        self.assertIn("Unchanged", events[1].result_note)
        self.assertIn("Stale", events[3].result_note)
        self.assertEqual(len(omni_order.line_ids), 3)
        self.assertEqual(len(omni_order.credit_note_ids), 1)
        self.assertEqual(omni_order.credit_note_ids.state, "posted")
        self.assertEqual(omni_order.amount_refunded, 12.0)

    def test_batch_gives_what_single_events_give(self):
        other = self.make_backend("Test channel (one by one)", webhook_secret=SECRET)
        discounted = order("evt-5", "1005", financial_status="paid")
        discounted["order"]["lines"] = [
            {"id": "L1", "sku": "OMNI-A", "quantity": "1", "price": "999.99", "discount": "100.01"}
        ]
        discounted["order"]["shipping"] = []
        refund = {"id": "R-7", "amount": "12.00", "lines": [{"line_id": "L1", "quantity": "1"}]}
        payloads = [
            order("evt-1", "1001"),
            order("evt-2", "1002", financial_status="paid"),
            order("evt-3", "1003", financial_status="paid", fulfillment_status="fulfilled"),
            order(
                "evt-4",
                "1004",
                financial_status="voided",
                cancelled_at="2026-11-01T10:00:00Z",
            ),
            discounted,
            order("evt-6", "1006", financial_status="teleported"),  # unmapped: fails
            order(
                "evt-7",
                "1007",
                financial_status="partially_refunded",
                fulfillment_status="fulfilled",
                refunds=[refund],
            ),
            refund_payload("evt-8", "R-8", "1003", amount="16.90", shipping="4.90"),
            order(
                "evt-9",
                "1002",
                updated_at="2026-11-02T10:00:00Z",
                financial_status="paid",
                fulfillment_status="fulfilled",
            ),
        ]
        batch = self.receive_all(payloads)
        one_by_one = self.receive_all(payloads, other)
        batch._process_job()
        for event in one_by_one:
            event._process_one()
        self.assertEqual(self.summary(batch), self.summary(one_by_one))
        self.assertEqual([e.state for e in batch], ["done"] * 5 + ["failed"] + ["done"] * 3)

    def summary(self, events):
        """Everything the import wrote, without ids, names and dates that differ by nature."""
        self.env.flush_all()
        self.env.invalidate_all()  # what is stored, not float noise left in the cache
        result = []
        for event in events:
            omni_order = event.omni_order_id
            sale_order = omni_order.sale_order_id
            result.append(
                {
                    "event": (event.state, event.error_class, event.attempts, event.result_note),
                    "error": (event.error_message or "").replace(event.backend_id.name, "B"),
                    "omni_order": omni_order
                    and omni_order.read(
                        [
                            "external_id",
                            "amount_total",
                            "amount_refunded",
                            "financial_state",
                            "fulfillment_state",
                            "refunded_external_ids",
                            "content_digest",
                            "channel_updated_at",
                        ]
                    )[0]
                    | {"id": None},
                    "omni_lines": [
                        (
                            line.external_id,
                            line.product_id.id,
                            line.quantity,
                            line.quantity_refunded,
                            line.sale_line_id.product_id.id,
                            line.sale_line_id.product_uom_qty,
                        )
                        for line in omni_order.line_ids.sorted("external_id")
                    ],
                    "sale_order": sale_order
                    and (
                        sale_order.state,
                        sale_order.partner_id.id,
                        sale_order.amount_untaxed,
                        sale_order.amount_tax,
                        sale_order.amount_total,
                        sale_order.client_order_ref,
                        [
                            (
                                line.product_id.id,
                                line.name,
                                line.product_uom_qty,
                                line.price_unit,
                                line.discount,
                                line.tax_id.ids,
                                line.qty_delivered,
                            )
                            for line in sale_order.order_line
                        ],
                        sorted(
                            (p.picking_type_code, p.state, len(p.move_ids))
                            for p in sale_order.picking_ids
                        ),
                        sorted(set(sale_order.order_line.move_ids.mapped("omni_external_ref"))),
                    ),
                    "credit_notes": [
                        (m.state, m.amount_total, m.omni_external_ref, m.move_type)
                        for m in omni_order.credit_note_ids.sorted("omni_external_ref")
                    ],
                }
            )
        return result
