from . import omni_backend, omni_backend_booking, omni_backend_pull, omni_payment
