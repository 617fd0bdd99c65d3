"""ShipBob's billing transactions become the fulfilment cost of the order they charge."""

from datetime import date
from decimal import Decimal

from odoo.tests import tagged

from odoo.addons.omni_connector_base.tests.common import cents

from .common import ShipBobWebhookCase


@tagged("post_install", "-at_install")
class TestShipBobBilling(ShipBobWebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.activate_currency("EUR")
        cls.env["res.currency.rate"].create(
            {
                "currency_id": cls.eur.id,
                "rate": 1.25,
                "name": "2026-11-01",
                "company_id": cls.company.id,
            }
        )

    def test_charges_refunds_and_credits_net_into_the_order_cost(self):
        picking, order = self.send({self.mug: 2})
        __, shipment = self.ship(order, {self.mug: 2})
        eur = {"currency": "EUR"}
        charges = [
            ("billing.charge.created", self.sandbox.charge(shipment["id"], "4.10", **eur)),
            (
                "billing.charge.created",
                self.sandbox.charge(shipment["id"], "0.35", fee="AdditionalFee", **eur),
            ),
            (
                "billing.refund.created",
                self.sandbox.charge(shipment["id"], "1.00", kind="Refund", **eur),
            ),
        ]
        for topic, transaction in charges:
            transaction["charge_date"] = "2026-11-04"
            self.deliver(topic, transaction)
        self.assert_all_done(self.process())
        records = picking.omni_dispatch_id.charge_ids
        self.assertEqual(
            sorted(cents(a) for a in records.mapped("amount")),
            [Decimal("-1.00"), Decimal("0.35"), Decimal("4.10")],
        )
        self.assertEqual(records.currency_id, self.eur)
        self.assertEqual(set(records.mapped("charged_on")), {date(2026, 11, 4)})
        sale = picking.sale_id
        self.assertEqual(set(records.mapped("sale_id")), {sale})
        # 3.45 EUR at 1.25 EUR for one unit of the company currency
        self.assertAmount(sale.omni_fulfilment_cost, "2.76")
        # the same transaction again (a re-sent webhook) counts once
        self.deliver(*charges[0], msg_id="msg_again")
        again = self.process()
        self.assertIn("recorded already", again.result_note)
        self.assertAmount(sale.omni_fulfilment_cost, "2.76")

    def test_charge_before_its_shipment_waits(self):
        picking, order = self.send({self.mug: 1})
        shipment = self.sandbox.ship(order["id"], {"SB-MUG": 1})
        self.deliver(
            "billing.charge.created", self.sandbox.charge(shipment["id"], "5.00", currency="EUR")
        )
        event = self.process()
        self.assertEqual((event.state, event.error_class), ("waiting", "retryable"))
        self.assertIn("has not received yet", event.error_message)
        self.deliver("order.shipped", shipment)
        self.process()
        event._process_job()  # its retry
        self.assertEqual(event.state, "done", event.error_message)
        self.assertAmount(picking.sale_id.omni_fulfilment_cost, "4.00")

    def test_amount_with_more_decimals_than_the_currency_fails(self):
        __, order = self.send({self.mug: 1})
        __, shipment = self.ship(order, {self.mug: 1})
        transaction = self.sandbox.charge(shipment["id"], "4.105", currency="EUR")
        self.deliver("billing.charge.created", transaction)
        event = self.process()
        self.assertEqual((event.state, event.error_class), ("failed", "payload"))
        self.assertIn("more decimals than EUR", event.error_message)
