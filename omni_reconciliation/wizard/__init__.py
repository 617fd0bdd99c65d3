from . import omni_recon_run_wizard
