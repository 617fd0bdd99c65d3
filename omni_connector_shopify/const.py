"""Constants of the Shopify connector: topics, streams, scopes, page sizes and waits."""

from datetime import timedelta

from odoo.tools.translate import _lt

# ----------------------------------------------------------------------------------------
# Webhook topics (Shopify's names) and the topics of what the pulls store
# ----------------------------------------------------------------------------------------

HMAC_HEADER = "X-Shopify-Hmac-Sha256"
TOPIC_HEADER = "X-Shopify-Topic"
WEBHOOK_ID_HEADER = "X-Shopify-Webhook-Id"
SHOP_DOMAIN_HEADER = "X-Shopify-Shop-Domain"

ORDER_TOPICS = (
    "orders/create",
    "orders/updated",
    "orders/cancelled",
    "orders/paid",
    "orders/fulfilled",
    "orders/partially_fulfilled",
)
# orders/edited carries an ``order_edit`` (the delta), not the order: the pull re-reads it.
EDIT_TOPIC = "orders/edited"
REFUND_TOPIC = "refunds/create"
TRANSACTION_TOPIC = "order_transactions/create"
DISPUTE_TOPICS = ("disputes/create", "disputes/update")
#: A return changed: the return is read again through the API (RETURN_QUERY) and imported.
RETURN_TOPICS = (
    "returns/request",
    "returns/approve",
    "returns/decline",
    "returns/cancel",
    "returns/close",
    "returns/reopen",
    "returns/process",
    "returns/update",
)
FULFILLMENT_TOPICS = ("fulfillments/create", "fulfillments/update")
INVENTORY_TOPIC = "inventory_levels/update"
PRODUCT_TOPIC = "products/update"
UNINSTALLED_TOPIC = "app/uninstalled"
#: Every topic the backend subscribes to.
WEBHOOK_TOPICS = (
    *ORDER_TOPICS,
    EDIT_TOPIC,
    REFUND_TOPIC,
    TRANSACTION_TOPIC,
    *FULFILLMENT_TOPICS,
    *DISPUTE_TOPICS,
    *RETURN_TOPICS,
    INVENTORY_TOPIC,
    PRODUCT_TOPIC,
    UNINSTALLED_TOPIC,
)

POLL_TOPIC = "orders/graphql"  # an order node fetched by the pull (GraphQL shape)
# The same node read from a bulk operation's JSONL: shares the pull's idempotency keys (key
# topic POLL_TOPIC), but holds up to BULK_REFUNDS_LIMIT refunds.
BULK_TOPIC = "orders/bulk"
#: A return node read with its order (GraphQL shape): one event per return and content.
RETURN_POLL_TOPIC = "returns/graphql"
PRODUCT_POLL_TOPIC = "products/graphql"
CUSTOMER_POLL_TOPIC = "customers/graphql"
PAYOUT_TOPIC = "shopify_payments/payout"  # a payout and its balance transactions (GraphQL)
BALANCE_TOPIC = "shopify_payments/balance_transaction"  # one not paid out yet

#: How each topic is processed: topic -> handler method of omni.backend, called with the
#: event and its payload (a dict); it returns the event's links.
TOPIC_HANDLERS = {
    POLL_TOPIC: "_shopify_handle_order_node",
    BULK_TOPIC: "_shopify_handle_order_node",
    **dict.fromkeys(ORDER_TOPICS, "_shopify_handle_order_rest"),
    EDIT_TOPIC: "_shopify_handle_order_edit",
    REFUND_TOPIC: "_shopify_handle_refund",
    TRANSACTION_TOPIC: "_shopify_handle_movement",
    BALANCE_TOPIC: "_shopify_handle_movement",
    **dict.fromkeys(DISPUTE_TOPICS, "_shopify_handle_movement"),
    PAYOUT_TOPIC: "_shopify_handle_payout",
    **dict.fromkeys(RETURN_TOPICS, "_shopify_handle_return_webhook"),
    RETURN_POLL_TOPIC: "_shopify_handle_return_node",
    PRODUCT_TOPIC: "_shopify_handle_product",
    PRODUCT_POLL_TOPIC: "_shopify_handle_product",
    CUSTOMER_POLL_TOPIC: "_shopify_handle_customer",
    INVENTORY_TOPIC: "_shopify_handle_inventory_level",
    **dict.fromkeys(FULFILLMENT_TOPICS, "_shopify_handle_fulfillment"),
    UNINSTALLED_TOPIC: "_shopify_handle_uninstalled",
}

