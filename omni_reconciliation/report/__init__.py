from . import (
    omni_audit_report,
    omni_recon_dashboard,
    omni_recon_dashboard_channel,
    omni_recon_dashboard_type,
    omni_recon_variance_report,
)
