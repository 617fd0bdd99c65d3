# isort: off
from . import omni_origin_mixin  # first: the documents below inherit it

# isort: on
from . import (
    account_move,
    omni_backend,
    omni_backend_setup,
    omni_backend_stream,
    omni_event,
    omni_event_unique_key,
    omni_external_id,
    omni_importer,
    omni_importer_master_data,
    omni_importer_order,
    omni_importer_payment,
    omni_importer_refund,
    omni_importer_return,
    omni_location,
    omni_order,
    omni_order_refund,
    omni_payment,
    omni_payout,
    omni_return,
    omni_status_map,
    omni_stock_level,
    omni_store_day,
    omni_tax_map,
    sale_order,
    stock_move,
)
