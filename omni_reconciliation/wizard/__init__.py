from . import (
    omni_recon_assign_wizard,
    omni_recon_close_wizard,
    omni_recon_link_payment_wizard,
    omni_recon_run_wizard,
)
