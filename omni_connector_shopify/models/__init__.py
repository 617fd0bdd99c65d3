from . import omni_backend, omni_status_map
