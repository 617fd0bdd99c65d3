from . import (
    omni_backend,
    omni_backend_stock,
    omni_external_id,
    omni_status_map,
    stock_move,
    stock_picking,
)
