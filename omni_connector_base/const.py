"""Limits of what the pipeline accepts from a channel (README, "How an event flows"), and the
canonical values every channel maps to."""

# Canonical tenders of a till (the POS contract's ``tender.type``), with their labels.
TENDER_TYPES = [
    ("cash", "Cash"),
    ("card", "Card"),
    ("gift_card", "Gift Card"),
    ("store_credit", "Store Credit"),
    ("other", "Other"),
]

# A webhook body above this is refused at the door (413) before anything is parsed.
MAX_BODY_BYTES = 32 * 1024 * 1024
# JSON nested deeper than this is a payload error (no recursion in any parser reaches it).
MAX_JSON_DEPTH = 64
# Lines of one new order, and records of one POS batch document.
MAX_ORDER_LINES = 5000
MAX_BATCH_RECORDS = 5000
# An error message longer than this is kept as an excerpt.
MAX_ERROR_CHARS = 2000

# Accounting (README, "Accounting"). When the importer invoices a channel order.
INVOICE_POLICIES = [
    ("manual", "Manually"),
    ("on_order", "When the order is imported"),
    ("on_paid", "When the order is paid"),
    ("on_delivery", "When the order is delivered"),
]
# Where a gateway's money sits until it reaches the bank: at a processor (a clearing
# account, settled by its payouts), in the company's bank (outstanding receipts until the
# statement line), in the till (cash) or owed to the customer (gift cards, store credit).
GATEWAY_KINDS = [
    ("processor", "Processor (clearing account)"),
    ("bank", "Bank (outstanding receipts)"),
    ("cash", "Cash"),
    ("stored_value", "Gift card / store credit (liability)"),
]
# Default gateway -> (label, kind, journal code); a channel adds its own.
DEFAULT_GATEWAYS = {
    "stripe": ("Stripe", "processor", "STRP"),
    "shopify_payments": ("Shopify Payments", "processor", "SHPY"),
    "paypal": ("PayPal", "processor", "PYPL"),
    "card": ("Card Terminal", "processor", "CARD"),
    "gift_card": ("Gift Card", "stored_value", "GIFT"),
    "store_credit": ("Store Credit", "stored_value", "GIFT"),
    "cash": ("Cash", "cash", ""),
    "manual": ("Manual", "bank", ""),
    "bank_deposit": ("Bank Deposit", "bank", ""),
    "cash_on_delivery_(cod)": ("Cash on Delivery", "bank", ""),
    "cash_on_delivery": ("Cash on Delivery", "bank", ""),
    "cod": ("Cash on Delivery", "bank", ""),
    "money_order": ("Money Order", "bank", ""),
}
# Movements that are the customer's money for an order (registered as its payments);
# the others (fees, disputes, reserves, payouts...) are the settlement's.
CUSTOMER_MONEY_TYPES = ("charge", "refund", "gift_card", "cash")
# Movement statuses that moved no money.
FAILED_PAYMENT_STATES = (
    "failure",
    "failed",
    "error",
    "canceled",
    "cancelled",
    "void",
    "voided",
    "reversed",
)

# Manual actions the audit trail lists (omni.audit.report); the reconciliation adds its own.
AUDIT_ACTIONS = [
    ("event_retry", "Event retried"),
    ("event_replay", "Event replayed"),
    ("event_ignore", "Event ignored"),
    ("event_process_now", "Event processed now"),
]
