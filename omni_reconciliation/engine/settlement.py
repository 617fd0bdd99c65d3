"""Checks of settlement: movements paid out, payouts against their movements and the bank."""

from odoo.tools.translate import _lt

from .scope import CHARGES_OF_RUN, INSERT_CANDIDATE, PAYMENTS_OF_RUN, PAYOUTS_OF_RUN, positions

# The title and details of the exceptions, by SQL parameter (see the package docstring).
TEXTS = {
    "unsettled_payment_title": _lt(
        "Charge %(charge)s not settled %(days)s day(s) after it was due",
        **positions("charge", "days"),
    ),
    "unsettled_payment_details": _lt(
        "Charge %(charge)s (net %(net)s) was available on %(available_on)s and is in no payout "
        "yet (grace %(days)s day(s)).",
        **positions("charge", "net", "available_on", "days"),
    ),
    "payout_mismatch_title": _lt(
        "Payout %(payout)s: %(amount)s paid out, its %(count)s transaction(s) net %(net)s",
        **positions("payout", "amount", "count", "net"),
    ),
    "payout_mismatch_details": _lt(
        "Payout %(payout)s amounts to %(amount)s but the net of the %(count)s movement(s) it "
        "settles is %(net)s (gap %(gap)s).",
        **positions("payout", "amount", "count", "net", "gap"),
    ),
    "payout_not_banked_title": _lt(
        "Payout %(payout)s of %(amount)s not found in the bank",
        **positions("payout", "amount"),
    ),
    "payout_not_banked_details": _lt(
        "Payout %(payout)s (%(amount)s, trace %(trace)s) arrived on %(arrival)s according to the "
        "processor but no bank statement line matches it after %(days)s day(s).",
        **positions("payout", "amount", "trace", "arrival", "days"),
    ),
    "movement_fee_variance_title": _lt(
        "Movement %(movement)s: fee charged %(charged)s, fee booked %(booked)s",
        **positions("movement", "charged", "booked"),
    ),
    "movement_fee_variance_details": _lt(
        "Movement %(movement)s: gross %(gross)s less net %(net)s is a fee of %(fee)s, but the fee "
        "reported is %(reported)s.",
        **positions("movement", "gross", "net", "fee", "reported"),
    ),
    "payout_fee_variance_title": _lt(
        "Payout %(payout)s: fees booked %(booked)s, fees of its movements %(fees)s",
        **positions("payout", "booked", "fees"),
    ),
    "payout_fee_variance_details": _lt(
        "Payout %(payout)s reports %(booked)s of fees; its movements carry %(fees)s (gap %(gap)s).",
        **positions("payout", "booked", "fees", "gap"),
    ),
}

