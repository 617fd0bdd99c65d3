"""Constants of the 3PL connector (as Odoo's own ``payment_stripe/const.py``)."""

CHANNEL = "3pl"

# ShipBob Developer API 2026-01.
SHIPBOB_ENDPOINT = "https://api.shipbob.com"
SHIPBOB_API = "/2026-01"
SHIPBOB_TIMEOUT = (5, 30)  # connect, read (seconds)
SHIPBOB_DEFAULT_DELAY = 60  # seconds before retrying when ShipBob names no Retry-After
SHIPBOB_SHIPPING_METHOD = "Standard"
TOPIC_HEADER = "x-webhook-topic"

# ShipBob webhook topics -> the dispatch contract's events.
SHIPBOB_TOPIC_EVENTS = {
    "order.shipped": "shipped",
    "order.shipment.delivered": "delivered",
    "order.shipment.exception": "exception",
    "order.shipment.on_hold": "on_hold",
    "order.shipment.cancelled": "cancelled",
}
# ShipBob billing topics -> kind of the transaction (its body: Billing.TransactionDtoV3).
SHIPBOB_BILLING_TOPICS = {
    "billing.charge.created": "charge",
    "billing.refund.created": "refund",
    "billing.credit.created": "credit",
}
SHIPBOB_TOPICS = (*SHIPBOB_TOPIC_EVENTS, *SHIPBOB_BILLING_TOPICS)

# Event topics (omni.event.topic) -> backend method processing them.
SHIPMENT_TOPIC_PREFIX = "3pl.shipment."
CHARGE_TOPIC_PREFIX = "3pl.charge."
EVENT_HANDLERS = {
    **{
        f"{SHIPMENT_TOPIC_PREFIX}{event}": "_tpl_process_shipment"
        for event in ("shipped", "delivered", "exception", "on_hold", "cancelled")
    },
    **{
        f"{CHARGE_TOPIC_PREFIX}{kind}": "_tpl_process_charge"
        for kind in ("charge", "refund", "credit")
    },
}


# A shipped event for a delivery Odoo does not know yet waits this long between attempts
# (the delivery's order may still be on its way in).
WAIT_FOR_DELIVERY_SECONDS = 120

INVENTORY_PAGE_SIZE = 250
POLL_CHUNK = 50  # ShipBob orders read per request by the shipment poll
