from collections import Counter
from decimal import Decimal

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools.misc import format_amount

from odoo.addons.queue_job.exception import RetryableJobError

from odoo.addons.omni_connector_base.tools.dates import parse_unix, to_odoo
from odoo.addons.omni_connector_base.tools.errors import PayloadError

from .common import StripeCase, major_units


@tagged("post_install", "-at_install")
class TestStripeMonth(StripeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pulled = cls.pull_and_process(cls)

    def payments(self):
        return self.env["omni.payment"].search([("backend_id", "=", self.backend.id)])

    def test_every_balance_transaction_once(self):
        self.assertEqual(
            set(self.pulled.mapped("state")),
            {"done"},
            self.pulled.filtered(lambda e: e.state != "done").mapped("error_message"),
        )
        payments = self.payments()
        self.assertEqual(
            sorted(payments.mapped("external_id")),
            sorted(t["id"] for t in self.world.balance_transactions),
        )
        expected_types = Counter()
        for txn in self.world.balance_transactions:
            kind = {
                "charge": "charge",
                "refund": "refund",
                "payout": "payout",
                "payout_failure": "payout",
            }.get(txn["type"], "adjustment")
            kind = {"dispute": "dispute", "dispute_reversal": "dispute_reversal"}.get(
                txn.get("reporting_category"), kind
            )
            expected_types[kind] += 1
        self.assertEqual(Counter(payments.mapped("payment_type")), expected_types)
        self.assertTrue(all(payments.mapped("move_id")), "every movement is booked")
        self.assertEqual(set(payments.move_id.mapped("state")), {"posted"})

    def test_amounts_exact_in_minor_units(self):
        stored = self.stored_amounts("omni.payment", ["amount", "fee_amount", "net_amount"])
        currencies = {p.external_id: p.currency_id.name for p in self.payments()}
        for txn in self.world.balance_transactions:
            code = txn["currency"].upper()
            self.assertEqual(currencies[txn["id"]], code)
            self.assertEqual(
                stored[txn["id"]],
                tuple(major_units(txn[k], code) for k in ("amount", "fee", "net")),
            )
        jpy = self.payments().filtered(lambda p: p.currency_id.name == "JPY")
        self.assertEqual(
            set(jpy.mapped("external_id")),
            {txn["id"] for txn in self.world.balance_transactions if txn["currency"] == "jpy"},
        )
        self.assertTrue(all(p.amount == int(p.amount) for p in jpy), "JPY has no minor unit")

    def test_payouts(self):
        payouts = self.env["omni.payout"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(
            sorted(payouts.mapped("external_id")), sorted(p["id"] for p in self.world.payouts)
        )
        failed = payouts.filtered(lambda p: p.external_id == self.world.failed_payout_id)
        self.assertEqual(failed.status, "failed")
        for payout in payouts:
            source = next(p for p in self.world.payouts if p["id"] == payout.external_id)
            code = source["currency"].upper()
            self.assertEqual(Decimal(str(payout.amount)), major_units(source["amount"], code))
            expected = {t["id"] for t in self.world.transactions_of_payout(payout.external_id)}
            self.assertEqual(set(payout.payment_ids.mapped("external_id")), expected)
            # Net of what it pays out (its own transaction excluded) equals its amount.
            own_txn = source["balance_transaction"]
            paid = payout.payment_ids.filtered(lambda p, own=own_txn: p.external_id != own)
            self.assertAlmostEqual(
                sum(paid.mapped("net_amount")),
                payout.amount,
                places=payout.currency_id.decimal_places,
            )
            self.assertTrue(payout.move_id)

    def test_journal_balance_equals_stripe_balance_in_every_currency(self):
        self.assertEqual(self.journal_balance(), self.sandbox_balance())

    def test_fees_summarised_per_payout(self):
        payout = self.env["omni.payout"].search(
            [("backend_id", "=", self.backend.id), ("payment_ids.fee_amount", "!=", 0)], limit=1
        )
        fee_lines = payout.move_id.line_ids.filtered(
            lambda line: line.account_id == self.fee_account
        )
        self.assertEqual(len(fee_lines), 1)
        self.assertAlmostEqual(
            fee_lines.amount_currency, sum(payout.payment_ids.mapped("fee_amount")), places=2
        )
        transfer = payout.move_id.line_ids.filtered(
            lambda line: line.account_id == self.company.transfer_account_id
        )
        self.assertTrue(
            transfer, "the payout moves money towards the bank through the transfer account"
        )

    def test_dispute_lost_and_won(self):
        lost = self.world.get(self.world.lost_dispute_id)
        won = self.world.get(self.world.won_dispute_id)
        disputes = self.payments().filtered(lambda p: p.payment_type == "dispute")
        reversals = self.payments().filtered(lambda p: p.payment_type == "dispute_reversal")
        self.assertEqual(
            set(disputes.mapped("processor_reference")), {lost["charge"], won["charge"]}
        )
        self.assertEqual(reversals.processor_reference, won["charge"])
        lines = (disputes | reversals).move_id.line_ids.filtered(
            lambda line: line.account_id == self.dispute_account
        )
        lost_code = lost["currency"].upper()
        lost_total = sum(
            line.amount_currency for line in lines if line.currency_id.name == lost_code
        )
        self.assertAlmostEqual(lost_total, float(major_units(lost["amount"], lost_code)), 2)

    def test_charges_matched_to_orders_or_left_visible(self):
        charges = self.payments().filtered(lambda p: p.payment_type == "charge")
        names = set(self.orders.mapped("name"))
        matched = charges.filtered("order_id")
        # the world's charges naming one of the orders (metadata.order_ref) in its currency
        # (USD), and only those: a charge in another currency never adds to an order
        expected = {
            charge["balance_transaction"]: charge["metadata"]["order_ref"]
            for charge in self.world.charges
            if charge["metadata"].get("order_ref") in names and charge["currency"] == "usd"
        }
        self.assertTrue(expected, "the generated month pays some of the orders")
        self.assertEqual({p.external_id: p.order_id.name for p in matched}, expected)
        for charge in matched:
            registration = charge.account_payment_id
            self.assertEqual(
                (registration.partner_id, registration.journal_id, registration.state),
                (self.customer, self.stripe_journal, "posted"),
                "a matched receipt is registered for the customer in the Stripe journal",
            )
        unmatched = charges - matched
        self.assertEqual(
            set(unmatched.mapped("external_id")),
            {charge["balance_transaction"] for charge in self.world.charges} - set(expected),
            "charges of unknown orders stay visible, unmatched",
        )
        naming_an_order = unmatched.filtered(lambda p: p.order_external_ref in names)
        self.assertTrue(naming_an_order, "the month has charges naming an order in EUR or JPY")
        self.assertNotIn(
            self.env.ref("base.USD"),
            naming_an_order.currency_id,
            "the unmatched charges naming an order are those in another currency",
        )

    def test_reimport_changes_nothing(self):
        moves_before = self.env["account.move"].search_count(
            [("journal_id", "=", self.stripe_journal.id)]
        )
        payments_before = self.payments()
        events = self.pull_and_process()
        self.assertFalse(events, "the same month pulled again yields no new event")
        self.assertEqual(self.payments(), payments_before)
        self.assertEqual(
            self.env["account.move"].search_count([("journal_id", "=", self.stripe_journal.id)]),
            moves_before,
        )
        self.assertEqual(self.journal_balance(), self.sandbox_balance())
        newest = max(payout["created"] for payout in self.world.payouts)
        self.assertEqual(self.backend._stream("payouts").watermark, to_odoo(parse_unix(newest)))


@tagged("post_install", "-at_install")
class TestStripeFaults(StripeCase):
    world_kwargs = {"days": 8, "charges_per_day": 3}

    def test_faults_converge_to_the_same_result(self):
        for kind in ("429", "500", "drop"):
            self.sandbox.add_fault(kind, "/v1/balance_transactions", times=1, retry_after=7)
        self.sandbox.add_fault("429", "/v1/payouts", times=1, retry_after=7)
        failures = []
        for __ in range(10):
            try:
                with self.env.cr.savepoint():
                    self.pull_and_process()
                break
            except RetryableJobError as err:  # what queue_job retries later
                failures.append(err)
        self.assertEqual(len(failures), 4)
        self.assertEqual(failures[0].seconds, 7, "Retry-After is honoured")
        self.assertEqual(self.journal_balance(), self.sandbox_balance())
        self.assertEqual(
            self.env["omni.payment"].search_count([("backend_id", "=", self.backend.id)]),
            len(self.world.balance_transactions),
        )

    def test_charge_matched_through_another_channels_record(self):
        """A charge without order metadata finds its order through the Shopify transaction
        (another backend) that carries the same Stripe charge id."""
        charge = next(c for c in self.world.charges if not c["metadata"])
        order = self.orders[0]
        # in the charge's currency: a movement is linked in its order's currency only
        order.currency_id = self.env.ref(f"base.{charge['currency'].upper()}")
        self.env["omni.payment"].create(
            {
                "backend_id": self.shop.id,
                "external_id": "gid://shopify/OrderTransaction/1",
                "payment_type": "charge",
                "currency_id": order.currency_id.id,
                "processor_reference": charge["id"],
                "order_id": order.id,
            }
        )
        self.pull_and_process()
        payment = self.env["omni.payment"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("external_id", "=", charge["balance_transaction"]),
            ]
        )
        self.assertEqual(payment.order_id, order)
        self.assertEqual(payment.order_external_ref, "")

    def test_receipt_settles_the_orders_invoice(self):
        charge = next(
            c
            for c in self.world.charges
            if c["currency"] == "usd" and c["metadata"].get("order_ref")
        )
        order = self.orders.filtered(lambda o: o.name == charge["metadata"]["order_ref"])
        order = order or self.env["omni.order"].create(
            {
                "backend_id": self.shop.id,
                "name": charge["metadata"]["order_ref"],
                "external_id": "inv-test",
                "currency_id": self.env.ref("base.USD").id,
                "partner_id": self.customer.id,
            }
        )
        product = self.env["product.product"].create(
            {"name": "Service", "detailed_type": "service", "invoice_policy": "order"}
        )
        sale_order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": product.id,
                            "product_uom_qty": 1,
                            "tax_id": [(5,)],
                            "price_unit": charge["amount"] / 100,
                        },
                    )
                ],
            }
        )
        sale_order.action_confirm()
        invoice = sale_order._create_invoices()
        invoice.action_post()
        order.sale_order_id = sale_order
        self.pull_and_process()
        payment = self.env["omni.payment"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("external_id", "=", charge["balance_transaction"]),
            ]
        )
        self.assertEqual(payment.order_id, order)
        receivable = payment.account_payment_id.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertEqual(receivable.partner_id, order.partner_id, receivable.read())
        self.assertEqual(
            invoice.payment_state, "paid", receivable.read(["matched_debit_ids", "amount_residual"])
        )

    def test_wrong_key_is_a_permanent_connection_error(self):
        self.backend.stripe_secret_key = "sk_test_wrong"
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "error")
        self.assertIn("AuthenticationError", self.backend.connection_message)
        self.assertNotIn("sk_test_wrong", self.backend.connection_message)

    def test_connection_ok(self):
        """The test says the balance as a user reads it: each currency's amount in major units
        with its symbol ("$512.58", "¥3,500"), never Stripe's minor units."""
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "connected", self.backend.connection_message)
        message = self.backend.connection_message
        self.assertNotIn("minor units", message)
        balance = self.world.balance()
        for kind in ("available", "pending"):
            for entry in balance[kind]:
                code = entry["currency"].upper()
                amount = major_units(entry["amount"], code)
                shown = format_amount(self.env, float(amount), self.env.ref(f"base.{code}"))
                self.assertIn(f"{kind} {shown}", message)
        self.assertIn("¥", message)  # JPY, zero-decimal, with its symbol

    def test_setup_guide(self):
        """The guide asks for the key where it goes, then tests the connection; once the
        journal and the webhook secret are set the account is ready."""
        bare = self.make_backend("Guided Stripe", stripe_secret_key=False, webhook_secret=False)
        guide = self.env["omni.backend.setup.wizard"].create({"backend_id": bare.id})
        self.assertIn("restricted key", guide.next_step)
        self.assertIn("Secret Key", guide.next_step)
        guide = self.env["omni.backend.setup.wizard"].create({"backend_id": self.backend.id})
        guide.action_test_connection()
        guide.invalidate_recordset()
        self.assertTrue(guide.ready, guide.next_step)
        self.backend.webhook_secret = False
        guide.invalidate_recordset()
        self.assertIn("Developers ▸ Webhooks", guide.next_step)
        self.assertIn(self.backend.webhook_url, guide.next_step)
        self.assertIn("payout.paid", guide.next_step, "the events to send, from the handlers")

    def test_connection_amount_formatting(self):
        """Stripe's exponents (ISK counted in hundredths), Odoo's symbols, and a currency Odoo
        does not know: its amount and ISO code, never a crash."""
        usd, isk = self.env.ref("base.USD"), self.env.ref("base.ISK")
        self.assertEqual(
            self.backend._stripe_format_amount(51258, "usd"), format_amount(self.env, 512.58, usd)
        )
        self.assertEqual(
            self.backend._stripe_format_amount(50000, "isk"), format_amount(self.env, 500, isk)
        )
        self.assertEqual(self.backend._stripe_format_amount(-1250, "QQQ"), "-12.50 QQQ")
        with self.assertRaises(PayloadError):  # hostile: not an integer
            self.backend._stripe_format_amount("12.5", "usd")

    def test_secret_key_for_managers_only(self):
        user = new_test_user(self.env, "stripe_user", groups="omni_connector_base.group_omni_user")
        with self.assertRaises(AccessError):
            self.backend.with_user(user).read(["stripe_secret_key"])

    def test_per_transaction_fees(self):
        self.backend.fee_booking = "per_transaction"
        self.pull_and_process()
        payout = self.env["omni.payout"].search(
            [("backend_id", "=", self.backend.id), ("payment_ids.fee_amount", "!=", 0)], limit=1
        )
        fee_lines = payout.move_id.line_ids.filtered(
            lambda line: line.account_id == self.fee_account
        )
        self.assertEqual(len(fee_lines), len(payout.payment_ids.filtered("fee_amount")))
        self.assertEqual(self.journal_balance(), self.sandbox_balance())

    def test_missing_account_fails_visibly_without_half_booking(self):
        self.backend.settlement_fee_account_id = False
        events = self.pull_and_process()
        failed = events.filtered(lambda e: e.state == "failed")
        self.assertTrue(failed)
        self.assertEqual(set(failed.mapped("error_class")), {"mapping"})
        self.assertIn("Fee Account", failed[0].error_message)
        # Nothing of a failed event is half-written: no payout, no movement, no entry.
        failed_payouts = failed.filtered(lambda e: e.topic == "stripe.payout").mapped("external_id")
        self.assertTrue(failed_payouts)
        self.assertFalse(self.env["omni.payout"].search([("external_id", "in", failed_payouts)]))
        self.assertFalse(self.env["account.move"].search([("ref", "in", failed_payouts)]))
        # Configure it and retry: everything books, the invariant holds.
        self.backend.settlement_fee_account_id = self.fee_account
        failed.action_retry()
        failed._process_job()
        self.assertEqual(set(failed.mapped("state")), {"done"})
        self.assertEqual(self.journal_balance(), self.sandbox_balance())
