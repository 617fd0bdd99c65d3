"""Checks of the order chain: the channel order, its sale order, its delivery and invoicing."""

from odoo.tools.translate import _lt

from .formatting import money
from .scope import BACKEND, INSERT_CANDIDATE, PAYMENT_OK, positions

# The title and details of the exceptions, by SQL parameter (see the package docstring).
TEXTS = {
    "missing_in_odoo_title": _lt("Order %(order)s has no sale order in Odoo", **positions("order")),
    "missing_in_odoo_details": _lt(
        "Channel order %(order)s (external id %(external_id)s, total %(total)s) was never "
        "turned into a sale order.",
        **positions("order", "external_id", "total"),
    ),
    "duplicate_sale_order_title": _lt(
        "Duplicate sale order %(sale_order)s for channel order %(order)s",
        **positions("sale_order", "order"),
    ),
    "duplicate_sale_order_details": _lt(
        "Sale orders %(first)s and %(duplicate)s both book channel order %(order)s; "
        "%(duplicate)s is the duplicate.",
        **positions("first", "duplicate", "order"),
    ),
    "duplicate_channel_order_title": _lt(
        "Channel order %(order)s booked on the sale order of another channel order",
        **positions("order"),
    ),
    "duplicate_channel_order_details": _lt(
        "Channel orders %(first)s and %(order)s are both linked to sale order %(sale_order)s.",
        **positions("first", "order", "sale_order"),
    ),
    "imported_twice_title": _lt(
        "Channel order %(order)s imported again by backend %(backend)s",
        **positions("order", "backend"),
    ),
    "imported_twice_details": _lt(
        "Channel order %(order)s (external id %(external_id)s) was imported by backend "
        "%(first_backend)s and again by backend %(backend)s; the second import is the duplicate.",
        **positions("order", "external_id", "first_backend", "backend"),
    ),
    "amount_mismatch_title": _lt(
        "Order %(order)s: channel %(channel_total)s, sale order %(sale_total)s, invoiced "
        "%(invoiced)s",
        **positions("order", "channel_total", "sale_total", "invoiced"),
    ),
    "amount_mismatch_details": _lt(
        "Channel total %(channel_total)s, sale order %(sale_order)s total %(sale_total)s, "
        "posted invoices %(invoiced)s; largest gap %(gap)s.",
        **positions("channel_total", "sale_order", "sale_total", "invoiced", "gap"),
    ),
    "undelivered_title": _lt(
        "Order %(order)s not delivered after %(days)s day(s)",
        **positions("order", "days"),
    ),
    "undelivered_details": _lt(
        "Sale order %(sale_order)s, confirmed on %(confirmed_on)s, still has %(value)s of goods "
        "to deliver (delivery SLA %(days)s day(s)).",
        **positions("sale_order", "confirmed_on", "value", "days"),
    ),
    "uninvoiced_title": _lt(
        "Order %(order)s not invoiced after %(days)s day(s)",
        **positions("order", "days"),
    ),
    "uninvoiced_details": _lt(
        "Sale order %(sale_order)s (total %(total)s, invoiced %(invoiced)s) is still to invoice "
        "%(days)s day(s) after its confirmation on %(confirmed_on)s.",
        **positions("sale_order", "total", "invoiced", "days", "confirmed_on"),
    ),
    "unmapped_title": _lt(
        "Unmapped record in %(topic)s event %(event)s",
        **positions("topic", "event"),
    ),
    "unmapped_details": _lt("Mapping error"),
}

