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
