from . import (
    omni_backend,
    omni_backend_booking,
    omni_backend_pull,
    omni_backend_setup,
    omni_payment,
)
