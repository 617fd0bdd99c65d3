# The reconciliation settings: the suffix of the field that holds each one on ``res.company``
# and ``omni.backend`` (``omni_recon_<suffix>``), and the SQL parameter the engine reads it as.
RECON_SETTINGS = {
    "tolerance": "tolerance",
    "delivery_sla_days": "delivery_sla",
    "invoice_sla_days": "invoice_sla",
    "settlement_grace_days": "settlement_grace",
    "bank_days": "bank_days",
    "fx_tolerance_pct": "fx_pct",
    "high_amount": "high_amount",
}

# No setting is negative (a negative delay or tolerance would report what is not due yet).
RECON_SETTINGS_CHECK = "CHECK({})".format(
    " AND ".join(f"COALESCE(omni_recon_{suffix}, 0) >= 0" for suffix in RECON_SETTINGS)
)
