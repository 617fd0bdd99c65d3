"""Every GraphQL document the Shopify connector sends (Admin API 2026-07).

A test validates each of them against the pinned schema and refuses deprecated fields; add new
documents to :data:`ALL_QUERIES` so they are checked too.
"""

API_VERSION = "2026-07"

MONEY_BAG = """
fragment MoneyBagFields on MoneyBag {
  shopMoney { amount currencyCode }
  presentmentMoney { amount currencyCode }
}
"""

ADDRESS = """
fragment AddressFields on MailingAddress {
  name company address1 address2 city zip provinceCode countryCodeV2 phone
}
"""

TAX_LINE = """
fragment TaxLineFields on TaxLine {
  title rate priceSet { ...MoneyBagFields }
}
"""

SHOP_QUERY = """
query OmniShop {
  shop {
    name
    myshopifyDomain
    currencyCode
    plan { publicDisplayName shopifyPlus }
  }
}
"""

ORDER_FIELDS = """
fragment OrderFields on Order {
  id
  name
  email
  note
  createdAt
  updatedAt
  cancelledAt
  cancelReason
  currencyCode
  presentmentCurrencyCode
  taxesIncluded
  displayFinancialStatus
  displayFulfillmentStatus
  totalPriceSet { ...MoneyBagFields }
  totalTaxSet { ...MoneyBagFields }
  totalDiscountsSet { ...MoneyBagFields }
  customer {
    id firstName lastName
    defaultEmailAddress { emailAddress }
    defaultPhoneNumber { phoneNumber }
  }
  billingAddress { ...AddressFields }
  shippingAddress { ...AddressFields }
  lineItems(first: 20) {
    pageInfo { hasNextPage }
    nodes {
      id name sku quantity
      variant { id }
      originalUnitPriceSet { ...MoneyBagFields }
      discountAllocations { allocatedAmountSet { ...MoneyBagFields } }
      taxLines { ...TaxLineFields }
    }
  }
  shippingLines(first: 2) {
    pageInfo { hasNextPage }
    nodes {
      id title
      originalPriceSet { ...MoneyBagFields }
      discountAllocations { allocatedAmountSet { ...MoneyBagFields } }
      taxLines { ...TaxLineFields }
    }
  }
  transactions(first: 5) {
    id kind status gateway createdAt processedAt receiptJson
    amountSet { ...MoneyBagFields }
  }
  refunds(first: 3) {
    id createdAt note
    refundLineItems(first: 5) {
      pageInfo { hasNextPage }
      nodes {
        quantity restockType
        lineItem { id }
        subtotalSet { ...MoneyBagFields }
        totalTaxSet { ...MoneyBagFields }
      }
    }
  }
}
"""

#: ``refunds`` is a list, not a connection: an order showing this many may have more.
ORDER_REFUNDS_LIMIT = 3

#: Orders updated since a time, oldest update first, with cursor pagination.
ORDERS_QUERY = (
    """
query OmniOrders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { ...OrderFields }
  }
}
"""
    + ORDER_FIELDS
    + MONEY_BAG
    + ADDRESS
    + TAX_LINE
)

#: One order's transactions (payments, refunds) with their receipts.
ORDER_TRANSACTIONS_QUERY = (
    """
query OmniOrderTransactions($id: ID!) {
  order(id: $id) {
    id
    transactions(first: 50) {
      id kind status gateway createdAt processedAt receiptJson
      amountSet { ...MoneyBagFields }
    }
  }
}
"""
    + MONEY_BAG
)

ALL_QUERIES = {
    "SHOP_QUERY": SHOP_QUERY,
    "ORDERS_QUERY": ORDERS_QUERY,
    "ORDER_TRANSACTIONS_QUERY": ORDER_TRANSACTIONS_QUERY,
}
