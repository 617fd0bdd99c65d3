"""Constants of the Stripe connector (as Odoo's own ``payment_stripe/const.py``)."""

from datetime import timedelta

SIGNATURE_TOLERANCE = 300  # seconds, as Stripe's own libraries
POLL_OVERLAP = timedelta(days=3)  # payouts change status for days after creation
PULL_CHUNK = 20  # events stored per chunk while pulling

# Topics of the events the pull stores (a payout with its transactions; one movement).
PAYOUT_TOPIC = "stripe.payout"
BALANCE_TRANSACTION_TOPIC = "stripe.balance_transaction"
# Webhook deliveries are deduplicated on Stripe's event id, under this key topic.
WEBHOOK_KEY_TOPIC = "stripe.event"

# Event topic -> backend method processing it. A ``prefix.*`` entry stands for every Stripe
# event type under that prefix (the longest prefix wins); others are acknowledged as not used.
# Handlers re-fetch the object an event names: its payload may lag behind Stripe's state.
EVENT_HANDLERS = {
    PAYOUT_TOPIC: "_stripe_process_pulled_payout",
    BALANCE_TRANSACTION_TOPIC: "_stripe_process_pulled_transaction",
    "payout.paid": "_stripe_process_payout_event",
    "payout.failed": "_stripe_process_payout_event",
    "payout.reconciliation_completed": "_stripe_process_payout_event",
    "payout.updated": "_stripe_process_payout_event",
    "payout.canceled": "_stripe_process_payout_event",
    "refund.created": "_stripe_process_refund_event",
    "refund.updated": "_stripe_process_refund_event",
    "refund.failed": "_stripe_process_refund_event",
    "charge.refund.updated": "_stripe_process_refund_event",
    "charge.dispute.*": "_stripe_process_dispute_event",
    "charge.*": "_stripe_process_charge_event",
    "payment_intent.succeeded": "_stripe_process_payment_intent_event",
}
