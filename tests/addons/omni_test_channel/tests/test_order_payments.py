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
