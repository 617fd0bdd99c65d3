"""Checks of what the customer paid and was refunded, against the order and its returns."""

from .scope import BACKEND, CHARGES_OF_RUN, INSERT_CANDIDATE

# (exception type, SQL) of each check. Amounts are in the company currency.
CHECKS = [
    (
        "underpaid",
        INSERT_CANDIDATE
        + """
SELECT 'underpaid:order:' || c.order_id, 'underpaid',
       CASE WHEN c.n_payments = 0 THEN 'high' ELSE 'medium' END,
       ROUND((c.amount_total - c.amount_refunded - (c.charged - c.refunded)) * c.factor,
             %(digits)s),
       c.backend_id, c.date, c.order_id, NULL::int, NULL::int, c.sale_order_id, NULL::int,
       NULL::int,
       format('Order %%s: %%s owed, %%s received',
              c.name, c.amount_total - c.amount_refunded, c.charged - c.refunded),
       format('Channel total %%s less refunds %%s is %%s; charges %%s less refunds %%s '
              'received from %%s payment(s) is %%s.',
              c.amount_total, c.amount_refunded, c.amount_total - c.amount_refunded,
              c.charged, c.refunded, c.n_payments, c.charged - c.refunded)
  FROM omni_recon_chain c
 WHERE c.cancelled_at IS NULL
   AND (c.n_payments > 0
        OR c.financial_state IN ('paid', 'partially_refunded', 'refunded'))
   AND (c.amount_total - c.amount_refunded) - (c.charged - c.refunded) > c.tolerance
""",
    ),
    (
        "overpaid",
        INSERT_CANDIDATE
        + """
SELECT 'overpaid:order:' || c.order_id, 'overpaid', 'medium',
       ROUND(((c.charged - c.refunded) - (c.amount_total - c.amount_refunded)) * c.factor,
             %(digits)s),
       c.backend_id, c.date, c.order_id, NULL::int, NULL::int, c.sale_order_id, NULL::int,
       NULL::int,
       format('Order %%s: %%s owed, %%s received',
              c.name, c.amount_total - c.amount_refunded, c.charged - c.refunded),
       format('Received %%s (charges %%s less refunds %%s) for an order of %%s less refunds '
              '%%s.', c.charged - c.refunded, c.charged, c.refunded, c.amount_total,
              c.amount_refunded)
  FROM omni_recon_chain c
 WHERE (c.charged - c.refunded) - (c.amount_total - c.amount_refunded) > c.tolerance
""",
    ),
    (
        "refund_without_return",
        INSERT_CANDIDATE
        + """
SELECT 'refund_without_return:order:' || c.order_id, 'refund_without_return', 'medium',
       ROUND(c.refunded * c.factor, %(digits)s), c.backend_id, c.date,
       c.order_id, NULL::int, NULL::int, c.sale_order_id, c.refund_id, NULL::int,
       format('Order %%s: %%s refunded, nothing returned', c.name, c.refunded),
       format('%%s was refunded on delivered order %%s (%%s unit(s) delivered) but no return '
              'was received in stock.', c.refunded, c.name, c.qty_delivered)
  FROM omni_recon_chain c
 WHERE c.refunded > c.tolerance
   AND NOT c.booked_in_odoo
   AND c.qty_delivered > 0
   AND c.qty_returned = 0
""",
    ),
    (
        "return_without_refund",
        INSERT_CANDIDATE
        + """
SELECT 'return_without_refund:order:' || c.order_id, 'return_without_refund', 'medium',
       ROUND(c.returned_value * c.factor, %(digits)s), c.backend_id, c.date,
       c.order_id, NULL::int, NULL::int, c.sale_order_id, NULL::int, NULL::int,
       format('Order %%s: %%s unit(s) returned, not refunded', c.name, c.qty_returned),
       format('%%s unit(s) worth %%s came back to stock for order %%s but no refund was paid '
              'and no credit note was posted.', c.qty_returned, ROUND(c.returned_value, 2),
              c.name)
  FROM omni_recon_chain c
 WHERE c.returned_value > c.tolerance
   AND NOT c.booked_in_odoo
   AND c.refunded <= c.tolerance
   AND c.credited <= c.tolerance
""",
    ),
    (
        "orphan_payment",
        INSERT_CANDIDATE
        + """
SELECT 'orphan_payment:payment:' || p.id, 'orphan_payment', 'high',
       ROUND(p.amount * COALESCE(fx.factor, 1.0), %(digits)s), p.backend_id,
       COALESCE(p.channel_created_at, p.create_date)::date,
       NULL::int, p.id, p.payout_id, NULL::int, NULL::int, NULL::int,
       format('Charge %%s of %%s has no order', p.external_id, p.amount),
       format('Charge %%s (%%s, order reference %%s) matches no channel order of the company.',
              p.external_id, p.amount, COALESCE(p.order_external_ref, 'none'))
"""
        + CHARGES_OF_RUN
        + """
   AND p.order_id IS NULL
   AND NOT EXISTS (SELECT 1 FROM omni_order o
                    WHERE o.company_id = p.company_id
                      AND o.external_id = p.order_external_ref)
""",
    ),
    (
        "fx_variance",
        INSERT_CANDIDATE
        + """
SELECT 'fx_variance:payment:' || p.id, 'fx_variance', 'low',
       ROUND(ABS(p.amount * p.exchange_rate - p.amount * x.factor), %(digits)s),
       p.backend_id, COALESCE(p.channel_created_at, p.create_date)::date,
       p.order_id, p.id, p.payout_id, NULL::int, NULL::int, NULL::int,
       format('Movement %%s converted at %%s, Odoo rate %%s', p.external_id,
              p.exchange_rate, ROUND(x.factor::numeric, 6)),
       format('%%s was converted by the processor at %%s (%%s in company currency); at '
              'Odoo''s rate of the day it is %%s.', p.amount, p.exchange_rate,
              ROUND(p.amount * p.exchange_rate, 2), ROUND(p.amount * x.factor, 2))
  FROM (SELECT * FROM omni_payment p
         WHERE p.company_id = %(company)s
           AND p.currency_id <> %(company_currency)s
           AND COALESCE(p.exchange_rate, 0) > 0
        OFFSET 0) p  -- OFFSET 0: filter first, then compute the rates of the few rows left
 CROSS JOIN LATERAL (
       SELECT COALESCE((SELECT r.rate FROM res_currency_rate r
                         WHERE r.currency_id = %(company_currency)s
                           AND r.name <= COALESCE(p.channel_created_at, p.create_date)::date
                           AND (r.company_id = %(company)s OR r.company_id IS NULL)
                      ORDER BY r.company_id NULLS LAST, r.name DESC LIMIT 1), 1.0)
              / NULLIF(COALESCE((SELECT r.rate FROM res_currency_rate r
                         WHERE r.currency_id = p.currency_id
                           AND r.name <= COALESCE(p.channel_created_at, p.create_date)::date
                           AND (r.company_id = %(company)s OR r.company_id IS NULL)
                      ORDER BY r.company_id NULLS LAST, r.name DESC LIMIT 1), 1.0), 0)
              AS factor) x
 WHERE p.company_id = %(company)s
   AND """
        + BACKEND.format(alias="p")
        + """
   AND COALESCE(p.channel_created_at, p.create_date)::date BETWEEN %(date_from)s AND %(date_to)s
   AND p.currency_id <> %(company_currency)s
   AND COALESCE(p.exchange_rate, 0) > 0
   AND ABS(p.amount * p.exchange_rate - p.amount * x.factor)
       > GREATEST(%(tolerance)s, ABS(p.amount * x.factor) * %(fx_pct)s / 100.0)
""",
    ),
]
