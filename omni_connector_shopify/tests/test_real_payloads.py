"""Real payloads that broke imports: deliveries in any order, order discounts Shopify did not
allocate, orders named by their GraphQL id, customers without personal data, webhooks of
another shop and ids that are not Shopify's."""

import copy
import json
from decimal import Decimal

from omni_sandboxes.shopify_sandbox import webhook_headers

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.queue_job.job import Job

from .common import SECRET, ShopifyCase
from .test_returns import ReturnsCase


def gid_number(gid):
    return gid.rsplit("/", 1)[-1]


def pending_job(event):
    """The job due to process ``event`` (the delivery's, or the retry its wait queued)."""
    jobs = event.env["queue.job"].search(
        [("model_name", "=", "omni.event"), ("state", "=", "pending")], order="id"
    )
    return jobs.filtered(lambda job: job.records == event)


def run_job(record):
    """What the job runner does with a queued job: started, performed, done."""
    job = Job.load(record.env, record.uuid)
    job.set_started()
    job.store()
    job.perform()
    job.set_done()
    job.store()


@tagged("post_install", "-at_install")
class TestRealPayloads(ShopifyCase, HttpCase):
    def post(self, topic, payload, webhook_id=None, **header_kwargs):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = webhook_headers(body, SECRET, topic, webhook_id, **header_kwargs)
        return self.url_open(
            f"/omni/webhook/shopify/{self.backend.id}", data=body, headers=headers, timeout=20
        )

    def deliver(self, topic, payload, webhook_id=None):
        """A signed webhook over HTTP, then what the job runner does with its event."""
        response = self.post(topic, payload, webhook_id)
        self.assertEqual(response.status_code, 200, response.text)
        event = self.events(topic=topic).sorted("id")[-1:]
        run_job(pending_job(event))
        return event

    def order_rest(self, index, **changes):
        rest = self.world.order_rest(self.world.orders[index])
        rest.update(changes)
        return rest

    # ------------------------------------------------------------------ out of order

    def test_refund_before_its_order_waits_and_the_order_wakes_it(self):
        rest = self.order_rest(4, financial_status="paid")
        refund = rest.pop("refunds")[0]
        waiting = self.deliver("refunds/create", refund, "wh-early-refund")
        self.assertEqual((waiting.state, waiting.error_class), ("waiting", "retryable"))
        self.assertIn(str(refund["order_id"]), waiting.error_message)
        retry = pending_job(waiting)
        self.assertEqual(len(retry), 1)
        self.assertGreater(retry.eta, fields.Datetime.now())
        self.assertFalse(
            self.env["account.move"].search([("omni_backend_id", "=", self.backend.id)])
        )

        order_event = self.deliver("orders/create", rest, "wh-late-order")
        self.assertEqual(order_event.state, "done", order_event.error_message)
        self.assertLessEqual(retry.eta, fields.Datetime.now(), "the order brings it forward")
        run_job(retry)
        self.assertEqual(waiting.state, "done", waiting.error_message)
        self.assertEqual(waiting.omni_order_id, order_event.omni_order_id)
        self.assertEqual(len(order_event.omni_order_id.credit_note_ids), 1)

    def test_refund_of_an_order_that_never_comes_is_dead_lettered(self):
        self.backend.max_attempts = 3
        refund = self.order_rest(4)["refunds"][0]
        event = self.deliver("refunds/create", refund, "wh-orphan-refund")
        for __ in range(2):
            self.assertEqual(event.state, "waiting")
            run_job(pending_job(event))
        self.assertEqual((event.state, event.attempts), ("dead", 3))
        self.assertIn(str(refund["order_id"]), event.error_message)
        self.assertTrue(event.activity_ids, "someone is told")
        # another order's arrival does not wake it
        self.deliver("orders/create", self.order_rest(0), "wh-other-order")
        self.assertEqual(event.state, "dead")

    # ------------------------------------------------------------------ totals

    def _discount_without_allocations(self, index):
        """The world's order ``index`` with its line discounts as one order-level discount
        Shopify did not allocate (the lines keep their full price)."""
        order = self.world.orders[index]
        saved = copy.deepcopy(order["lineItems"])
        self.addCleanup(order.__setitem__, "lineItems", saved)
        for line in order["lineItems"]:
            line["discountAllocations"] = []
        return order

    def test_unallocated_order_discount_is_spread_and_totals_match(self):
        order = self._discount_without_allocations(3)
        discount = Decimal(order["totalDiscountsSet"]["shopMoney"]["amount"])
        self.assertTrue(discount, "order 3 has a discount code")
        total = order["totalPriceSet"]["shopMoney"]["amount"]
        event = self.deliver("orders/create", self.world.order_rest(order), "wh-disc")
        self.assertEqual(event.state, "done", event.error_message)
        self.assertAmount(event.sale_order_id.amount_total, total)
        lines = event.omni_order_id.line_ids.filtered(lambda line: line.line_type == "product")
        self.assertAmount(sum(lines.mapped("discount_amount")), discount)

    def test_pulled_unallocated_order_discount_is_spread(self):
        order = self._discount_without_allocations(3)
        self.backend._shopify_pull_orders()
        self.process()
        event = self.events(topic="orders/graphql", external_id=gid_number(order["id"]))
        self.assertEqual(event.state, "done", event.error_message)
        self.assertAmount(
            event.sale_order_id.amount_total, order["totalPriceSet"]["shopMoney"]["amount"]
        )

    def test_order_whose_total_cannot_match_is_never_done(self):
        rest = self.order_rest(1)
        for key in ("total_price", "total_discounts"):
            rest[key] = str(Decimal(rest[key]) + Decimal("7.00"))
        for key in ("total_price_set", "total_discounts_set"):
            for half in rest[key].values():
                half["amount"] = str(Decimal(half["amount"]) + Decimal("7.00"))
        rest["line_items"] = []  # nothing to spread the discount over
        event = self.deliver("orders/create", rest, "wh-bad-total")
        self.assertEqual((event.state, event.error_class), ("failed", "payload"))
        self.assertIn(rest["total_price"], event.error_message)
        self.assertFalse(self.sale_orders())
        # a total tampered by a few cents fails the same way
        rest = self.order_rest(2)
        rest["total_price_set"]["shop_money"]["amount"] = str(
            Decimal(rest["total_price_set"]["shop_money"]["amount"]) - Decimal("0.01")
        )
        event = self.deliver("orders/create", rest, "wh-bad-cent")
        self.assertEqual((event.state, event.error_class), ("failed", "payload"))
        self.assertFalse(self.sale_orders())

    # ------------------------------------------------------------------ GraphQL ids

    def test_refund_transaction_and_dispute_find_their_order_by_gid(self):
        rest = self.order_rest(4, financial_status="paid")
        refund = rest.pop("refunds")[0]
        order_gid = rest["admin_graphql_api_id"]
        omni_order = self.deliver("orders/create", rest, "wh-o").omni_order_id
        self.assertTrue(omni_order)
        refund = dict(refund, order_id=order_gid)
        event = self.deliver("refunds/create", refund, "wh-gid-refund")
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(event.omni_order_id, omni_order)
        txn = dict(self.world.transaction_rest(self.world.orders[4], 0))
        txn.pop("order_id", None)
        txn["order"] = {"id": int(gid_number(order_gid)), "admin_graphql_api_id": order_gid}
        event = self.deliver("order_transactions/create", txn, "wh-gid-txn")
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(event.omni_payment_id.order_id, omni_order)
        from .test_parser import load_sample

        self.env.ref("base.CAD").active = True
        dispute = dict(load_sample("disputes/create"), order_id=order_gid)
        event = self.deliver("disputes/create", dispute, "wh-gid-dispute")
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(event.omni_payment_id.order_external_ref, omni_order.external_id)

    def test_ids_that_are_not_shopify_ids_are_payload_errors(self):
        rest = self.order_rest(0)
        bad_refund = dict(self.order_rest(4)["refunds"][0], order_id="gid://shopify/Product/123")
        event = self.deliver("refunds/create", bad_refund, "wh-bad-kind")
        self.assertEqual((event.state, event.error_class), ("failed", "payload"))
        for index, bad in enumerate(
            (
                "gid://shopify/Order/",
                "gid://shopify/Order",
                "abc",
                "gid://other/Order/1",
                "gid://shopify/Order/1/2",
            )
        ):
            response = self.post(
                "orders/create", dict(rest, admin_graphql_api_id=bad), f"wh-bad-{index}"
            )
            self.assertEqual(response.status_code, 200, response.text)
            event = self.events(topic="unreadable").sorted("id")[-1]
            self.assertEqual((event.state, event.error_class), ("failed", "payload"), bad)
            self.assertIn(repr(bad), event.error_message)
            self.assertFalse(event.external_id)
        line = dict(rest["line_items"][0], admin_graphql_api_id="gid://shopify/LineItem/x/")
        event = self.deliver("orders/create", dict(rest, line_items=[line]), "wh-bad-line")
        self.assertEqual((event.state, event.error_class), ("failed", "payload"))
        self.assertFalse(self.sale_orders())

    # ------------------------------------------------------------------ customers

    def test_customer_without_personal_data_gets_a_useful_name(self):
        rest = self.order_rest(
            0, email=None, contact_email=None, billing_address=None, shipping_address=None
        )
        customer_id = rest["customer"]["id"]
        rest["customer"] = {
            "id": customer_id,
            "admin_graphql_api_id": f"gid://shopify/Customer/{customer_id}",
        }
        event = self.deliver("orders/create", rest, "wh-anon")
        self.assertEqual(event.state, "done", event.error_message)
        partner = event.sale_order_id.partner_id
        self.assertEqual(partner.name, f"Shopify customer {customer_id}")
        # one with an address (but no name on the customer) is named after it
        rest = self.order_rest(1, email=None)
        rest["customer"] = {"id": 424242, "admin_graphql_api_id": "gid://shopify/Customer/424242"}
        event = self.deliver("orders/create", rest, "wh-anon-address")
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(event.sale_order_id.partner_id.name, rest["billing_address"]["name"])

    def _phone_only_order(self, index, customer_id):
        rest = self.order_rest(index, email=None, billing_address=None, shipping_address=None)
        rest["customer"] = {
            "id": customer_id,
            "phone": "+33 6 12 34 56 78",
            "first_name": "Joe",
            "last_name": "Shopper",
        }
        return rest

    def test_phone_alone_matches_only_when_the_backend_says_so(self):
        self.assertFalse(self.backend.match_customers_by_phone, "off by default")
        joe = self.env["res.partner"].create({"name": "Joe Other", "phone": "0033612345678"})
        event = self.deliver("orders/create", self._phone_only_order(0, 9001), "wh-phone-1")
        self.assertEqual(event.state, "done", event.error_message)
        created = event.sale_order_id.partner_id
        self.assertNotEqual(created, joe, "not merged on a phone number alone")
        self.assertEqual(created.name, "Joe Shopper")
        self.backend.match_customers_by_phone = True
        event = self.deliver("orders/create", self._phone_only_order(1, 9002), "wh-phone-2")
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(event.sale_order_id.partner_id, joe)

    # ------------------------------------------------------------------ shop domain

    def test_webhook_of_another_shop_is_refused_and_nothing_stored(self):
        body = json.dumps(self.order_rest(0)).encode()
        with self.assertLogs("odoo.addons.omni_connector_base.controllers.webhook", "WARNING"):
            for domain in (
                "other-shop.myshopify.com",
                "",
                "omni-sandbox.myshopify.com.evil.io",
                "OMNI-SANDBOX.myshopify.com ",
            ):
                response = self.post("orders/create", body, shop_domain=domain)
                expected = 200 if domain.strip().lower() == "omni-sandbox.myshopify.com" else 401
                self.assertEqual(response.status_code, expected, domain)
            headers = webhook_headers(body, SECRET, "orders/create")
            del headers["X-Shopify-Shop-Domain"]
            response = self.url_open(
                f"/omni/webhook/shopify/{self.backend.id}", data=body, headers=headers, timeout=20
            )
            self.assertEqual(response.status_code, 401)
        self.assertEqual(len(self.events()), 1, "only the delivery of the backend's shop")


@tagged("post_install", "-at_install")
class TestReturnBeforeItsOrder(ReturnsCase):
    def test_return_before_its_order_is_woken_by_the_order(self):
        ret = self.by_kind["refunded"]
        (topic, payload, webhook_id) = [
            w for w in self.world.return_webhooks() if w[1]["admin_graphql_api_id"] == ret["id"]
        ][0]
        event = self.receive_webhook(topic, payload, webhook_id)
        event._enqueue()  # as the webhook controller does
        run_job(pending_job(event))
        self.assertEqual((event.state, event.error_class), ("waiting", "retryable"))
        retry = pending_job(event)
        self.assertGreater(retry.eta, fields.Datetime.now())
        order = self.world.order_by_gid[ret["order"]["id"]]
        order_event = self.receive_webhook("orders/create", self.world.order_rest(order), "wh-o")
        order_event._enqueue()
        run_job(pending_job(order_event))
        self.assertEqual(order_event.state, "done", order_event.error_message)
        self.assertLessEqual(retry.eta, fields.Datetime.now(), "the order brings it forward")
        run_job(retry)
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(event.omni_order_id, order_event.omni_order_id)
