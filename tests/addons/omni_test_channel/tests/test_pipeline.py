import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import OmniTestChannelCase, order_payload


@tagged("post_install", "-at_install")
class TestPipeline(OmniTestChannelCase):
    def test_same_event_three_times_creates_one_order(self):
        payload = order_payload()
        for __ in range(3):
            self.receive(payload)
        events = self.env["omni.event"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(len(events), 1)
        events._process_job()
        events._process_job()  # a replay after success changes nothing
        self.assertEqual(events.state, "done")
        sale_orders = self.env["sale.order"].search([("omni_external_ref", "=", "1001")])
        self.assertEqual(len(sale_orders), 1)
        self.assertEqual(len(self.omni_order()), 1)

    def test_order_lines_taxes_totals(self):
        event = self.deliver(order_payload())
        sale_order = event.sale_order_id
        self.assertTrue(sale_order)
        self.assertEqual(sale_order.omni_backend_id, self.backend)
        self.assertEqual(sale_order.currency_id, self.eur)
        self.assertEqual(sale_order.client_order_ref, "#1001")
        products = sale_order.order_line.mapped("product_id")
        self.assertEqual(
            products, self.product_a | self.product_b | self.backend.shipping_product_id
        )
        line_a = sale_order.order_line.filtered(lambda sol: sol.product_id == self.product_a)
        self.assertEqual(line_a.tax_id, self.vat20)
        self.assertEqual(line_a.product_uom_qty, 2)
        # Channel total and Odoo total agree to the cent: 20 + 6.35 + 4.90 + 5.27 tax.
        self.assertAmount(sale_order.amount_total, "36.52")
        self.assertAmount(sale_order.amount_tax, "5.27")
        omni_order = event.omni_order_id
        self.assertEqual(omni_order.amount_total, 36.52)
        self.assertEqual(omni_order.line_ids.mapped("sale_line_id") <= sale_order.order_line, True)
        self.assertEqual(len(omni_order.line_ids), 3)
        self.assertEqual(event.latency_ms >= 0, True)
        self.assertEqual(event.attempts, 1)

    def test_inexact_discount_becomes_discount_line(self):
        payload = order_payload()
        payload["order"]["lines"] = [
            {"id": "L1", "sku": "OMNI-A", "quantity": "1", "price": "999.99", "discount": "100.01"}
        ]
        payload["order"]["shipping"] = []
        event = self.deliver(payload)
        sale_order = event.sale_order_id
        self.assertEqual(event.state, "done", event.error_message)
        discount_line = sale_order.order_line.filtered(
            lambda sol: sol.product_id == self.backend.discount_product_id
        )
        self.assertAmount(discount_line.price_unit, "-100.01")
        self.assertAmount(sale_order.amount_total, "899.98")

    def test_malformed_payload_fails_visibly_and_is_kept(self):
        payload = order_payload()
        payload["order"]["lines"][0]["price"] = 10.5  # a float: cents may already be lost
        event = self.deliver(payload)
        self.assertEqual(event.state, "failed")
        self.assertEqual(event.error_class, "payload")
        self.assertIn("price", event.error_message)
        self.assertIn("10.5", event.error_message)
        self.assertTrue(event.payload)
        self.assertFalse(self.omni_order())
        self.assertFalse(self.env["sale.order"].search([("omni_external_ref", "=", "1001")]))

    def test_unknown_topic_and_missing_fields(self):
        event = self.deliver({"id": "evt-x", "topic": "order", "order": {"id": "9"}})
        self.assertEqual(event.state, "failed")
        self.assertEqual(event.error_class, "payload")
        self.assertIn("missing 'currency'", event.error_message)

    def test_unknown_product_is_a_mapping_error_without_duplicate(self):
        payload = order_payload()
        payload["order"]["lines"][0]["sku"] = "NO-SUCH-SKU"
        product_count = self.env["product.product"].search_count([])
        event = self.deliver(payload)
        self.assertEqual(event.state, "failed")
        self.assertEqual(event.error_class, "mapping")
        self.assertIn("NO-SUCH-SKU", event.error_message)
        self.assertEqual(self.env["product.product"].search_count([]), product_count)
        self.assertFalse(self.env["sale.order"].search([("omni_external_ref", "=", "1001")]))
        # Once someone maps the product, a retry imports the order.
        self.env["product.product"].create({"name": "New", "default_code": "NO-SUCH-SKU"})
        event.action_retry()
        event._process_job()
        self.assertEqual(event.state, "done", event.error_message)

    def test_product_matched_by_barcode_and_created_when_allowed(self):
        payload = order_payload()
        payload["order"]["lines"][1]["sku"] = ""
        payload["order"]["lines"][1]["barcode"] = "4006381333931"
        payload["order"]["lines"][0]["sku"] = "BRAND-NEW"
        self.backend.create_products = True
        event = self.deliver(payload)
        self.assertEqual(event.state, "done", event.error_message)
        lines = event.sale_order_id.order_line
        self.assertIn(self.product_b, lines.product_id)
        created = self.env["product.product"].search([("default_code", "=", "BRAND-NEW")])
        self.assertEqual(len(created), 1)

    def test_ambiguous_sku_refused(self):
        self.env["product.product"].create({"name": "Twin", "default_code": "OMNI-A"})
        event = self.deliver(order_payload())
        self.assertEqual(event.error_class, "mapping")
        self.assertIn("several products", event.error_message)

    def test_missing_tax_mapping_leaves_nothing_half_written(self):
        self.backend.tax_map_ids.unlink()
        partner_count = self.env["res.partner"].search_count([])
        event = self.deliver(order_payload())
        self.assertEqual(event.state, "failed")
        self.assertEqual(event.error_class, "mapping")
        self.assertIn("VAT", event.error_message)
        self.assertFalse(self.omni_order())
        self.assertEqual(self.env["res.partner"].search_count([]), partner_count)

    def test_currency_errors(self):
        event = self.deliver(order_payload(currency="XXQ"))
        self.assertEqual(event.error_class, "currency")
        self.assertIn("XXQ", event.error_message)
        usd = self.env.ref("base.USD")
        usd.active = True
        self.env["product.pricelist"].search([("currency_id", "=", usd.id)]).active = False
        event = self.deliver(order_payload("evt-usd", currency="USD"))
        self.assertEqual(event.error_class, "currency")
        self.assertIn("No pricelist in USD", event.error_message)

    def test_customer_matched_by_normalized_email(self):
        jane = self.env["res.partner"].create({"name": "Jane", "email": " jane.doe@example.COM"})
        event = self.deliver(order_payload())
        self.assertEqual(event.sale_order_id.partner_id, jane)
        binding = self.env["omni.external.id"].search(
            [("backend_id", "=", self.backend.id), ("kind", "=", "customer")]
        )
        self.assertEqual((binding.external_id, binding.res_id), ("C-1", jane.id))

    def test_customer_matched_by_phone_then_created_once(self):
        self.backend.match_customers_by_phone = True  # off by default
        joe = self.env["res.partner"].create({"name": "Joe", "phone": "0033 6 12 34 56 78"})
        payload = order_payload()
        payload["order"]["customer"]["email"] = ""
        event = self.deliver(payload)
        self.assertEqual(event.sale_order_id.partner_id, joe)
        # An unknown customer is created once, then found through the mapping.
        first = self.deliver(
            order_payload(
                "evt-2",
                id="2002",
                customer={"id": "C-9", "email": "new@example.com", "name": "New"},
            )
        )
        second = self.deliver(
            order_payload(
                "evt-3",
                id="2003",
                customer={"id": "C-9", "email": "new@example.com", "name": "New"},
            )
        )
        self.assertEqual(first.sale_order_id.partner_id, second.sale_order_id.partner_id)
        self.assertEqual(
            self.env["res.partner"].search_count([("email", "=", "new@example.com")]), 1
        )

    def test_customer_creation_forbidden(self):
        self.backend.create_customers = False
        event = self.deliver(order_payload())
        self.assertEqual(event.error_class, "mapping")
        self.assertIn("may not create customers", event.error_message)

    def test_status_map_actions(self):
        event = self.deliver(order_payload())
        sale_order = event.sale_order_id
        self.assertEqual(sale_order.state, "draft")  # pending -> nothing
        self.deliver(
            order_payload("evt-2", updated_at="2026-11-01T11:00:00Z", financial_status="paid")
        )
        self.assertEqual(sale_order.state, "sale")
        # one delivery move per stockable line (the shipping line is a service)
        self.assertEqual(sale_order.order_line.move_ids.product_id, self.product_a | self.product_b)
        self.assertEqual(set(sale_order.order_line.move_ids.mapped("omni_external_ref")), {"1001"})
        self.deliver(
            order_payload(
                "evt-3",
                updated_at="2026-11-01T12:00:00Z",
                financial_status="paid",
                fulfillment_status="fulfilled",
            )
        )
        self.assertEqual(set(sale_order.picking_ids.mapped("state")), {"done"})
        self.assertEqual(sale_order.omni_order_ids.fulfillment_state, "delivered")
        # An unmapped channel status is a visible mapping gap, not a silent no-op.
        event = self.deliver(
            order_payload("evt-4", updated_at="2026-11-01T13:00:00Z", financial_status="teleported")
        )
        self.assertEqual(event.error_class, "mapping")
        self.assertIn("teleported", event.error_message)

    def test_cancellation(self):
        event = self.deliver(order_payload(financial_status="paid"))
        self.deliver(
            order_payload(
                "evt-2",
                updated_at="2026-11-02T10:00:00Z",
                financial_status="voided",
                cancelled_at="2026-11-02T10:00:00Z",
            )
        )
        self.assertEqual(event.sale_order_id.state, "cancel")

    def test_stale_event_never_overwrites_newer_state(self):
        newer = order_payload(
            "evt-new", updated_at="2026-11-03T10:00:00Z", financial_status="paid", total="36.52"
        )
        older = order_payload(
            "evt-old", updated_at="2026-11-01T10:00:00Z", financial_status="pending", total="1.00"
        )
        self.deliver(newer)
        stale = self.deliver(older)
        self.assertEqual(stale.state, "done")
        self.assertIn("Stale", stale.result_note)
        omni_order = self.omni_order()
        self.assertEqual(omni_order.financial_status, "paid")
        self.assertEqual(omni_order.amount_total, 36.52)
        self.assertEqual(
            omni_order.channel_updated_at, fields.Datetime.to_datetime("2026-11-03 10:00:00")
        )

    def test_refund_gives_credit_note_and_return(self):
        event = self.deliver(order_payload(financial_status="paid", fulfillment_status="fulfilled"))
        sale_order = event.sale_order_id
        stock_before = self.product_a.qty_available
        refund = {
            "id": "evt-r1",
            "topic": "refund",
            "refund": {
                "id": "R-1",
                "order_id": "1001",
                "currency": "EUR",
                "amount": "16.90",
                "shipping": "4.90",
                "lines": [{"line_id": "L1", "quantity": "1", "restock": True}],
            },
        }
        refund_event = self.deliver(refund)
        self.assertEqual(refund_event.state, "done", refund_event.error_message)
        omni_order = self.omni_order()
        credit_note = omni_order.credit_note_ids
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.omni_external_ref, "R-1")
        # 10.00 + 20 % VAT + 4.90 shipping
        self.assertAmount(credit_note.amount_total, "16.90")
        booked = omni_order.refund_ids
        self.assertEqual(
            (booked.external_id, booked.amount, booked.credit_note_id), ("R-1", 16.90, credit_note)
        )
        returns = sale_order.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        self.assertEqual(returns.state, "done")
        self.assertEqual(returns.move_ids.quantity, 1)
        self.assertEqual(self.product_a.qty_available, stock_before + 1)
        self.assertEqual(
            omni_order.line_ids.filtered(lambda line: line.external_id == "L1").quantity_refunded, 1
        )
        # The same refund again (replay, or embedded in a later order update) books nothing.
        refund_event.action_replay()
        refund_event._process_job()
        self.deliver(
            order_payload(
                "evt-9",
                updated_at="2026-11-05T10:00:00Z",
                financial_status="partially_refunded",
                fulfillment_status="fulfilled",
                refunds=[refund["refund"]],
            )
        )
        self.assertEqual(len(omni_order.credit_note_ids), 1)
        self.assertEqual(omni_order.refund_ids, booked)
        self.assertEqual(omni_order.amount_refunded, 16.90)

    def test_refund_for_unknown_order(self):
        event = self.deliver(
            {
                "id": "evt-r",
                "topic": "refund",
                "refund": {"id": "R-9", "order_id": "404", "amount": "1.00"},
            }
        )
        self.assertEqual(event.error_class, "mapping")
        self.assertIn("404", event.error_message)


