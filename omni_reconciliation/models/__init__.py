from . import omni_recon_exception, omni_recon_run, omni_recon_tolerance
