from . import (
    test_app,
    test_backfill,
    test_fulfillment,
    test_master_data,
    test_parser,
    test_payouts,
    test_pull,
    test_queries,
    test_returns,
    test_shopify_backend,
    test_stock,
    test_webhook,
)
