from . import omni_event_report
