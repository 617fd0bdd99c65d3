"""An order brings its own payments (``Order.payments``): the importer stores them at the
flush's payment phase, with the movements that arrived before the order (same order
reference) linked to it; a stale order brings none."""

import dataclasses
from datetime import timedelta
from decimal import Decimal

from odoo.tests import tagged

from odoo.addons.omni_connector_base.tools import canonical

from ..parser import parse_order
from .common import ORDER, OmniTestChannelCase


def payment(external_id, amount="36.52", order="1001"):
    return canonical.Payment(
        external_id=external_id,
        payment_type="charge",
        amount=Decimal(amount),
        currency="EUR",
        processor="omnitest",
        order_external_id=order,
    )


@tagged("post_install", "-at_install")
class TestOrderPayments(OmniTestChannelCase):
    def setUp(self):
        super().setUp()
        self.importer = self.env["omni.importer"]

    def payments(self):
        return self.env["omni.payment"].search([("backend_id", "=", self.backend.id)])

    def test_order_payments_and_waiting_movements_at_the_flush(self):
        waiting = self.importer.import_payments(self.backend, [payment("txn_0", "-1.00")])
        self.assertFalse(waiting.order_id, "stored before its order: waits for it")
        order = dataclasses.replace(parse_order(ORDER), payments=(payment("txn_1"),))
        context = self.importer._batch_context()
        links = self.importer.with_context(**context).import_order(self.backend, order)
        omni_order = self.env["omni.order"].browse(links["omni_order_id"])
        self.assertEqual(self.payments(), waiting, "the order's payments wait for the flush")
        self.importer.with_context(**context)._flush_batch()
        charge = self.payments() - waiting
        self.assertEqual((charge.external_id, charge.order_id), ("txn_1", omni_order))
        self.assertEqual(waiting.order_id, omni_order)
        self.assertEqual(omni_order.payment_ids, charge | waiting)

    def test_stale_order_brings_no_payment_an_unchanged_one_its_new_ones(self):
        order = dataclasses.replace(parse_order(ORDER), payments=(payment("txn_1"),))
        self.importer.import_order(self.backend, order)  # no batch: a batch of one
        self.assertEqual(self.payments().mapped("external_id"), ["txn_1"])
        # the same order with one more movement: unchanged, the movement stored
        more = dataclasses.replace(order, payments=(payment("txn_1"), payment("txn_3", "1.00")))
        unchanged = self.importer.import_order(self.backend, more)
        self.assertIn("Unchanged", unchanged["result_note"])
        self.assertEqual(sorted(self.payments().mapped("external_id")), ["txn_1", "txn_3"])
        stale = dataclasses.replace(
            order,
            updated_at=order.updated_at - timedelta(hours=1),
            payments=(payment("txn_1", "1.00"), payment("txn_2")),
        )
        links = self.importer.import_order(self.backend, stale)
        self.assertIn("Stale", links["result_note"])
        self.assertEqual(sorted(self.payments().mapped("external_id")), ["txn_1", "txn_3"])
        self.assertEqual(self.payments().filtered(lambda p: p.external_id == "txn_1").amount, 36.52)


@tagged("post_install", "-at_install")
class TestPaymentLinks(OmniTestChannelCase):
    """A movement finds its order by the id its metadata carries, by a name only when one
    order of the company has it, and only in the order's or its presentment currency."""

    def setUp(self):
        super().setUp()
        self.importer = self.env["omni.importer"]
        self.usd = self.activate_currency("USD")
        self.omni_order = self.env["omni.order"].browse(
            self.importer.import_order(self.backend, parse_order(ORDER))["omni_order_id"]
        )

    def test_by_id_or_a_name_only_one_order_has(self):
        by_id, by_name = self.importer.import_payments(
            self.backend, [payment("txn_1", order="1001"), payment("txn_2", order="#1001")]
        )
        self.assertEqual((by_id.order_id, by_name.order_id), (self.omni_order, self.omni_order))
        # a second shop of the company has an order #1001 too: the name decides nothing
        other = self.make_backend("Second shop")
        twin = self.env["omni.order"].browse(
            self.importer.import_order(other, parse_order({**ORDER, "id": "2001"}))["omni_order_id"]
        )
        self.assertEqual((twin.name, twin.backend_id), ("#1001", other))
        ambiguous, by_other_id = self.importer.import_payments(
            self.backend, [payment("txn_3", order="#1001"), payment("txn_4", order="2001")]
        )
        self.assertFalse(ambiguous.order_id)
        self.assertEqual(by_other_id.order_id, twin)

    def test_never_in_a_third_currency(self):
        usd = dataclasses.replace(payment("txn_usd", order="1001"), currency="USD")
        eur = payment("txn_eur", order="1001")
        linked = self.importer.import_payments(self.backend, [usd, eur])
        self.assertEqual(
            linked.mapped(lambda p: (p.external_id, p.order_id)),
            [
                ("txn_usd", self.env["omni.order"]),
                ("txn_eur", self.omni_order),
            ],
        )
        # waiting for its order, a movement in a third currency is not linked on arrival either
        waiting = self.importer.import_payments(
            self.backend,
            [
                dataclasses.replace(payment("txn_w_usd", order="1002"), currency="USD"),
                payment("txn_w_eur", order="1002"),
            ],
        )
        later = self.env["omni.order"].browse(
            self.importer.import_order(
                self.backend, parse_order({**ORDER, "id": "1002", "name": "#1002"})
            )["omni_order_id"]
        )
        self.assertEqual(
            waiting.mapped(lambda p: (p.external_id, p.order_id)),
            [("txn_w_usd", self.env["omni.order"]), ("txn_w_eur", later)],
        )
