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

#: An order line item (an order's own, or one sent in exchange), read by one parser.
LINE_ITEM = """
fragment LineItemFields on LineItem {
  id name sku quantity
  variant { id }
  originalUnitPriceSet { ...MoneyBagFields }
  discountAllocations { allocatedAmountSet { ...MoneyBagFields } }
  taxLines { ...TaxLineFields }
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
  returnStatus
  totalPriceSet { ...MoneyBagFields }
  totalTaxSet { ...MoneyBagFields }
  totalDiscountsSet { ...MoneyBagFields }
  totalTipReceivedSet { ...MoneyBagFields }
  originalTotalDutiesSet { ...MoneyBagFields }
  customer {
    id firstName lastName
    defaultEmailAddress { emailAddress }
    defaultPhoneNumber { phoneNumber }
  }
  billingAddress { ...AddressFields }
  shippingAddress { ...AddressFields }
  lineItems(first: 20) {
    pageInfo { hasNextPage }
    nodes { ...LineItemFields }
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
    return { id }
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
#: The same limit in :data:`BULK_ORDERS_QUERY` (``refunds(first: 250)``).
BULK_REFUNDS_LIMIT = 250

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
    + LINE_ITEM
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

# ---------------------------------------------------------------------------- shop & auth

#: Test connection: the shop, its plan and currency, and the scopes granted to the app.
SHOP_SCOPES_QUERY = """
query OmniShopScopes {
  shop {
    name
    myshopifyDomain
    currencyCode
    plan { publicDisplayName shopifyPlus }
  }
  currentAppInstallation {
    accessScopes { handle }
  }
}
"""

# ---------------------------------------------------------------------------- Shopify Payments

MONEY_V2 = """
fragment MoneyFields on MoneyV2 { amount currencyCode }
"""

#: Payouts issued since a time, oldest first (``query``: ``issued_at:>=...``).
PAYOUTS_QUERY = (
    """
query OmniPayouts($first: Int!, $after: String, $query: String) {
  shopifyPaymentsAccount {
    id
    defaultCurrency
    payouts(first: $first, after: $after, query: $query, sortKey: ISSUED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        legacyResourceId
        issuedAt
        status
        transactionType
        externalTraceId
        net { ...MoneyFields }
        summary {
          chargesGross { ...MoneyFields }
          chargesFee { ...MoneyFields }
          refundsFeeGross { ...MoneyFields }
          refundsFee { ...MoneyFields }
          adjustmentsGross { ...MoneyFields }
          adjustmentsFee { ...MoneyFields }
          reservedFundsGross { ...MoneyFields }
          reservedFundsFee { ...MoneyFields }
          retriedPayoutsGross { ...MoneyFields }
          retriedPayoutsFee { ...MoneyFields }
          advanceGross { ...MoneyFields }
          advanceFees { ...MoneyFields }
        }
      }
    }
  }
}
"""
    + MONEY_V2
)

#: The balance transactions of one payout (``query``: ``payments_transfer_id:<legacy id>``).
BALANCE_TRANSACTIONS_QUERY = (
    """
