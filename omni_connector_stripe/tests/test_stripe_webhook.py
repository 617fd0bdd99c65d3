import json
import time

from omni_sandboxes.stripe_sandbox import event_payload, sign_payload

from odoo.tests import tagged

from .common import WEBHOOK_SECRET, StripeWebhookCase


@tagged("post_install", "-at_install")
class TestStripeWebhook(StripeWebhookCase):
    world_kwargs = {"days": 6, "charges_per_day": 3}

    def test_each_webhook_type_imports_its_money(self):
        charge_event = self.deliver(self.first_event("charge.succeeded"))
        self.assertEqual(charge_event.state, "done", charge_event.error_message)
        charge = self.first_event("charge.succeeded")["data"]["object"]
        payment = charge_event.omni_payment_id
        self.assertEqual(payment.external_id, charge["balance_transaction"])
        self.assertTrue(payment.move_id, "a receipt is booked before its payout")

        refund_event = self.deliver(self.first_event("charge.refunded"))
        self.assertEqual(refund_event.state, "done", refund_event.error_message)
        self.assertEqual(refund_event.omni_payment_id.payment_type, "refund")

        intent_event = self.deliver(self.first_event("payment_intent.succeeded"))
        self.assertEqual(intent_event.state, "done", intent_event.error_message)

        payout_event = self.deliver(self.first_event("payout.paid"))
        self.assertEqual(payout_event.state, "done", payout_event.error_message)
        payout = payout_event.omni_payout_id
        self.assertEqual(payout.status, "paid")
        self.assertTrue(payout.move_id)
        # The charge booked on its own is not booked again inside its payout.
        self.assertEqual(len(payment.move_id), 1)

        other = (
            self.deliver(self.first_event("charge.dispute.created"))
            if any(e["type"] == "charge.dispute.created" for e in self.world.events)
            else None
        )
        if other:
            self.assertEqual(other.state, "done", other.error_message)

    def test_failed_payout_reverses_what_it_booked(self):
        failed = next(e for e in self.world.events if e["type"] == "payout.failed")
        event = self.deliver(failed)
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(event.omni_payout_id.status, "failed")
        # Pull everything: the failure's transaction returns the money to the Stripe balance.
        self.pull_and_process()
        self.assertEqual(self.journal_balance(), self.sandbox_balance())

    def test_duplicates_and_out_of_order(self):
        events = self.world.events_for_delivery(shuffle_seed=3, duplicates=5)[:30]
        for event in events:
            body = event_payload(event)
            self.assertEqual(self.post(body, sign_payload(body, WEBHOOK_SECRET)).status_code, 200)
        self.assertEqual(len(self.events()), len({e["id"] for e in events}))
        self.events()._process_job()
        self.assertFalse(
            self.events().filtered(lambda e: e.state != "done").mapped("error_message")
        )
        # Whatever the order, a final pull converges to the account's balance.
        self.pull_and_process()
        self.assertEqual(self.journal_balance(), self.sandbox_balance())

    def test_bad_signature_stale_timestamp_missing_secret(self):
        event = self.first_event("charge.succeeded")
        body = event_payload(event)
        self.assertEqual(self.post(body, sign_payload(body, "whsec_wrong")).status_code, 401)
        self.assertEqual(self.post(body, None).status_code, 401)
        self.assertEqual(self.post(body, "t=abc,v1=00").status_code, 401)
        stale = sign_payload(body, WEBHOOK_SECRET, timestamp=int(time.time()) - 301)
        self.assertEqual(self.post(body, stale).status_code, 401)
        tampered = json.dumps({**event, "id": "evt_forged"}).encode()
        self.assertEqual(self.post(tampered, sign_payload(body, WEBHOOK_SECRET)).status_code, 401)
        # Secret rotation: any of several v1 signatures may match.
        rotated = sign_payload(body, "whsec_old", extra_secrets=(WEBHOOK_SECRET,))
        self.assertEqual(self.post(body, rotated).status_code, 200)
        self.events().unlink()
        self.backend.webhook_secret = False
        self.assertEqual(self.post(body, sign_payload(body, WEBHOOK_SECRET)).status_code, 401)
        self.assertFalse(self.events())
