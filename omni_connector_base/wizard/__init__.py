from . import omni_event_ignore_wizard
