from . import (
    omni_backend,
    omni_backend_inventory,
    omni_backend_outbound,
    omni_dispatch,
    omni_dispatch_charge,
    omni_dispatch_shipment,
    omni_event,
    omni_importer_dispatch,
    omni_location,
    sale_order,
    stock_move,
    stock_picking,
)
