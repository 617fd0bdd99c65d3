from . import omni_backend
