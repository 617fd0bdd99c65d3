from . import (
    omni_backend,
    omni_recon_exception,
    omni_recon_run,
    omni_recon_tolerance,
    res_company,
    res_config_settings,
)
