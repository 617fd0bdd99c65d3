# isort: off
# The dashboard's SQL views read the tables of the other models: it is loaded (and its views
# created) after them.
from . import omni_recon_exception, omni_recon_run, omni_recon_tolerance, omni_recon_variance_report
from . import omni_recon_dashboard