query OmniBalanceTransactions($first: Int!, $after: String, $query: String) {
  shopifyPaymentsAccount {
    balanceTransactions(first: $first, after: $after, query: $query, sortKey: PROCESSED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        type
        test
        transactionDate
        sourceType
        sourceId
        sourceOrderTransactionId
        adjustmentReason
        amount { ...MoneyFields }
        fee { ...MoneyFields }
        net { ...MoneyFields }
        associatedOrder { id name }
        associatedPayout { id status }
      }
    }
  }
}
"""
    + MONEY_V2
)

# ---------------------------------------------------------------------------- bulk backfill

#: The orders of :data:`ORDERS_QUERY` for a bulk operation: nested connections without
#: ``first`` / ``pageInfo`` (their nodes come as JSONL lines carrying ``__parentId``), lists
#: inline. Kept field for field with ``OrderFields`` so both give the same canonical order.
BULK_ORDERS_QUERY = (
    """
{
  orders(sortKey: UPDATED_AT) {
    edges {
      node {
        id name email note createdAt updatedAt cancelledAt cancelReason
        currencyCode presentmentCurrencyCode taxesIncluded
        displayFinancialStatus displayFulfillmentStatus returnStatus
        totalPriceSet { ...MoneyBagFields }
        totalTaxSet { ...MoneyBagFields }
        totalDiscountsSet { ...MoneyBagFields }
        totalTipReceivedSet { ...MoneyBagFields }
        originalTotalDutiesSet { ...MoneyBagFields }
        customer {
          id firstName lastName
          defaultEmailAddress { emailAddress }
          defaultPhoneNumber { phoneNumber }
        }
        billingAddress { ...AddressFields }
        shippingAddress { ...AddressFields }
        lineItems {
          edges {
            node {
              __typename id name sku quantity
              variant { id }
              originalUnitPriceSet { ...MoneyBagFields }
              discountAllocations { allocatedAmountSet { ...MoneyBagFields } }
              taxLines { ...TaxLineFields }
            }
          }
        }
        shippingLines {
          edges {
            node {
              __typename id title
              originalPriceSet { ...MoneyBagFields }
              discountAllocations { allocatedAmountSet { ...MoneyBagFields } }
              taxLines { ...TaxLineFields }
            }
          }
        }
        transactions(first: 250) {
          id kind status gateway createdAt processedAt receiptJson
          amountSet { ...MoneyBagFields }
        }
        refunds(first: 250) {
          id createdAt note
          return { id }
          refundLineItems(first: 250) {
            nodes {
              quantity restockType
              lineItem { id }
              subtotalSet { ...MoneyBagFields }
              totalTaxSet { ...MoneyBagFields }
            }
          }
        }
      }
    }
  }
}
"""
    + MONEY_BAG
    + ADDRESS
    + TAX_LINE
)

BULK_RUN_QUERY = """
mutation OmniBulkRun($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: true) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}
"""

BULK_OPERATION_QUERY = """
query OmniBulkOperation($id: ID!) {
  bulkOperation(id: $id) {
    id status errorCode objectCount rootObjectCount url partialDataUrl createdAt completedAt
  }
}
"""

# ---------------------------------------------------------------------------- master data

#: Products updated since a time, oldest update first, with their variants' SKU / barcode.
PRODUCTS_QUERY = """
query OmniProducts($first: Int!, $after: String, $query: String) {
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id title updatedAt
      variants(first: 100) {
        pageInfo { hasNextPage }
        nodes { id title sku barcode }
      }
    }
  }
}
"""

#: Customers updated since a time, oldest update first.
CUSTOMERS_QUERY = (
    """
query OmniCustomers($first: Int!, $after: String, $query: String) {
  customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id firstName lastName updatedAt
      defaultEmailAddress { emailAddress }
      defaultPhoneNumber { phoneNumber }
      defaultAddress { ...AddressFields }
    }
  }
}
"""
    + ADDRESS
)

# ---------------------------------------------------------------------------- webhooks

WEBHOOK_SUBSCRIPTIONS_QUERY = """
query OmniWebhookSubscriptions($first: Int!, $after: String, $uri: String) {
  webhookSubscriptions(first: $first, after: $after, uri: $uri) {
    pageInfo { hasNextPage endCursor }
    nodes { id topic uri format }
  }
}
"""

WEBHOOK_CREATE_QUERY = """
mutation OmniWebhookCreate($topic: WebhookSubscriptionTopic!,
                           $subscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $subscription) {
    webhookSubscription { id topic uri format }
    userErrors { field message }
  }
}
"""


#: A return: its lines (which order line, how much requested and processed, why), the exchange
#: items sent in their place (order line items of their own) and the refunds that settle it.
RETURN_FIELDS = """
fragment ReturnFields on Return {
  id name status createdAt closedAt
  returnLineItems(first: 10) {
    pageInfo { hasNextPage }
    nodes {
      id quantity processedQuantity returnReasonNote customerNote
      returnReasonDefinition { name }
      ... on ReturnLineItem { fulfillmentLineItem { lineItem { id } } }
    }
  }
  exchangeLineItems(first: 5) {
    pageInfo { hasNextPage }
    nodes {
      id quantity processedQuantity
      lineItems { ...LineItemFields }
    }
  }
  refunds(first: 5) { nodes { id } }
}
"""

#: The returns of one order (read when the order shows a return status).
ORDER_RETURNS_QUERY = (
    """
