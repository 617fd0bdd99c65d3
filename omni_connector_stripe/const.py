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

# Event topic -> backend method processing it. A ``family.*`` entry stands for every Stripe
# event type of that family; topics in neither are acknowledged as not used.
EVENT_HANDLERS = {
    PAYOUT_TOPIC: "_stripe_process_pulled_payout",
    BALANCE_TRANSACTION_TOPIC: "_stripe_process_pulled_transaction",
    # Webhooks pointing at a payout to (re)import.
    "payout.paid": "_stripe_process_payout_event",
    "payout.failed": "_stripe_process_payout_event",
    "payout.reconciliation_completed": "_stripe_process_payout_event",
    "payout.updated": "_stripe_process_payout_event",
    "payout.canceled": "_stripe_process_payout_event",
    # Webhooks pointing at balance transactions to (re)import.
    "charge.*": "_stripe_process_transaction_event",
    "payment_intent.succeeded": "_stripe_process_transaction_event",
}
