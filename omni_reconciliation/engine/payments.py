"""Checks of what the customer paid and was refunded, against the order and its returns."""

from odoo.tools.translate import _lt

from .formatting import money
from .scope import BACKEND, CHARGES_OF_RUN, INSERT_CANDIDATE, positions

# A charge naming a channel order whose import failed on its mapping (an unknown product): its
# order exists at the channel, the unmapped record carries its money. Alias: {pay}.
ORDER_UNMAPPED = """
    EXISTS (SELECT 1 FROM omni_event e
             WHERE e.company_id = {pay}.company_id
               AND e.external_id = {pay}.order_external_ref
               AND e.state IN ('failed', 'dead')
               AND e.error_class = 'mapping'
               AND e.omni_order_id IS NULL)"""

# The title and details of the exceptions, by SQL parameter (see the package docstring).
TEXTS = {
    # underpaid and overpaid
    "payment_gap_title": _lt(
        "Order %(order)s: %(owed)s owed, %(received)s received",
        **positions("order", "owed", "received"),
    ),
    "underpaid_details": _lt(
        "Channel total %(total)s less refunds %(refunds)s is %(owed)s; charges %(charged)s less "
        "refunds %(refunded)s received from %(payments)s payment(s) is %(received)s.",
        **positions("total", "refunds", "owed", "charged", "refunded", "payments", "received"),
    ),
    "overpaid_details": _lt(
        "Received %(received)s (charges %(charged)s less refunds %(refunded)s) for an order of "
        "%(total)s less refunds %(refunds)s.",
        **positions("received", "charged", "refunded", "total", "refunds"),
    ),
    "refund_without_return_title": _lt(
        "Order %(order)s: %(refunded)s refunded, nothing returned",
        **positions("order", "refunded"),
    ),
    "refund_without_return_details": _lt(
        "%(refunded)s was refunded on delivered order %(order)s (%(delivered)s unit(s) "
        "delivered) but no return was received in stock.",
        **positions("refunded", "order", "delivered"),
    ),
    "return_without_refund_title": _lt(
        "Order %(order)s: %(returned)s unit(s) returned, not refunded",
        **positions("order", "returned"),
    ),
    "return_without_refund_details": _lt(
        "%(returned)s unit(s) worth %(value)s came back to stock for order %(order)s but no "
        "refund was paid and no credit note was posted.",
        **positions("returned", "value", "order"),
    ),
    "orphan_payment_title": _lt(
        "Charge %(charge)s of %(amount)s has no order",
        **positions("charge", "amount"),
    ),
    "orphan_payment_details": _lt(
        "Charge %(charge)s (%(amount)s, order reference %(reference)s) matches no channel order "
        "of the company.",
        **positions("charge", "amount", "reference"),
    ),
    "payment_not_received_title": _lt(
        "Payment %(payment)s of %(amount)s through %(gateway)s not received",
        **positions("payment", "amount", "gateway"),
    ),
    "payment_not_received_details": _lt(
        "Payment %(payment)s (%(amount)s) of order %(order)s went through %(gateway)s, which "
        "moves no money, and is neither settled nor banked %(days)s day(s) later.",
        **positions("payment", "amount", "order", "gateway", "days"),
    ),
    "processor_amount_mismatch_title": _lt(
        "Order %(order)s: processor captured %(captured)s, channel recorded %(recorded)s",
        **positions("order", "captured", "recorded"),
    ),
    "processor_amount_mismatch_details": _lt(
        "The processor's movement %(processor_movement)s captured %(captured)s for the "
        "channel's %(channel_movement)s of %(recorded)s (gap %(gap)s); the processor's amount "
        "is the money.",
        **positions("processor_movement", "captured", "channel_movement", "recorded", "gap"),
    ),
    "fx_variance_title": _lt(
        "Movement %(movement)s converted at %(rate)s, Odoo rate %(odoo_rate)s",
        **positions("movement", "rate", "odoo_rate"),
    ),
    "fx_variance_details": _lt(
        "%(amount)s was converted by the processor at %(rate)s (%(converted)s in company "
        "currency); at Odoo's rate of the day it is %(odoo_converted)s.",
        **positions("amount", "rate", "converted", "odoo_converted"),
    ),
}