# (exception type, SQL) of each check. Amounts are in the company currency.
CHECKS = [
    (
        "missing_in_odoo",
        INSERT_CANDIDATE
        + f"""
SELECT 'missing_in_odoo:order:' || c.order_id, 'missing_in_odoo', 'high',
       ROUND(c.amount_total * c.factor, %(digits)s), c.backend_id, c.date,
       c.order_id, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int,
       format(%(missing_in_odoo_title)s, c.name),
       format(%(missing_in_odoo_details)s, c.name, c.external_id,
              {money("c.amount_total", "c.currency_id")})
  FROM omni_recon_chain c
 WHERE c.sale_order_id IS NULL
   AND NOT c.booked_in_odoo  -- mirrored from Odoo POS: no sale order by design
   AND c.cancelled_at IS NULL
   AND COALESCE(c.financial_state, '') <> 'cancelled'
   AND NOT EXISTS (SELECT 1 FROM sale_order so
                    WHERE so.omni_backend_id = c.backend_id
                      AND so.omni_external_ref = c.external_id
                      AND so.state <> 'cancel')
""",
    ),
    (
        "duplicate_order",
        INSERT_CANDIDATE
        + """
SELECT 'duplicate_order:sale_order:' || d.id, 'duplicate_order', 'high',
       ROUND(d.amount_total * COALESCE(fx.factor, 1.0), %(digits)s), d.omni_backend_id,
       d.date_order::date, o.id, NULL::int, NULL::int, d.id, NULL::int, NULL::int,
       format(%(duplicate_sale_order_title)s, d.name, d.omni_external_ref),
       format(%(duplicate_sale_order_details)s, d.first_name, d.name, d.omni_external_ref)
  FROM (SELECT so.*,
               FIRST_VALUE(so.name) OVER w AS first_name,
               ROW_NUMBER() OVER w AS rank
          FROM sale_order so
         WHERE so.company_id = %(company)s
           AND so.omni_backend_id IS NOT NULL
           AND so.omni_external_ref IS NOT NULL
           AND so.state <> 'cancel'
           AND (%(backend)s::int IS NULL OR so.omni_backend_id = %(backend)s::int)
        WINDOW w AS (PARTITION BY so.omni_backend_id, so.omni_external_ref ORDER BY so.id)
       ) d
  LEFT JOIN omni_order o ON o.backend_id = d.omni_backend_id
                         AND o.external_id = d.omni_external_ref
  LEFT JOIN omni_recon_fx fx ON fx.currency_id = d.currency_id
 WHERE d.rank > 1
   AND d.date_order::date BETWEEN %(date_from)s AND %(date_to)s
UNION ALL
SELECT 'duplicate_order:omni_order:' || d.order_id, 'duplicate_order', 'high',
       ROUND(d.amount_total * d.factor, %(digits)s), d.backend_id, d.date,
       d.order_id, NULL::int, NULL::int, d.sale_order_id, NULL::int, NULL::int,
       format(%(duplicate_channel_order_title)s, d.name),
       format(%(duplicate_channel_order_details)s, d.first_name, d.name, d.so_name)
  FROM (SELECT c.*, FIRST_VALUE(c.name) OVER w AS first_name, ROW_NUMBER() OVER w AS rank
          FROM omni_recon_chain c
         WHERE c.sale_order_id IS NOT NULL
           AND NOT c.booked_in_odoo
        WINDOW w AS (PARTITION BY c.sale_order_id ORDER BY c.order_id)) d
 WHERE d.rank > 1
UNION ALL
-- The same channel order imported by two backends of one shop (two connections, a backend
-- made again): the later import is the duplicate.
SELECT 'duplicate_order:imported_twice:' || c.order_id, 'duplicate_order', 'high',
       ROUND(c.amount_total * c.factor, %(digits)s), c.backend_id, c.date,
       c.order_id, NULL::int, NULL::int, c.sale_order_id, NULL::int, NULL::int,
       format(%(imported_twice_title)s, c.name, b.name),
       format(%(imported_twice_details)s, c.name, c.external_id, first.backend_name, b.name)
  FROM omni_recon_chain c
  JOIN omni_order o ON o.id = c.order_id
  JOIN omni_backend b ON b.id = c.backend_id
 CROSS JOIN LATERAL (
       SELECT fb.name AS backend_name
         FROM omni_order f
         JOIN omni_backend fb ON fb.id = f.backend_id
        WHERE f.company_id = o.company_id
          AND f.channel = o.channel
          AND f.backend_id <> o.backend_id
          AND f.external_id = o.external_id
          AND f.name = o.name
          AND f.id < o.id
     ORDER BY f.id
        LIMIT 1) first
""",
    ),
    (
        "amount_mismatch",
        INSERT_CANDIDATE
        + f"""
SELECT 'amount_mismatch:order:' || c.order_id, 'amount_mismatch',
       CASE WHEN x.gap * c.factor >= %(high_amount)s THEN 'high' ELSE 'medium' END,
       ROUND(x.gap * c.factor, %(digits)s), c.backend_id, c.date,
       c.order_id, NULL::int, NULL::int, c.sale_order_id, c.invoice_id, NULL::int,
       format(%(amount_mismatch_title)s, c.name, {money("c.amount_total", "c.currency_id")},
              {money("c.so_total", "c.so_currency_id")},
              CASE WHEN c.n_invoices > 0 THEN {money("c.invoiced", "c.so_currency_id")}
                   ELSE '-' END),
       format(%(amount_mismatch_details)s, {money("c.amount_total", "c.currency_id")}, c.so_name,
              {money("c.so_total", "c.so_currency_id")},
              CASE WHEN c.n_invoices > 0 THEN {money("c.invoiced", "c.so_currency_id")}
                   ELSE %(none)s END,
              {money("x.gap", "c.currency_id")})
  FROM omni_recon_chain c
 -- the invoices are compared with what is to invoice of the channel's total: a line invoiced
 -- on delivery and not delivered yet is not to invoice (it is undelivered, not a mismatch)
 CROSS JOIN LATERAL (
       SELECT GREATEST(ABS(c.so_total - c.amount_total),
                       CASE WHEN c.n_invoices > 0
                            THEN ABS(c.invoiced - (c.amount_total - c.unbillable))
                            ELSE 0 END) AS gap) x
 WHERE c.sale_order_id IS NOT NULL
   AND NOT c.booked_in_odoo
   AND c.so_state <> 'cancel'
   AND c.cancelled_at IS NULL
   AND c.so_currency_id = c.currency_id
   AND x.gap > c.tolerance
""",
    ),
    (
        "undelivered",
        INSERT_CANDIDATE
        + f"""
SELECT 'undelivered:order:' || c.order_id, 'undelivered', 'medium',
       ROUND(c.undelivered_value * COALESCE(fx.factor, 1.0), %(digits)s), c.backend_id, c.date,
       c.order_id, NULL::int, NULL::int, c.sale_order_id, NULL::int, NULL::int,
       format(%(undelivered_title)s, c.name, %(delivery_sla)s),
       format(%(undelivered_details)s, c.so_name, c.date_order::date,
              {money("c.undelivered_value", "c.so_currency_id")}, %(delivery_sla)s)
  FROM omni_recon_chain c
  LEFT JOIN omni_recon_fx fx ON fx.currency_id = c.so_currency_id
 WHERE c.so_state = 'sale'
   AND NOT c.booked_in_odoo
   AND c.undelivered_value > c.tolerance
   AND c.date_order < %(as_of)s::timestamp - make_interval(days => %(delivery_sla)s)
""",
    ),
    (
        "uninvoiced",
        INSERT_CANDIDATE
        + f"""
SELECT 'uninvoiced:order:' || c.order_id, 'uninvoiced', 'medium',
       ROUND((c.billable - c.invoiced) * COALESCE(fx.factor, 1.0), %(digits)s),
       c.backend_id, c.date, c.order_id, NULL::int, NULL::int, c.sale_order_id, NULL::int,
       NULL::int,
       format(%(uninvoiced_title)s, c.name, %(invoice_sla)s),
       format(%(uninvoiced_details)s, c.so_name, {money("c.billable", "c.so_currency_id")},
              {money("c.invoiced", "c.so_currency_id")},
              %(invoice_sla)s, c.date_order::date)
  FROM omni_recon_chain c
  LEFT JOIN omni_recon_fx fx ON fx.currency_id = c.so_currency_id
 WHERE c.so_state = 'sale'
   AND NOT c.booked_in_odoo
   -- invoices count gross: a credit note of a return or a refund does not reopen the order
   AND c.billable - c.invoiced > c.tolerance
   AND c.date_order < %(as_of)s::timestamp - make_interval(days => %(invoice_sla)s)
""",
    ),
    (
        "unmapped",
        INSERT_CANDIDATE
        + """
SELECT 'unmapped:event:' || e.id, 'unmapped',
       CASE WHEN COALESCE(ch.amount, 0) > 0 THEN 'medium' ELSE 'low' END,
       ROUND(COALESCE(ch.amount, 0), %(digits)s), e.backend_id, e.received_at::date,
       e.omni_order_id, NULL::int, NULL::int, NULL::int, NULL::int, e.id,
       format(%(unmapped_title)s, e.topic, COALESCE(e.external_id, e.id::text)),
       LEFT(COALESCE(e.error_message, %(unmapped_details)s), 2000)
  FROM omni_event e
  -- An order the channel has but that could not be imported: the charges naming it are its
  -- money at stake (they are no orphans), on its latest failed event.
  LEFT JOIN LATERAL (
       SELECT SUM(p.amount * COALESCE(fx.factor, 1.0)) AS amount
         FROM omni_payment p
         LEFT JOIN omni_recon_fx fx ON fx.currency_id = p.currency_id
        WHERE e.omni_order_id IS NULL
          AND e.id = (SELECT MAX(f.id) FROM omni_event f
                       WHERE f.company_id = e.company_id
                         AND f.external_id = e.external_id
                         AND f.state IN ('failed', 'dead')
                         AND f.error_class = 'mapping'
                         AND f.omni_order_id IS NULL)
          AND p.company_id = e.company_id
          AND p.order_id IS NULL
          AND p.order_external_ref = e.external_id
          AND p.payment_type = 'charge'
          AND """
        + PAYMENT_OK
        + """
          AND NOT EXISTS (SELECT 1 FROM omni_order o
                           WHERE o.company_id = p.company_id
                             AND o.external_id = p.order_external_ref)) ch ON TRUE
 WHERE e.company_id = %(company)s
   AND """
        + BACKEND.format(alias="e")
        + """
   AND e.received_at::date BETWEEN %(date_from)s AND %(date_to)s
   AND e.state IN ('failed', 'dead')
   AND e.error_class = 'mapping'
""",
    ),
]
