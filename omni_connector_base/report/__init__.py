from . import omni_audit_report, omni_event_report
