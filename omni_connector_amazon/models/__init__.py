from . import omni_backend, omni_backend_pull, omni_backend_setup, omni_status_map