# ----------------------------------------------------------------------------------------
# Connection
# ----------------------------------------------------------------------------------------

#: Scopes the connector needs; ``write_x`` grants ``read_x`` too.
REQUIRED_SCOPES = (
    "read_orders",
    "read_returns",
    "read_products",
    "read_customers",
    "read_shopify_payments_payouts",
    "read_locations",
    "write_inventory",
    "write_merchant_managed_fulfillment_orders",
)
TOKEN_REFRESH_MARGIN = timedelta(minutes=5)  # refresh a client-credentials token this early
TOKEN_LIFETIME = 600  # seconds a token announced without lifetime is trusted
LOCK_RETRY_DELAY = 5  # seconds before a job finding the token being renewed tries again

# ----------------------------------------------------------------------------------------
# Pulls (streams, windows, page sizes)
# ----------------------------------------------------------------------------------------

ORDERS_STREAM = "orders"
PAYOUTS_STREAM = "shopify_payouts"
PRODUCTS_STREAM = "shopify_products"
CUSTOMERS_STREAM = "shopify_customers"
BULK_STREAM = "shopify_orders_bulk"
STOCK_STREAM = "shopify_stock"

MAX_PAGES_PER_JOB = 50  # then the walk continues in a new job
POLL_OVERLAP = timedelta(minutes=15)
PAYOUT_OVERLAP = timedelta(days=3)  # payouts stay scheduled / in transit for days
MASTER_PAGE_SIZE = 5
PAYOUT_PAGE_SIZE = 10
PAGE_SIZE = 100  # nodes per page of the connections read whole (locations, subscriptions...)
FINAL_PAYOUT_STATES = ("PAID", "FAILED", "CANCELED")
#: Master data pulls: stream -> (query name in ``tools.queries``, connection field, topic).
MASTER_PULLS = {
    PRODUCTS_STREAM: ("PRODUCTS_QUERY", "products", PRODUCT_POLL_TOPIC),
    CUSTOMERS_STREAM: ("CUSTOMERS_QUERY", "customers", CUSTOMER_POLL_TOPIC),
}

BULK_POLL_DELAY = 10  # seconds between two polls of a running bulk operation
BULK_MAX_FAILURES = 20  # polls that fail (network...) before the job gives up
BULK_BUSY_DELAY = 60  # seconds to wait for another bulk operation of the shop to end
BULK_CHUNK = 200  # events stored per chunk while reading the JSONL
BULK_RUNNING = ("CREATED", "RUNNING", "CANCELING")

WAIT_FOR_ORDER = 60  # seconds a record waits (per attempt) for its order to be imported
OPEN_FULFILLMENT_ORDER = ("OPEN", "IN_PROGRESS")

# ----------------------------------------------------------------------------------------
# Jobs
# ----------------------------------------------------------------------------------------

#: What each job of a backend does, for its queue_job description.
JOB_LABELS = {
    "_shopify_pull_orders": _lt("pull orders"),
    "_shopify_pull_payouts": _lt("pull Shopify Payments payouts"),
    "_shopify_pull_master": _lt("pull master data"),
    "_shopify_bulk_start": _lt("start the bulk backfill"),
    "_shopify_bulk_poll": _lt("collect the bulk backfill"),
    "_shopify_sync_webhooks": _lt("check the webhook subscriptions"),
    "_shopify_pull_locations": _lt("pull the locations and inventory items"),
    "_shopify_push_stock": _lt("push stock levels"),
    "_shopify_push_fulfillment": _lt("push a delivery as a fulfilment"),
}
