from . import omni_backend_setup_wizard, omni_event_ignore_wizard