# (exception type, SQL) of each check. Amounts are in the company currency.
CHECKS = [
    (
        "underpaid",
        INSERT_CANDIDATE
        + f"""
SELECT 'underpaid:order:' || c.order_id, 'underpaid',
       CASE WHEN c.n_payments = 0 THEN 'high' ELSE 'medium' END,
       ROUND((c.amount_total - c.amount_refunded - (c.charged - c.refunded)) * c.factor,
             %(digits)s),
       c.backend_id, c.date, c.order_id, NULL::int, NULL::int, c.sale_order_id, NULL::int,
       NULL::int,
       format(%(payment_gap_title)s, c.name,
              {money("c.amount_total - c.amount_refunded", "c.currency_id")},
              {money("c.charged - c.refunded", "c.currency_id")}),
       format(%(underpaid_details)s, {money("c.amount_total", "c.currency_id")},
              {money("c.amount_refunded", "c.currency_id")},
              {money("c.amount_total - c.amount_refunded", "c.currency_id")},
              {money("c.charged", "c.currency_id")}, {money("c.refunded", "c.currency_id")},
              c.n_payments, {money("c.charged - c.refunded", "c.currency_id")})
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
        + f"""
SELECT 'overpaid:order:' || c.order_id, 'overpaid', 'medium',
       ROUND(((c.charged - c.refunded) - (c.amount_total - c.amount_refunded)) * c.factor,
             %(digits)s),
       c.backend_id, c.date, c.order_id, NULL::int, NULL::int, c.sale_order_id, NULL::int,
       NULL::int,
       format(%(payment_gap_title)s, c.name,
              {money("c.amount_total - c.amount_refunded", "c.currency_id")},
              {money("c.charged - c.refunded", "c.currency_id")}),
       format(%(overpaid_details)s, {money("c.charged - c.refunded", "c.currency_id")},
              {money("c.charged", "c.currency_id")}, {money("c.refunded", "c.currency_id")},
              {money("c.amount_total", "c.currency_id")},
              {money("c.amount_refunded", "c.currency_id")})
  FROM omni_recon_chain c
 WHERE (c.charged - c.refunded) - (c.amount_total - c.amount_refunded) > c.tolerance
""",
    ),
    (
        "refund_without_return",
        INSERT_CANDIDATE
        + f"""
SELECT 'refund_without_return:order:' || c.order_id, 'refund_without_return', 'medium',
       ROUND(x.goods * c.factor, %(digits)s), c.backend_id, c.date,
       c.order_id, NULL::int, NULL::int, c.sale_order_id, c.refund_id, NULL::int,
       format(%(refund_without_return_title)s, c.name, {money("x.goods", "c.currency_id")}),
       format(%(refund_without_return_details)s, {money("x.goods", "c.currency_id")}, c.name,
              c.qty_delivered)
  FROM omni_recon_chain c
 -- a refund of shipping or of an adjustment (its credit note's lines that are no goods)
 -- brings nothing back to stock
 CROSS JOIN LATERAL (SELECT c.refunded - LEAST(c.credited_other, c.refunded) AS goods) x
 WHERE x.goods > c.tolerance
   AND NOT c.booked_in_odoo
   AND c.qty_delivered > 0
   AND c.qty_returned = 0
""",
    ),
    (
        "return_without_refund",
        INSERT_CANDIDATE
        + f"""
SELECT 'return_without_refund:order:' || c.order_id, 'return_without_refund', 'medium',
       ROUND(c.returned_value * c.factor, %(digits)s), c.backend_id, c.date,
       c.order_id, NULL::int, NULL::int, c.sale_order_id, NULL::int, NULL::int,
       format(%(return_without_refund_title)s, c.name, c.qty_returned),
       format(%(return_without_refund_details)s, c.qty_returned,
              {money("c.returned_value", "c.currency_id")},
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
        + f"""
SELECT 'orphan_payment:payment:' || p.id, 'orphan_payment', 'high',
       ROUND(p.amount * COALESCE(fx.factor, 1.0), %(digits)s), p.backend_id,
       COALESCE(p.channel_created_at, p.create_date)::date,
       NULL::int, p.id, p.payout_id, NULL::int, NULL::int, NULL::int,
       format(%(orphan_payment_title)s, p.external_id, {money("p.amount", "p.currency_id")}),
       format(%(orphan_payment_details)s, p.external_id, {money("p.amount", "p.currency_id")},
              COALESCE(p.order_external_ref, %(none)s))
"""
        + CHARGES_OF_RUN
        + """
   AND p.order_id IS NULL
   AND NOT EXISTS (SELECT 1 FROM omni_order o
                    WHERE o.company_id = p.company_id
                      AND o.external_id = p.order_external_ref)
   AND NOT """
        + ORDER_UNMAPPED.format(pay="p")
        + """
""",
    ),
    (
        "payment_not_received",
        INSERT_CANDIDATE
        + f"""
SELECT 'payment_not_received:payment:' || p.id, 'payment_not_received', 'high',
       ROUND(m.amount * c.factor, %(digits)s), p.backend_id,
       COALESCE(p.channel_created_at, p.create_date)::date,
       c.order_id, p.id, NULL::int, c.sale_order_id, NULL::int, NULL::int,
       format(%(payment_not_received_title)s, p.external_id, {money("m.amount", "p.currency_id")},
              p.processor),
       format(%(payment_not_received_details)s, p.external_id, {money("m.amount", "p.currency_id")},
              c.name,
              p.processor, %(settlement_grace)s)
  FROM omni_recon_movements m  -- staged with the scope
  JOIN omni_payment p ON p.id = m.id
  JOIN omni_recon_chain c ON c.order_id = m.order_id
 WHERE m.unreceived
   AND m.payment_type = 'charge'
   AND m.amount > c.tolerance
   AND COALESCE(p.channel_created_at, p.create_date)
       < %(as_of)s::timestamp - make_interval(days => %(settlement_grace)s)
""",
    ),
    (
        "processor_amount_mismatch",
        INSERT_CANDIDATE
        + f"""
SELECT 'processor_amount_mismatch:payment:' || t.id, 'processor_amount_mismatch', 'medium',
       ROUND(ABS(m.amount - m.recorded) * c.factor, %(digits)s), t.backend_id,
       COALESCE(t.channel_created_at, t.create_date)::date,
       c.order_id, t.id, t.payout_id, c.sale_order_id, NULL::int, NULL::int,
       format(%(processor_amount_mismatch_title)s, c.name, {money("m.amount", "p.currency_id")},
              {money("m.recorded", "p.currency_id")}),
       format(%(processor_amount_mismatch_details)s, t.external_id,
              {money("m.amount", "p.currency_id")},
              p.external_id, {money("m.recorded", "p.currency_id")},
              {money("m.amount - m.recorded", "p.currency_id")})
  FROM omni_recon_movements m  -- staged with the scope
  JOIN omni_payment p ON p.id = m.id
  JOIN omni_payment t ON t.id = m.twin_id
  JOIN omni_recon_chain c ON c.order_id = m.order_id
 WHERE ABS(m.amount - m.recorded) > c.tolerance
""",
    ),
    (
        "fx_variance",
        INSERT_CANDIDATE
        + f"""
SELECT 'fx_variance:payment:' || p.id, 'fx_variance', 'low',
       ROUND(ABS(p.amount * p.exchange_rate - p.amount * x.factor), %(digits)s),
       p.backend_id, COALESCE(p.channel_created_at, p.create_date)::date,
       p.order_id, p.id, p.payout_id, NULL::int, NULL::int, NULL::int,
       format(%(fx_variance_title)s, p.external_id, p.exchange_rate,
              ROUND(x.factor::numeric, 6)),
       format(%(fx_variance_details)s, {money("p.amount", "p.currency_id")}, p.exchange_rate,
              {money("p.amount * p.exchange_rate", "%(company_currency)s")},
              {money("p.amount * x.factor", "%(company_currency)s")})
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
