"""Constants of the Amazon connector (as Odoo's own ``payment_stripe/const.py``)."""

from datetime import timedelta

# Selling Partner API endpoints per region, and Login with Amazon's token endpoint.
REGION_ENDPOINTS = {
    "na": "https://sellingpartnerapi-na.amazon.com",
    "eu": "https://sellingpartnerapi-eu.amazon.com",
    "fe": "https://sellingpartnerapi-fe.amazon.com",
}
LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"
TOKEN_REFRESH_MARGIN = timedelta(minutes=5)  # renew an access token this long before it expires
TOKEN_LIFETIME = 3600  # seconds, when LWA announces none
LOCK_RETRY_DELAY = 5  # seconds before a job finding the token lock taken tries again

ORDERS_OVERLAP = timedelta(minutes=30)  # orders updated while the last pull ran come again
SETTLEMENTS_OVERLAP = timedelta(days=2)  # reports appear a while after their creation time
ORDERS_PAGE_SIZE = 100
PULL_CHUNK = 20  # events stored per chunk while pulling

SETTLEMENT_REPORT_TYPE = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"

ORDER_TOPIC = "amazon.order"
SETTLEMENT_TOPIC = "amazon.settlement"
# Event topic -> backend method processing it.
EVENT_HANDLERS = {
    ORDER_TOPIC: "_amazon_process_order",
    SETTLEMENT_TOPIC: "_amazon_process_settlement",
}

# Where an order ships from, as an omni.location external id: Amazon's fulfilment network
# (FBA, its own warehouse) or the seller's (merchant fulfilled).
FULFILLED_BY_AMAZON = "AFN"
FULFILLED_BY_MERCHANT = "MFN"

# Settlement rows: (transaction-type, amount-type, amount-description) -> movement type. The
# most specific match wins: the full triple, then (amount-type, amount-description), then
# amount-type alone; what matches nothing is an "adjustment" (never dropped: the rows must add
# up to the deposit).
MOVEMENT_TYPES = {
    # the sale itself
    ("ItemPrice", "Principal"): "principal",
    ("ItemPrice", "Tax"): "tax",
    ("ItemPrice", "Shipping"): "shipping",
    ("ItemPrice", "ShippingTax"): "tax",
    ("ItemPrice", "GiftWrap"): "shipping",
    ("ItemPrice", "GiftWrapTax"): "tax",
    # tax Amazon collects and remits itself (marketplace facilitator): withheld again
    ("ItemWithheldTax", None): "tax",
    # Amazon's fees
    ("ItemFees", "Commission"): "commission",
    ("ItemFees", "RefundCommission"): "refund_commission",
    ("ItemFees", "FBAPerUnitFulfillmentFee"): "fba_fee",
    ("ItemFees", "FBAPerOrderFulfillmentFee"): "fba_fee",
    ("ItemFees", "FBAWeightBasedFee"): "fba_fee",
    ("ItemFees", "ShippingChargeback"): "shipping",
    ("ItemFees", None): "commission",
    ("Promotion", None): "promotion",
    ("ItemPromotion", None): "promotion",
    ("Cost of Advertising", None): "advertising",
    ("FBA Inventory Reimbursement", None): "reimbursement",
    ("other-transaction", "Subscription Fee"): "service_fee",
    ("other-transaction", "Current Reserve Amount"): "reserve_held",
    ("other-transaction", "Previous Reserve Amount Balance"): "reserve_released",
    ("other-transaction", "FBA Inventory Storage Fee"): "fba_fee",
    ("other-transaction", "FBAStorageFee"): "fba_fee",
}
MOVEMENT_TYPES_BY_TRANSACTION = {
    ("Refund", "ItemPrice", "Principal"): "refund",
    ("Refund", "ItemPrice", "Tax"): "refund",
    ("Refund", "ItemPrice", "Shipping"): "refund",
    ("Refund", "ItemPrice", "ShippingTax"): "refund",
    ("ServiceFee", "Cost of Advertising", "TransactionTotalAmount"): "advertising",
}
MOVEMENT_TYPE_DEFAULT = "adjustment"

# Movement type -> omni.payment type: sales and refunds are charges and refunds, Amazon's
# deductions fees, reserves reserves; the movement type itself is kept on the payment's
# description ("commission: Commission") so the settlement booking can split fees per type.
PAYMENT_TYPES = {
    "principal": "charge",
    "tax": "charge",
    "shipping": "charge",
    "promotion": "charge",
    "refund": "refund",
    "commission": "fee",
    "refund_commission": "fee",
    "fba_fee": "fee",
    "advertising": "fee",
    "service_fee": "fee",
    "reserve_held": "reserve",
    "reserve_released": "reserve",
    "reimbursement": "adjustment",
    "adjustment": "adjustment",
}
FEE_MOVEMENTS = frozenset(m for m, kind in PAYMENT_TYPES.items() if kind == "fee")
