from . import omni_backend, omni_importer, omni_payment, omni_store_day
