from . import (
    omni_backend,
    omni_backend_feed,
    omni_backend_odoo_pos,
    omni_backend_setup,
    omni_importer,
    omni_payment,
    omni_store_day,
)
