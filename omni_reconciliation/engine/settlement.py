"""Checks of settlement: movements paid out, payouts against their movements and the bank."""

from odoo.tools.translate import _lt

from .formatting import money
from .scope import (
    CHARGES_OF_RUN,
    INSERT_CANDIDATE,
    MANUAL_GATEWAY,
    PAYMENTS_OF_RUN,
    PAYOUTS_OF_RUN,
    positions,
)

# The bank statement line of payout ``po``: the one linked to it, else a posted line of a bank
# journal of its company, linked to no payout, whose label names the payout (its trace or id)
# whatever its amount (the payout's bank matching takes only lines of its exact amount). Its
# amount is in the payout's currency (the line's own or foreign one), NULL in another.
BANK_LINE = """
    SELECT l.id, l.payment_ref, m.date,
           CASE WHEN l.foreign_currency_id = po.currency_id THEN l.amount_currency
                WHEN l.currency_id = po.currency_id THEN l.amount END AS amount
      FROM account_bank_statement_line l
      JOIN account_move m ON m.id = l.move_id AND m.state = 'posted'
      JOIN account_journal j ON j.id = m.journal_id AND j.type = 'bank'
     WHERE m.company_id = po.company_id
       AND (l.id = po.statement_line_id
            OR (po.statement_line_id IS NULL
                AND NOT EXISTS (SELECT 1 FROM omni_payout o WHERE o.statement_line_id = l.id)
                AND ((COALESCE(po.trace, '') <> ''
                      AND l.payment_ref ILIKE '%%' || po.trace || '%%')
                     OR l.payment_ref ILIKE '%%' || po.external_id || '%%')))
  ORDER BY l.id = po.statement_line_id DESC, l.id
     LIMIT 1
"""

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
    "payout_bank_mismatch_title": _lt(
        "Payout %(payout)s of %(amount)s arrived in the bank as %(banked)s",
        **positions("payout", "amount", "banked"),
    ),
    "payout_bank_mismatch_details": _lt(
        "Payout %(payout)s amounts to %(amount)s but bank statement line %(line)s of %(date)s "
        "received %(banked)s (gap %(gap)s).",
        **positions("payout", "amount", "line", "date", "banked", "gap"),
    ),
    "bank_line_unmatched_title": _lt(
        "Bank line %(line)s of %(amount)s matches no payout",
        **positions("line", "amount"),
    ),
    "bank_line_unmatched_details": _lt(
        "Bank statement line %(line)s of %(date)s (%(amount)s) is on %(journal)s, the payout "
        "journal of backend %(backend)s, but no payout explains it.",
        **positions("line", "date", "amount", "journal", "backend"),
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
        + f"""
SELECT 'unsettled_payment:payment:' || p.id, 'unsettled_payment', 'medium',
       ROUND(COALESCE(NULLIF(p.net_amount, 0), p.amount) * COALESCE(fx.factor, 1.0),
             %(digits)s),
       p.backend_id, COALESCE(p.channel_created_at, p.create_date)::date,
       p.order_id, p.id, NULL::int, NULL::int, NULL::int, NULL::int,
       format(%(unsettled_payment_title)s, p.external_id, %(settlement_grace)s),
       format(%(unsettled_payment_details)s, p.external_id,
              {money("COALESCE(NULLIF(p.net_amount, 0), p.amount)", "p.currency_id")},
              p.available_on::date,
              %(settlement_grace)s)
"""
        + CHARGES_OF_RUN
        + """
   AND p.payout_id IS NULL
   AND p.available_on < %(as_of)s::timestamp - make_interval(days => %(settlement_grace)s)
   -- no processor pays out a manual gateway's money: it is received or not (payments)
   AND NOT """
        + MANUAL_GATEWAY.format(pay="p")
        + """
""",
    ),
    (
        "payout_mismatch",
        INSERT_CANDIDATE
        + f"""
SELECT 'payout_mismatch:payout:' || po.id, 'payout_mismatch', 'high',
       ROUND(ABS(po.amount - t.net) * COALESCE(fx.factor, 1.0), %(digits)s), po.backend_id,
       COALESCE(po.arrival_date, po.channel_created_at, po.create_date)::date,
       NULL::int, NULL::int, po.id, NULL::int, po.move_id, NULL::int,
       format(%(payout_mismatch_title)s, po.external_id, {money("po.amount", "po.currency_id")},
              t.n, {money("t.net", "po.currency_id")}),
       format(%(payout_mismatch_details)s, po.external_id, {money("po.amount", "po.currency_id")},
              t.n, {money("t.net", "po.currency_id")},
              {money("po.amount - t.net", "po.currency_id")})
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
        + f"""
SELECT 'payout_not_banked:payout:' || po.id, 'payout_not_banked', 'high',
       ROUND(po.amount * COALESCE(fx.factor, 1.0), %(digits)s), po.backend_id,
       COALESCE(po.arrival_date, po.channel_created_at, po.create_date)::date,
       NULL::int, NULL::int, po.id, NULL::int, po.move_id, NULL::int,
       format(%(payout_not_banked_title)s, po.external_id, {money("po.amount", "po.currency_id")}),
       format(%(payout_not_banked_details)s, po.external_id, {money("po.amount", "po.currency_id")},
              COALESCE(po.trace, %(none)s), po.arrival_date::date, %(bank_days)s)
  FROM omni_payout po
"""
        + PAYOUTS_OF_RUN
        + """
   AND po.status = 'paid'
   AND po.statement_line_id IS NULL
   AND po.arrival_date < %(as_of)s::timestamp - make_interval(days => %(bank_days)s)
   -- a line naming the payout is in the bank: a payout_bank_mismatch if its amount differs
   AND NOT EXISTS ("""
        + BANK_LINE
        + """)
""",
    ),
    (
        "payout_bank_mismatch",
        INSERT_CANDIDATE
        + f"""
SELECT 'payout_bank_mismatch:payout:' || po.id, 'payout_bank_mismatch', 'high',
       ROUND(ABS(po.amount - bl.amount) * COALESCE(fx.factor, 1.0), %(digits)s), po.backend_id,
       COALESCE(po.arrival_date, po.channel_created_at, po.create_date)::date,
       NULL::int, NULL::int, po.id, NULL::int, po.move_id, NULL::int,
       format(%(payout_bank_mismatch_title)s, po.external_id,
              {money("po.amount", "po.currency_id")},
              {money("bl.amount", "po.currency_id")}),
       format(%(payout_bank_mismatch_details)s, po.external_id,
              {money("po.amount", "po.currency_id")},
              COALESCE(bl.payment_ref, bl.id::text), bl.date,
              {money("bl.amount", "po.currency_id")},
              {money("po.amount - bl.amount", "po.currency_id")})
  FROM omni_payout po
 CROSS JOIN LATERAL ("""
        + BANK_LINE
        + """) bl
"""
        + PAYOUTS_OF_RUN
        + """
   AND bl.amount IS NOT NULL
   AND ABS(po.amount - bl.amount) > COALESCE(fx.tolerance, %(tolerance)s)
""",
    ),
    (
        "bank_line_unmatched",
        INSERT_CANDIDATE
        + f"""
SELECT DISTINCT ON (l.id)
       'bank_line_unmatched:line:' || l.id, 'bank_line_unmatched', 'medium',
       ROUND(ABS(l.amount) * COALESCE(fx.factor, 1.0), %(digits)s), b.id, m.date,
       NULL::int, NULL::int, NULL::int, NULL::int, l.move_id, NULL::int,
       format(%(bank_line_unmatched_title)s, COALESCE(l.payment_ref, l.id::text),
              {money("l.amount", "l.currency_id")}),
       format(%(bank_line_unmatched_details)s, COALESCE(l.payment_ref, l.id::text), m.date,
              {money("l.amount", "l.currency_id")}, j.code, b.name)
  FROM omni_backend b
  JOIN account_journal j ON j.id = b.payout_journal_id
  JOIN account_move m ON m.journal_id = j.id AND m.state = 'posted'
  JOIN account_bank_statement_line l ON l.move_id = m.id
  LEFT JOIN omni_recon_fx fx ON fx.currency_id = l.currency_id
 WHERE b.company_id = %(company)s
   AND (%(backend)s::int IS NULL OR b.id = %(backend)s::int)
   AND m.date BETWEEN %(date_from)s AND %(date_to)s
   AND ABS(l.amount) > COALESCE(fx.tolerance, %(tolerance)s)
   AND NOT EXISTS (SELECT 1 FROM omni_payout o WHERE o.statement_line_id = l.id)
   -- the line of a payout it does not match is reported with that payout
   AND NOT EXISTS (SELECT 1 FROM omni_payout po
                    WHERE po.company_id = b.company_id
                      AND po.statement_line_id IS NULL
                      AND EXISTS (SELECT 1 FROM ("""
        + BANK_LINE
        + """) bl WHERE bl.id = l.id))
 ORDER BY l.id, b.id
""",
    ),
    (
        "fee_variance",
        INSERT_CANDIDATE
        + f"""
SELECT 'fee_variance:payment:' || p.id, 'fee_variance', 'low',
       ROUND(ABS(p.amount - p.fee_amount - p.net_amount) * COALESCE(fx.factor, 1.0),
             %(digits)s),
       p.backend_id, COALESCE(p.channel_created_at, p.create_date)::date,
       p.order_id, p.id, p.payout_id, NULL::int, NULL::int, NULL::int,
       format(%(movement_fee_variance_title)s, p.external_id,
              {money("p.amount - p.net_amount", "p.currency_id")},
              {money("p.fee_amount", "p.currency_id")}),
       format(%(movement_fee_variance_details)s, p.external_id,
              {money("p.amount", "p.currency_id")},
              {money("p.net_amount", "p.currency_id")},
              {money("p.amount - p.net_amount", "p.currency_id")},
              {money("p.fee_amount", "p.currency_id")})
"""
        + PAYMENTS_OF_RUN
        + f"""
   AND p.payment_type IN ('charge', 'refund')
   AND COALESCE(p.net_amount, 0) <> 0
   AND ABS(p.amount - COALESCE(p.fee_amount, 0) - p.net_amount)
       > COALESCE(fx.tolerance, %(tolerance)s)
UNION ALL
SELECT 'fee_variance:payout:' || po.id, 'fee_variance', 'low',
       ROUND(ABS(po.fee_amount - t.fees) * COALESCE(fx.factor, 1.0), %(digits)s), po.backend_id,
       COALESCE(po.arrival_date, po.channel_created_at, po.create_date)::date,
       NULL::int, NULL::int, po.id, NULL::int, po.move_id, NULL::int,
       format(%(payout_fee_variance_title)s, po.external_id,
              {money("po.fee_amount", "po.currency_id")},
              {money("t.fees", "po.currency_id")}),
       format(%(payout_fee_variance_details)s, po.external_id,
              {money("po.fee_amount", "po.currency_id")},
              {money("t.fees", "po.currency_id")},
              {money("po.fee_amount - t.fees", "po.currency_id")})
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