@tagged("post_install", "-at_install")
class TestJobsAndFailures(OmniTestChannelCase):
    def test_webhook_events_are_enqueued_on_the_channel_queue(self):
        new, __ = self.receive(order_payload())
        with trap_jobs() as trap:
            new._enqueue()
            trap.assert_jobs_count(1)
            trap.assert_enqueued_job(
                new._process_job,
                properties={"channel": "root.omni.omnitest"},
            )
            # The same work is never queued twice.
            new._enqueue()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(new.state, "done")

    def test_retryable_error_backs_off_then_dead_letters(self):
        self.backend.max_attempts = 3
        new, __ = self.receive({"id": "evt-f", "topic": "flaky", "retry_after": 42})
        with trap_jobs() as trap:
            new._process_job()
            self.assertEqual(new.state, "waiting", "a temporary obstacle is no failure")
            self.assertEqual(new.error_class, "retryable")
            self.assertEqual(new.attempts, 1)
            delay = (new.next_retry_at - fields.Datetime.now()).total_seconds()
            self.assertTrue(30 < delay <= 42, delay)
            trap.assert_jobs_count(1)
            self.assertEqual(
                trap.enqueued_jobs[0].eta.replace(microsecond=0) > fields.Datetime.now(), True
            )
            new._process_job()
            self.assertEqual(new.attempts, 2)
            new._process_job()
        self.assertEqual(new.state, "dead")
        self.assertEqual(new.attempts, 3)
        activity = new.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.backend.responsible_user_id)

    def test_permanent_failures_dead_letter_after_max_attempts(self):
        self.backend.max_attempts = 2
        payload = order_payload()
        payload["order"]["lines"][0]["sku"] = "MISSING"
        event = self.deliver(payload)
        self.assertEqual((event.state, event.attempts), ("failed", 1))
        event.action_retry()
        self.assertEqual(event.state, "received")
        self.assertIn("Retried by", event.message_ids[0].body)
        event._process_job()
        self.assertEqual((event.state, event.attempts), ("dead", 2))
        # one to-do, for the backend's responsible
        self.assertRecordValues(
            event.activity_ids,
            [
                {
                    "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                    "user_id": self.backend.responsible_user_id.id,
                }
            ],
        )

    def test_ignore_with_reason_is_audited(self):
        payload = order_payload()
        payload["order"]["lines"][0]["sku"] = "MISSING"
        event = self.deliver(payload)
        wizard = (
            self.env["omni.event.ignore.wizard"]
            .with_context(active_ids=event.ids)
            .create({"reason": "test order from the shop owner"})
        )
        wizard.action_confirm()
        self.assertEqual(event.state, "ignored")
        self.assertIn("test order from the shop owner", event.message_ids[0].body)
        event._process_job()  # ignored events are never processed
        self.assertEqual(event.state, "ignored")

    def test_user_cannot_retry(self):
        user = new_test_user(self.env, "omni_user", groups="omni_connector_base.group_omni_user")
        event = self.deliver(order_payload(currency="XXQ"))
        with self.assertRaises(UserError):
            event.with_user(user).action_retry()
        self.assertEqual(event.state, "failed")

    def test_retention_purges_done_events_only(self):
        done = self.deliver(order_payload())
        order, sale_order = done.omni_order_id, done.sale_order_id
        self.assertEqual((len(order), len(sale_order)), (1, 1))
        failed = self.deliver(order_payload("evt-bad", id="77", currency="XXQ"))
        old = fields.Datetime.now() - timedelta(days=self.backend.event_retention_days + 1)
        self.env.cr.execute(
            "UPDATE omni_event SET processed_at = %s, received_at = %s WHERE id IN %s",
            [old, old, (done.id, failed.id)],
        )
        self.env["omni.event"].invalidate_model()
        self.env["omni.event"]._cron_purge()
        self.assertFalse(done.exists())
        self.assertTrue(failed.exists())
        self.assertEqual(
            (self.omni_order(), sale_order.exists()),
            (order, sale_order),
            "purging an event never touches what it created",
        )

    def test_monitoring_counters(self):
        self.deliver(order_payload())
        self.deliver(order_payload("evt-2", id="2", currency="XXQ"))
        self.receive(order_payload("evt-3", id="3"))
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.event_done_count, 1)
        self.assertEqual(self.backend.event_failed_count, 1)
        self.assertEqual(self.backend.queue_depth, 1)
        self.assertAlmostEqual(self.backend.failure_rate, 1 / 3, places=3)
        self.assertGreaterEqual(self.backend.latency_p95_ms, self.backend.latency_p50_ms)
        report = self.env["omni.event.report"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(sum(report.mapped("event_count")), 3)
        self.assertEqual(sum(report.mapped("failed_count")), 1)

    def test_sanitized_headers(self):
        from odoo.addons.omni_connector_base.models.omni_event import sanitize_headers

        headers = sanitize_headers(
            {
                "X-Omni-Test-Hmac": "abc",
                "Authorization": "Bearer x",
                "X-Shopify-Topic": "orders/create",
                "Cookie": "s=1",
            }
        )
        self.assertEqual(headers, {"X-Shopify-Topic": "orders/create"})


@tagged("post_install", "-at_install")
class TestSecurity(OmniTestChannelCase):
    def test_only_managers_read_secrets(self):
        user = new_test_user(self.env, "omni_user", groups="omni_connector_base.group_omni_user")
        manager = new_test_user(
            self.env, "omni_manager", groups="omni_connector_base.group_omni_manager"
        )
        backend_as_user = self.backend.with_user(user)
        self.assertEqual(backend_as_user.name, "Test channel")
        with self.assertRaises(AccessError):
            backend_as_user.read(["webhook_secret"])
        self.assertNotIn("webhook_secret", backend_as_user.fields_get())
        self.assertTrue(self.backend.with_user(manager).webhook_secret)
        with self.assertRaises(AccessError):
            backend_as_user.write({"name": "renamed"})

    def test_users_without_omni_group_see_nothing(self):
        self.deliver(order_payload())
        plain = new_test_user(
            self.env, "plain", groups="base.group_user,sales_team.group_sale_salesman"
        )
        for model in ("omni.backend", "omni.event", "omni.order", "omni.payment", "omni.payout"):
            with self.assertRaises(AccessError):
                self.env[model].with_user(plain).search([])

    def test_multi_company_isolation(self):
        company_b = self.env["res.company"].create({"name": "Omni Company B"})
        backend_b = self.env["omni.backend"].create(
            {"name": "B channel", "channel": "omnitest", "company_id": company_b.id}
        )
        self.env["omni.event"]._receive(
            backend_b,
            backend_b._omni_webhook_events(json.dumps(order_payload("evt-b")).encode(), {}),
            "webhook",
        )
        self.deliver(order_payload())
        user_a = new_test_user(
            self.env,
            "user_a",
            groups="omni_connector_base.group_omni_manager",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        user_b = new_test_user(
            self.env,
            "user_b",
            groups="omni_connector_base.group_omni_manager",
            company_id=company_b.id,
            company_ids=[company_b.id],
        )
        Event = self.env["omni.event"]
        self.assertEqual(Event.with_user(user_a).search([]).backend_id, self.backend)
        self.assertEqual(Event.with_user(user_b).search([]).backend_id, backend_b)
        self.assertEqual(self.env["omni.backend"].with_user(user_b).search([]), backend_b)
        self.assertFalse(self.env["omni.order"].with_user(user_b).search([]))
        with self.assertRaises(AccessError):
            self.backend.with_user(user_b).read(["name"])


@tagged("post_install", "-at_install")
class TestPaymentsAndPayouts(OmniTestChannelCase):
    def _payout(self, status="paid"):
        from decimal import Decimal

        from odoo.addons.omni_connector_base.tools import canonical

        return canonical.Payout(
            external_id="po_1",
            amount=Decimal("35.19"),
            currency="EUR",
            status=status,
            payments=(
                canonical.Payment(
                    external_id="txn_1",
                    payment_type="charge",
                    amount=Decimal("36.52"),
                    fee=Decimal("1.33"),
                    currency="EUR",
                    order_external_id="1001",
                    processor="omnitest",
                    processor_reference="ch_1",
                ),
                canonical.Payment(
                    external_id="txn_2",
                    payment_type="charge",
                    amount=Decimal("9.99"),
                    fee=Decimal("0.59"),
                    currency="EUR",
                    processor="omnitest",
                    order_external_id="404",
                ),
            ),
        )

    def test_payout_with_payments_is_idempotent(self):
        self.deliver(order_payload())
        importer = self.env["omni.importer"]
        payout = importer.import_payout(self.backend, self._payout())
        payments = payout.payment_ids
        self.assertEqual(len(payments), 2)
        charge = payments.filtered(lambda p: p.external_id == "txn_1")
        self.assertEqual(charge.order_id, self.omni_order())
        self.assertEqual(
            (charge.amount, charge.fee_amount, charge.net_amount), (36.52, 1.33, 35.19)
        )
        orphan = payments - charge
        self.assertFalse(orphan.order_id, "an unmatched payment stays visible, unlinked")
        self.assertEqual(orphan.order_external_ref, "404")
        self.env.flush_all()
        stamps = payments.mapped("write_date")
        importer.import_payout(self.backend, self._payout())
        self.env.flush_all()
        self.assertEqual(payments.mapped("write_date"), stamps, "re-import writes nothing")
        self.assertEqual(
            self.env["omni.payment"].search_count([("backend_id", "=", self.backend.id)]), 2
        )
        importer.import_payout(self.backend, self._payout(status="failed"))
        self.assertEqual(payout.status, "failed")
        self.assertEqual(
            len(self.env["omni.payout"].search([("backend_id", "=", self.backend.id)])), 1
        )
