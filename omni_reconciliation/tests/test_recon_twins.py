from odoo.tests import tagged

from .common import ReconScenarioCase


@tagged("post_install", "-at_install")
class TestReconPaymentTwins(ReconScenarioCase):
    """A charge recorded by the channel and again by its processor is paid once, and settled
    by the processor's payout."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.processor = cls.env["omni.backend"].create(
            {"name": "Card processor", "channel": "omnitest", "company_id": cls.company.id}
        )

    def paid_order(self, total):
        order = self.omni_order(total)
        self.invoice(self.sale_order(order, total))
        return order

    def exceptions(self, order, types=("overpaid", "underpaid", "unsettled_payment")):
        return self.env["omni.recon.exception"].search(
            [("omni_order_id", "=", order.id), ("exception_type", "in", types)]
        )

    def test_twins_are_counted_once(self):
        payout = self.payout(200.0)
        # The channel's transaction names the processor's charge; the processor's balance
        # transaction of that charge, from another backend, is linked to the same order.
        cross = self.paid_order(100.0)
        self.payment(100.0, cross, processor_reference="ch_cross", available_on=False)
        self.payment(
            100.0, cross, backend=self.processor, processor_reference="ch_cross", payout=payout
        )
        # Shopify Payments: the balance transaction points at the order transaction's id.
        same = self.paid_order(100.0)
        own = self.payment(100.0, same, available_on=False)
        self.payment(100.0, same, processor_reference=own.external_id, payout=payout)
        # Control: two distinct charges on one order are an overpayment.
        double = self.paid_order(100.0)
        self.payment(100.0, double, processor_reference="ch_one", payout=payout)
        self.payment(100.0, double, processor_reference="ch_two", payout=payout)

        self.run_recon()
        self.assertFalse(self.exceptions(cross))
        self.assertFalse(self.exceptions(same))
        overpaid = self.exceptions(double)
        self.assertEqual(overpaid.mapped("exception_type"), ["overpaid"])
        self.assertAlmostEqual(overpaid.amount, 100.0)

        self.env.flush_all()
        report = self.env["omni.recon.variance.report"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertAlmostEqual(sum(report.mapped("paid_amount")), 400.0)
        self.assertAlmostEqual(sum(report.mapped("settled_amount")), 400.0)

    def test_presentment_currency_payments_count_at_the_order_ratio(self):
        usd = self.env.ref("base.USD")
        other = usd if self.currency != usd else self.env.ref("base.EUR")
        other.active = True
        order = self.paid_order(100.0)
        order.write({"presentment_currency_id": other.id, "amount_total_presentment": 110.0})
        self.payment(110.0, order, currency=other, available_on=False)
        self.run_recon()
        self.assertFalse(self.exceptions(order))
