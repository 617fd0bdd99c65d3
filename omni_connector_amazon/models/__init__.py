from . import omni_backend, omni_backend_pull, omni_status_map
