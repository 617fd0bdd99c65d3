from . import omni_recon_exception
