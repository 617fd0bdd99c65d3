"""Checks of store days: the Z report of each tender against its transactions."""

from odoo.tools.translate import _lt

from .formatting import money
from .scope import BACKEND, positions

# The title and details of the exceptions, by SQL parameter (see the package docstring).
TEXTS = {
    "z_report_gap_title": _lt(
        "%(store)s %(date)s: %(tender)s Z report %(declared)s, transactions %(received)s",
        **positions("store", "date", "tender", "declared", "received"),
    ),
    "z_report_gap_details": _lt(
        "The Z report of %(store)s for %(date)s declares %(declared)s in %(tender)s but the "
        "%(count)s transaction(s) received for that tender add up to %(received)s (gap %(gap)s).",
        **positions("store", "date", "declared", "tender", "count", "received", "gap"),
    ),
}

# A store-day check links the day and its event, which the order-chain checks do not carry.
INSERT_STORE_DAY = """
INSERT INTO omni_recon_cand (key, exception_type, severity, amount, backend_id, date,
    omni_event_id, store_day_id, name, explanation)
"""

CHECKS = [
    (
        "z_report_gap",
        INSERT_STORE_DAY
        + f"""
SELECT 'z_report_gap:tender:' || t.id, 'z_report_gap',
       CASE WHEN ABS(t.gap_amount) * COALESCE(fx.factor, 1.0) >= %(high_amount)s
            THEN 'high' ELSE 'medium' END,
       ROUND(ABS(t.gap_amount) * COALESCE(fx.factor, 1.0), %(digits)s), d.backend_id,
       d.business_date, d.event_id, d.id,
       format(%(z_report_gap_title)s, loc.name, d.business_date, t.tender,
              {money("t.z_amount", "d.currency_id")},
              {money("t.transactions_amount", "d.currency_id")}),
       format(%(z_report_gap_details)s, loc.name, d.business_date,
              {money("t.z_amount", "d.currency_id")},
              t.tender, COALESCE(t.transaction_count, 0),
              {money("t.transactions_amount", "d.currency_id")},
              {money("t.gap_amount", "d.currency_id")})
  FROM omni_store_day_tender t
  JOIN omni_store_day d ON d.id = t.store_day_id
  JOIN omni_location loc ON loc.id = d.location_id
  JOIN res_currency cur ON cur.id = d.currency_id
  LEFT JOIN omni_recon_fx fx ON fx.currency_id = d.currency_id
 WHERE d.company_id = %(company)s
   AND """
        + BACKEND.format(alias="d")
        + """
   AND d.business_date BETWEEN %(date_from)s AND %(date_to)s
   AND d.z_reported
   -- tolerance in the day's currency: never below half its rounding (JPY: 0.5)
   AND ABS(t.gap_amount) > COALESCE(fx.tolerance, GREATEST(%(tolerance)s, cur.rounding / 2.0))
""",
    ),
]
