"""Amazon end to end against the sandbox: the pulls, the events, the importer."""

import base64
from decimal import Decimal

from omni_sandboxes.amazon_sandbox import DE, US

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError

from ..const import ORDER_TOPIC, SETTLEMENT_TOPIC
from ..tools.adapter import AmazonAdapter
from .common import AmazonCase


@tagged("post_install", "-at_install")
class TestAmazonImport(AmazonCase):
    def pull_orders(self):
        self.backend._amazon_pull_orders()
        return self.process()

    def pull_settlements(self):
        self.backend._amazon_pull_settlements()
        return self.process()

    def test_orders_pull(self):
        self.sandbox.page_size = 5  # three pages: the pagination token is followed
        events = self.pull_orders()
        self.assert_all_done(events)
        self.assertEqual(len(events), len(self.world.orders))
        self.assertEqual(set(events.mapped("topic")), {ORDER_TOPIC})
        searches = self.sandbox.request_paths("/orders/2026-01-01/orders")
        self.assertEqual(len(searches), 3)
        by_id = {o["orderId"]: o for o in self.world.orders}
        for event in events:
            raw = by_id[event.external_id]
            omni_order = event.omni_order_id
            self.assertEqual(
                omni_order.currency_id.name, raw["proceeds"]["grandTotal"]["currencyCode"]
            )
            sale = omni_order.sale_order_id
            fba = raw["fulfillment"]["fulfilledBy"] == "AMAZON"
            self.assertEqual(
                sale.warehouse_id, self.fba_warehouse if fba else self.warehouse, raw["orderId"]
            )
            if raw["fulfillment"]["fulfillmentStatus"] == "CANCELLED":
                self.assertEqual(sale.state, "cancel")
            else:
                self.assertEqual(sale.state, "sale")
            if fba:
                self.assertEqual(sale.partner_id, self.walk_in)
            else:
                self.assertEqual(sale.partner_id.email, raw["buyer"]["buyerEmail"])
        # The seller's own VAT on amazon.de; Amazon's facilitator tax on amazon.com stays out.
        de = events.filtered(
            lambda e: by_id[e.external_id]["salesChannel"]["marketplaceId"] == DE.marketplace_id
        )
        us = events - de
        de_sale = de[0].omni_order_id.sale_order_id
        self.assertEqual(
            de_sale.order_line.filtered(lambda line: not line.display_type).tax_id[:1], self.vat20
        )
        self.assertAmount(
            de_sale.amount_total, by_id[de[0].external_id]["proceeds"]["grandTotal"]["amount"]
        )
        us_sale = us[0].omni_order_id.sale_order_id
        self.assertFalse(us_sale.order_line.tax_id)
        self.assertIn("Marketplace facilitator tax", str(us_sale.note))

        # Again: the overlap fetches orders again, nothing new is stored.
        stream = self.backend._stream("orders")
        newest = max(o["lastUpdatedTime"] for o in self.world.orders)
        self.assertEqual(stream.watermark.strftime("%Y-%m-%dT%H:%M:%SZ"), newest)
        self.assertFalse(self.pull_orders())

    def test_orders_pull_throttled_resumes(self):
        """A 429 stops the pull with the delay Amazon's rate limit implies; the watermark has
        not moved, so the next run fetches the window again and stores what was missing."""
        self.sandbox.page_size = 5
        self.sandbox.add_fault("429", path_prefix="/orders/", retry_after=2)
        with self.assertRaises(RetryableJobError) as caught:
            self.backend._amazon_pull_orders()
        self.assertEqual(caught.exception.seconds, 2)
        self.assertFalse(self.backend._stream("orders").watermark)
        self.assert_all_done(self.pull_orders())
        self.assertEqual(len(self.events(topic=ORDER_TOPIC)), len(self.world.orders))

    def test_server_errors_and_outages_retry(self):
        for kind in ("500", "503", "drop"):
            self.sandbox.add_fault(kind, path_prefix="/orders/")
            with self.assertRaises(RetryableJobError, msg=kind):
                self.backend._amazon_pull_orders()
        self.assertFalse(self.events())

    def test_timeout_retries(self):
        backend = self.backend
        adapter = AmazonAdapter(
            self.sandbox.url, "eu", backend._amazon_access_token, ("id", "secret"), timeout=0.5
        )
        self.sandbox.timeout_seconds = 2
        self.sandbox.add_fault("timeout", path_prefix="/orders/")
        with self.assertRaises(RetryableJobError):
            next(adapter.search_orders([US.marketplace_id], "2026-11-01T00:00:00Z"))
        adapter.close()

    def test_access_token_renewed_once_and_when_expired(self):
        self.pull_orders()
        self.assertEqual(len(self.sandbox.issued), 1)  # one token for every page and pull
        self.backend._amazon_pull_orders()
        self.assertEqual(len(self.sandbox.issued), 1)
        # Amazon says the token expired: renewed once, and the call repeated.
        self.sandbox.add_fault("expired_token", path_prefix="/orders/")
        self.backend._amazon_pull_orders()
        self.assertEqual(len(self.sandbox.issued), 2)
        self.assertEqual(self.backend.sudo().amazon_access_token, self.sandbox.issued[-1])

    def test_wrong_refresh_token_is_permanent(self):
        self.backend.sudo().amazon_refresh_token = "Atzr|revoked"
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "error")
        self.assertIn("Login with Amazon refused", self.backend.connection_message)

    def test_connection(self):
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "connected", self.backend.connection_message)

    def test_settlements_pull(self):
        events = self.pull_settlements()
        self.assert_all_done(events)
        self.assertEqual(len(events), len(self.world.settlements))
        self.assertEqual(set(events.mapped("topic")), {SETTLEMENT_TOPIC})
        for settlement in self.world.settlements:
            payout = self.env["omni.payout"].search(
                [
                    ("backend_id", "=", self.backend.id),
                    ("external_id", "=", settlement.settlement_id),
                ]
            )
            self.assertAmount(payout.amount, settlement.total)
            self.assertEqual(payout.currency_id.name, settlement.marketplace.currency)
            self.assertEqual(len(payout.payment_ids), len(settlement.rows))
            self.env.flush_all()
            self.env.cr.execute(
                "SELECT SUM(net_amount)::text FROM omni_payment WHERE payout_id = %s", [payout.id]
            )
            self.assertEqual(Decimal(self.env.cr.fetchone()[0]), settlement.total)
        # The same reports again: the same content, no new event.
        self.assertFalse(self.pull_settlements())

    def test_settlement_not_adding_up_fails_the_event(self):
        settlement = self.world.settlements[0]
        self.sandbox.broken_totals[settlement.settlement_id] = settlement.total + Decimal("1")
        events = self.pull_settlements()
        failed = events.filtered(lambda e: e.external_id == settlement.settlement_id)
        self.assertEqual(failed.state, "failed")
        self.assertIn("add up to", failed.error_message)
        self.assertFalse(
            self.env["omni.payout"].search([("external_id", "=", settlement.settlement_id)])
        )

    def test_settlement_file_wizard(self):
        settlement = next(s for s in self.world.settlements if s.marketplace is DE)
        wizard = self.env["omni.amazon.settlement.import"].create(
            {
                "backend_id": self.backend.id,
                "settlement_file": base64.b64encode(settlement.text().encode()),
                "filename": "settlement.txt",
            }
        )
        action = wizard.action_import()
        event = self.env["omni.event"].browse(action["res_id"])
        self.assertEqual((event.source, event.topic), ("file", SETTLEMENT_TOPIC))
        self.assert_all_done(self.process())
        self.assertAmount(event.omni_payout_id.amount, settlement.total)
        # The same file pulled afterwards is the same event.
        self.backend._amazon_pull_settlements()
        self.assertEqual(
            len(self.events(topic=SETTLEMENT_TOPIC, external_id=settlement.settlement_id)), 1
        )

    def test_settlement_file_wizard_refuses_other_files(self):
        for content in (b"\xff\xfe\x00garbage", b"order-id\tamount\n1\t2\n"):
            wizard = self.env["omni.amazon.settlement.import"].create(
                {"backend_id": self.backend.id, "settlement_file": base64.b64encode(content)}
            )
            with self.assertRaises(UserError):
                wizard.action_import()
        self.assertFalse(self.events(topic=SETTLEMENT_TOPIC))
