from . import (
    test_batch,
    test_channel_dates,
    test_locations,
    test_order_payments,
    test_payout_bank,
    test_pipeline,
    test_returns,
    test_roles,
    test_streams,
    test_tour,
    test_unique_keys,
    test_webhook,
)