query OmniOrderReturns($id: ID!) {
  order(id: $id) {
    id taxesIncluded returnStatus
    returns(first: 5) {
      pageInfo { hasNextPage }
      nodes { ...ReturnFields }
    }
  }
}
"""
    + RETURN_FIELDS
    + LINE_ITEM
    + MONEY_BAG
    + TAX_LINE
)

#: One return, as a returns/* webhook names it.
RETURN_QUERY = (
    """
query OmniReturn($id: ID!) {
  return(id: $id) {
    ...ReturnFields
    order { id taxesIncluded }
  }
}
"""
    + RETURN_FIELDS
    + LINE_ITEM
    + MONEY_BAG
    + TAX_LINE
)

ALL_QUERIES = {
    "SHOP_QUERY": SHOP_QUERY,
    "ORDERS_QUERY": ORDERS_QUERY,
    "ORDER_TRANSACTIONS_QUERY": ORDER_TRANSACTIONS_QUERY,
    "SHOP_SCOPES_QUERY": SHOP_SCOPES_QUERY,
    "PAYOUTS_QUERY": PAYOUTS_QUERY,
    "BALANCE_TRANSACTIONS_QUERY": BALANCE_TRANSACTIONS_QUERY,
    "BULK_ORDERS_QUERY": BULK_ORDERS_QUERY,
    "BULK_RUN_QUERY": BULK_RUN_QUERY,
    "BULK_OPERATION_QUERY": BULK_OPERATION_QUERY,
    "WEBHOOK_SUBSCRIPTIONS_QUERY": WEBHOOK_SUBSCRIPTIONS_QUERY,
    "WEBHOOK_CREATE_QUERY": WEBHOOK_CREATE_QUERY,
    "PRODUCTS_QUERY": PRODUCTS_QUERY,
    "CUSTOMERS_QUERY": CUSTOMERS_QUERY,
    "ORDER_RETURNS_QUERY": ORDER_RETURNS_QUERY,
    "RETURN_QUERY": RETURN_QUERY,
}

# -- stock: locations, inventory items, quantities, fulfilments (omni_backend_stock.py) -----

LOCATIONS_QUERY = """
query OmniLocations($first: Int!, $after: String) {
  locations(first: $first, after: $after, includeInactive: true) {
    nodes { id name isActive fulfillsOnlineOrders shipsInventory }
    pageInfo { hasNextPage endCursor }
  }
}
"""

INVENTORY_ITEMS_QUERY = """
query OmniInventoryItems($first: Int!, $after: String) {
  productVariants(first: $first, after: $after) {
    nodes { id sku barcode inventoryItem { id tracked } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

INVENTORY_LEVELS_QUERY = """
query OmniInventoryLevels($location: ID!, $first: Int!, $after: String) {
  location(id: $location) {
    id
    inventoryLevels(first: $first, after: $after) {
      nodes { updatedAt item { id } quantities(names: ["available"]) { name quantity } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

# 2026-07: the idempotency key is mandatory, and so is changeFromQuantity (null: Odoo is the
# source of truth of the quantities it pushes, no compare-and-swap).
INVENTORY_SET_QUERY = """
mutation OmniSetInventory($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id }
    userErrors { code field message }
  }
}
"""

FULFILLMENT_ORDERS_QUERY = """
query OmniFulfillmentOrders($id: ID!) {
  order(id: $id) {
    id
    fulfillments(first: 10) { id status trackingInfo(first: 3) { number company } }
    fulfillmentOrders(first: 5) {
      nodes {
        id status
        assignedLocation { location { id } }
        lineItems(first: 50) {
          nodes { id remainingQuantity sku variant { id } }
        }
      }
    }
  }
}
"""

FULFILLMENT_CREATE_QUERY = """
mutation OmniFulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status trackingInfo(first: 5) { number company url } }
    userErrors { field message }
  }
}
"""

ALL_QUERIES.update(
    {
        "LOCATIONS_QUERY": LOCATIONS_QUERY,
        "INVENTORY_ITEMS_QUERY": INVENTORY_ITEMS_QUERY,
        "INVENTORY_LEVELS_QUERY": INVENTORY_LEVELS_QUERY,
        "INVENTORY_SET_QUERY": INVENTORY_SET_QUERY,
        "FULFILLMENT_ORDERS_QUERY": FULFILLMENT_ORDERS_QUERY,
        "FULFILLMENT_CREATE_QUERY": FULFILLMENT_CREATE_QUERY,
    }
)
