from . import (
    omni_backend,
    omni_backend_orders,
    omni_backend_payouts,
    omni_backend_pull,
    omni_backend_setup,
    omni_backend_stock,
    omni_backend_subscriptions,
    omni_external_id,
    omni_status_map,
    stock_move,
    stock_picking,
)