# (exception type, SQL) of each check. Amounts are in the company currency.
CHECKS = [
    (
        "unsettled_payment",
        INSERT_CANDIDATE
        + """
SELECT 'unsettled_payment:payment:' || p.id, 'unsettled_payment', 'medium',
       ROUND(COALESCE(NULLIF(p.net_amount, 0), p.amount) * COALESCE(fx.factor, 1.0),
             %(digits)s),
       p.backend_id, COALESCE(p.channel_created_at, p.create_date)::date,
       p.order_id, p.id, NULL::int, NULL::int, NULL::int, NULL::int,
       format(%(unsettled_payment_title)s, p.external_id, %(settlement_grace)s),
       format(%(unsettled_payment_details)s, p.external_id,
              COALESCE(NULLIF(p.net_amount, 0), p.amount), p.available_on::date,
              %(settlement_grace)s)
"""
        + CHARGES_OF_RUN
        + """
   AND p.payout_id IS NULL
   AND p.available_on < %(as_of)s::timestamp - make_interval(days => %(settlement_grace)s)
""",
    ),
    (
        "payout_mismatch",
        INSERT_CANDIDATE
        + """
SELECT 'payout_mismatch:payout:' || po.id, 'payout_mismatch', 'high',
       ROUND(ABS(po.amount - t.net) * COALESCE(fx.factor, 1.0), %(digits)s), po.backend_id,
       COALESCE(po.arrival_date, po.channel_created_at, po.create_date)::date,
       NULL::int, NULL::int, po.id, NULL::int, po.move_id, NULL::int,
       format(%(payout_mismatch_title)s, po.external_id, po.amount, t.n, t.net),
       format(%(payout_mismatch_details)s, po.external_id, po.amount, t.n, t.net,
              po.amount - t.net)
  FROM omni_payout po
  JOIN (SELECT p.payout_id, COUNT(*) AS n,
               SUM(COALESCE(NULLIF(p.net_amount, 0), p.amount)) AS net
          FROM omni_payment p
         WHERE p.company_id = %(company)s
           AND p.payout_id IS NOT NULL
           AND p.payment_type <> 'payout'
      GROUP BY p.payout_id) t ON t.payout_id = po.id
"""
        + PAYOUTS_OF_RUN
        + """
   AND ABS(po.amount - t.net) > COALESCE(fx.tolerance, %(tolerance)s)
""",
    ),
    (
        "payout_not_banked",
        INSERT_CANDIDATE
        + """
SELECT 'payout_not_banked:payout:' || po.id, 'payout_not_banked', 'high',
       ROUND(po.amount * COALESCE(fx.factor, 1.0), %(digits)s), po.backend_id,
       COALESCE(po.arrival_date, po.channel_created_at, po.create_date)::date,
       NULL::int, NULL::int, po.id, NULL::int, po.move_id, NULL::int,
       format(%(payout_not_banked_title)s, po.external_id, po.amount),
       format(%(payout_not_banked_details)s, po.external_id, po.amount,
              COALESCE(po.trace, %(none)s), po.arrival_date::date, %(bank_days)s)
  FROM omni_payout po
"""
        + PAYOUTS_OF_RUN
        + """
   AND po.status = 'paid'
   AND po.statement_line_id IS NULL
   AND po.arrival_date < %(as_of)s::timestamp - make_interval(days => %(bank_days)s)
""",
    ),
    (
        "fee_variance",
        INSERT_CANDIDATE
        + """
SELECT 'fee_variance:payment:' || p.id, 'fee_variance', 'low',
       ROUND(ABS(p.amount - p.fee_amount - p.net_amount) * COALESCE(fx.factor, 1.0),
             %(digits)s),
       p.backend_id, COALESCE(p.channel_created_at, p.create_date)::date,
       p.order_id, p.id, p.payout_id, NULL::int, NULL::int, NULL::int,
       format(%(movement_fee_variance_title)s, p.external_id, p.amount - p.net_amount,
              p.fee_amount),
       format(%(movement_fee_variance_details)s, p.external_id, p.amount, p.net_amount,
              p.amount - p.net_amount, p.fee_amount)
"""
        + PAYMENTS_OF_RUN
        + """
   AND p.payment_type IN ('charge', 'refund')
   AND COALESCE(p.net_amount, 0) <> 0
   AND ABS(p.amount - COALESCE(p.fee_amount, 0) - p.net_amount)
       > COALESCE(fx.tolerance, %(tolerance)s)
UNION ALL
SELECT 'fee_variance:payout:' || po.id, 'fee_variance', 'low',
       ROUND(ABS(po.fee_amount - t.fees) * COALESCE(fx.factor, 1.0), %(digits)s), po.backend_id,
       COALESCE(po.arrival_date, po.channel_created_at, po.create_date)::date,
       NULL::int, NULL::int, po.id, NULL::int, po.move_id, NULL::int,
       format(%(payout_fee_variance_title)s, po.external_id, po.fee_amount, t.fees),
       format(%(payout_fee_variance_details)s, po.external_id, po.fee_amount, t.fees,
              po.fee_amount - t.fees)
  FROM omni_payout po
  JOIN (SELECT p.payout_id,
               SUM(COALESCE(p.fee_amount, 0))
               + SUM(CASE WHEN p.payment_type = 'fee' THEN ABS(p.amount) ELSE 0 END) AS fees
          FROM omni_payment p
         WHERE p.company_id = %(company)s
           AND p.payout_id IS NOT NULL
      GROUP BY p.payout_id) t ON t.payout_id = po.id
"""
        + PAYOUTS_OF_RUN
        + """
   AND COALESCE(po.fee_amount, 0) <> 0
   AND ABS(po.fee_amount - t.fees) > COALESCE(fx.tolerance, %(tolerance)s)
""",
    ),
]
