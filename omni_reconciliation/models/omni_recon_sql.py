"""The set-based SQL of the reconciliation engine.

Every statement works on the whole population of one company (and optionally one backend)
for one period; nothing here loops over records in Python. Parameters are always passed
through psycopg2 (``%(name)s``); no value is ever formatted into the SQL text.

Flow of one run (all in the run's transaction):

1. ``omni_recon_fx``: factor converting each currency into the company currency (latest
   rate on or before the period end, company-specific rates first).
2. ``omni_recon_chain``: one row per channel order of the scope with every link of its
   chain (sale order, posted invoices / credit notes, delivered / returned / undelivered
   value, charges / refunds) aggregated set-wise.
3. ``omni_recon_cand``: the candidate exceptions of every type, each with a stable ``key``
   (type + ids involved).
4. Merge into ``omni_recon_exception``: update the open ones that still hold, insert the new
   ones, reopen those the engine itself had auto-closed, auto-close the open ones of the scope
   that no longer hold. Closed-by-a-human exceptions are never touched.
"""

# Common scope fragments -------------------------------------------------------------------

_BACKEND = "(%(backend)s::int IS NULL OR {alias}.backend_id = %(backend)s::int)"

PAYMENT_OK = "COALESCE(p.status, '') NOT IN ('failed', 'canceled', 'cancelled', 'pending')"

# The movements, and the payouts, of the run's company, backend and period, each with the rate
# of its currency to the company's (``fx.factor``). A check selects from the first, or from
# ``omni_payout po`` (and what it joins) followed by the second.
_PAYMENTS_OF_RUN = (
    """
  FROM omni_payment p
  LEFT JOIN omni_recon_fx fx ON fx.currency_id = p.currency_id
 WHERE p.company_id = %(company)s
   AND """
    + _BACKEND.format(alias="p")
    + """
   AND COALESCE(p.channel_created_at, p.create_date)::date BETWEEN %(date_from)s AND %(date_to)s
"""
)
_PAYOUTS_OF_RUN = (
    """
  LEFT JOIN omni_recon_fx fx ON fx.currency_id = po.currency_id
 WHERE po.company_id = %(company)s
   AND """
    + _BACKEND.format(alias="po")
    + """
   AND COALESCE(po.arrival_date, po.channel_created_at, po.create_date)::date
       BETWEEN %(date_from)s AND %(date_to)s
"""
)

# One movement can reach Odoo twice: the channel's record of it (a Shopify order transaction)
# and the processor's (the Stripe or Shopify Payments balance transaction of that charge), both
# linked to the order. The processor's record is the twin when it points at the channel's
# record (its processor reference is that record's id), or when both name the same processor
# charge and only the other one comes from the order's own backend. A twin is never counted
# again; its payout settles the movement it mirrors. Aliases: {twin}, {own}, {order}.
TWIN_OF = """
    {own}.order_id = {twin}.order_id AND {own}.id <> {twin}.id
    AND {own}.payment_type = {twin}.payment_type
    AND ({twin}.processor_reference = {own}.external_id
         OR (COALESCE({twin}.processor_reference, '') <> ''
             AND {twin}.processor_reference = {own}.processor_reference
             AND {own}.backend_id = {order}.backend_id
             AND {twin}.backend_id <> {order}.backend_id))
"""

# The movements of the orders in ``scope`` counted once, in the order's (shop) currency, each
# with the payout that settled it (its own or its twin's). A movement in the currency the
# customer saw (presentment) is brought to the shop currency at the order's own ratio.
ORDER_MOVEMENTS = (
    """
    SELECT p.id, p.order_id, p.payment_type,
           CASE WHEN p.currency_id <> o.currency_id
                     AND p.currency_id = o.presentment_currency_id
                     AND COALESCE(o.amount_total_presentment, 0) <> 0
                THEN p.amount * o.amount_total / o.amount_total_presentment
                ELSE p.amount END AS amount,
           COALESCE(p.payout_id, (SELECT t.payout_id FROM omni_payment t
                                   WHERE t.payout_id IS NOT NULL AND """
    + TWIN_OF.format(twin="t", own="p", order="o")
    + """
                                   LIMIT 1)) AS payout_id
      FROM omni_payment p
      JOIN {scope} o ON o.id = p.order_id
     WHERE p.payment_type IN ('charge', 'cash', 'gift_card', 'refund')
       AND """
    + PAYMENT_OK
    + """
       AND NOT EXISTS (SELECT 1 FROM omni_payment q WHERE """
    + TWIN_OF.format(twin="p", own="q", order="o")
    + """)
"""
)

FX_TABLE = """
DROP TABLE IF EXISTS omni_recon_fx;
CREATE TEMP TABLE omni_recon_fx AS
WITH rates AS (
    SELECT c.id AS currency_id,
           -- gaps in this currency up to this are not reported (omni.recon.tolerance)
           GREATEST(COALESCE(t.amount, %(tolerance)s), c.rounding / 2.0) AS tolerance,
           COALESCE((SELECT r.rate
                       FROM res_currency_rate r
                      WHERE r.currency_id = c.id
                        AND r.name <= %(date_to)s
                        AND (r.company_id = %(company)s OR r.company_id IS NULL)
                   ORDER BY r.company_id NULLS LAST, r.name DESC
                      LIMIT 1), 1.0) AS rate
      FROM res_currency c
      LEFT JOIN omni_recon_tolerance t
        ON t.currency_id = c.id AND t.company_id = %(company)s
)
SELECT r.currency_id, r.tolerance,
       (SELECT cr.rate FROM rates cr WHERE cr.currency_id = %(company_currency)s)
       / NULLIF(r.rate, 0) AS factor
  FROM rates r;
CREATE UNIQUE INDEX ON omni_recon_fx (currency_id);
"""

CHAIN_TABLE = (
    """
DROP TABLE IF EXISTS omni_recon_chain;
CREATE TEMP TABLE omni_recon_chain AS
WITH scope AS (
    SELECT o.*
      FROM omni_order o
     WHERE o.company_id = %(company)s
       AND """
    + _BACKEND.format(alias="o")
    + """
       AND COALESCE(o.channel_created_at, o.create_date)::date BETWEEN %(date_from)s AND %(date_to)s
),
movements AS ("""
    + ORDER_MOVEMENTS.format(scope="scope")
    + """),
pay AS (
    SELECT m.order_id,
           COUNT(*) AS n_payments,
           SUM(CASE WHEN m.payment_type IN ('charge', 'cash', 'gift_card')
                    THEN m.amount ELSE 0 END) AS charged,
           SUM(CASE WHEN m.payment_type = 'refund' THEN -m.amount ELSE 0 END) AS refunded
      FROM movements m
  GROUP BY m.order_id
),
inv_moves AS (
    SELECT DISTINCT sol.order_id AS sale_order_id, aml.move_id
      FROM scope s
      JOIN sale_order_line sol ON sol.order_id = s.sale_order_id
      JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
      JOIN account_move_line aml ON aml.id = rel.invoice_line_id
),
inv AS (
    SELECT im.sale_order_id,
           SUM(CASE WHEN am.move_type = 'out_invoice' THEN am.amount_total ELSE 0 END) AS invoiced,
           SUM(CASE WHEN am.move_type = 'out_refund' THEN am.amount_total ELSE 0 END) AS credited,
           COUNT(*) FILTER (WHERE am.move_type = 'out_invoice') AS n_invoices,
           MIN(am.id) FILTER (WHERE am.move_type = 'out_invoice') AS invoice_id,
           MIN(am.id) FILTER (WHERE am.move_type = 'out_refund') AS refund_id
      FROM inv_moves im
      JOIN account_move am ON am.id = im.move_id AND am.state = 'posted'
  GROUP BY im.sale_order_id
),
dlv AS (
    SELECT sol.order_id AS sale_order_id,
           SUM(sol.qty_delivered) AS qty_delivered,
           SUM(GREATEST(sol.product_uom_qty - sol.qty_delivered, 0)
               * sol.price_total / NULLIF(sol.product_uom_qty, 0)) AS undelivered_value
      FROM scope s
      JOIN sale_order_line sol ON sol.order_id = s.sale_order_id
      JOIN product_product pp ON pp.id = sol.product_id
      JOIN product_template pt ON pt.id = pp.product_tmpl_id
     WHERE pt.type IN ('product', 'consu')
  GROUP BY sol.order_id
),
ret_line AS (
    SELECT sol.id AS sale_line_id, sol.order_id AS sale_order_id, SUM(sm.quantity) AS qty
      FROM scope s
      JOIN sale_order_line sol ON sol.order_id = s.sale_order_id
      JOIN stock_move sm ON sm.sale_line_id = sol.id
     WHERE sm.state = 'done'
       AND sm.origin_returned_move_id IS NOT NULL
  GROUP BY sol.id, sol.order_id
),
-- Units that came back for exchange items were swapped within the order: no refund is due.
exch AS (
    SELECT ol.sale_line_id, SUM(rl.quantity_exchanged) AS qty
      FROM scope s
      JOIN omni_return r ON r.omni_order_id = s.id
      JOIN omni_return_line rl ON rl.return_id = r.id
      JOIN omni_order_line ol ON ol.id = rl.order_line_id
     WHERE rl.quantity_exchanged > 0
  GROUP BY ol.sale_line_id
),
ret AS (
    SELECT rl.sale_order_id,
           SUM(GREATEST(rl.qty - COALESCE(x.qty, 0), 0)) AS qty_returned,
           SUM(GREATEST(rl.qty - COALESCE(x.qty, 0), 0)
               * COALESCE(sol.price_total / NULLIF(sol.product_uom_qty, 0), 0)) AS returned_value
      FROM ret_line rl
      JOIN sale_order_line sol ON sol.id = rl.sale_line_id
      LEFT JOIN exch x ON x.sale_line_id = rl.sale_line_id
  GROUP BY rl.sale_order_id
)
SELECT s.id AS order_id,
       s.name,
       s.external_id,
       s.backend_id,
       s.currency_id,
       COALESCE(s.amount_total, 0) AS amount_total,
       COALESCE(s.amount_refunded, 0) AS amount_refunded,
       s.financial_state,
       s.cancelled_at,
       COALESCE(s.booked_in_odoo, false) AS booked_in_odoo,
       COALESCE(s.channel_created_at, s.create_date)::date AS date,
       so.id AS sale_order_id,
       so.name AS so_name,
       so.state AS so_state,
       so.amount_total AS so_total,
       so.currency_id AS so_currency_id,
       so.date_order,
       so.invoice_status,
       COALESCE(pay.n_payments, 0) AS n_payments,
       COALESCE(pay.charged, 0) AS charged,
       COALESCE(pay.refunded, 0) AS refunded,
       COALESCE(inv.invoiced, 0) AS invoiced,
       COALESCE(inv.credited, 0) AS credited,
       COALESCE(inv.n_invoices, 0) AS n_invoices,
       inv.invoice_id,
       inv.refund_id,
       COALESCE(dlv.qty_delivered, 0) AS qty_delivered,
       COALESCE(dlv.undelivered_value, 0) AS undelivered_value,
       COALESCE(ret.qty_returned, 0) AS qty_returned,
       COALESCE(ret.returned_value, 0) AS returned_value,
       COALESCE(fx.factor, 1.0) AS factor,
       COALESCE(fx.tolerance, %(tolerance)s) AS tolerance
  FROM scope s
  LEFT JOIN sale_order so ON so.id = s.sale_order_id
  LEFT JOIN pay ON pay.order_id = s.id
  LEFT JOIN inv ON inv.sale_order_id = s.sale_order_id
  LEFT JOIN dlv ON dlv.sale_order_id = s.sale_order_id
  LEFT JOIN ret ON ret.sale_order_id = s.sale_order_id
  LEFT JOIN omni_recon_fx fx ON fx.currency_id = s.currency_id;
ANALYZE omni_recon_chain;
"""
)

CAND_TABLE = """
DROP TABLE IF EXISTS omni_recon_cand;
CREATE TEMP TABLE omni_recon_cand (
    key varchar NOT NULL,
    exception_type varchar NOT NULL,
    severity varchar NOT NULL DEFAULT 'medium',
    amount numeric NOT NULL DEFAULT 0,
    backend_id int,
    date date NOT NULL,
    omni_order_id int,
    omni_payment_id int,
    omni_payout_id int,
    sale_order_id int,
    move_id int,
    omni_event_id int,
    store_day_id int,
    stock_level_id int,
    product_id int,
    name varchar NOT NULL,
    explanation text
);
"""

_INSERT = """
INSERT INTO omni_recon_cand (key, exception_type, severity, amount, backend_id, date,
    omni_order_id, omni_payment_id, omni_payout_id, sale_order_id, move_id, omni_event_id,
    name, explanation)
"""

# Store-day and stock checks link records the order-chain checks do not carry.
_INSERT_STORE = """
INSERT INTO omni_recon_cand (key, exception_type, severity, amount, backend_id, date,
    omni_event_id, store_day_id, name, explanation)
"""

_INSERT_STOCK = """
INSERT INTO omni_recon_cand (key, exception_type, severity, amount, backend_id, date,
    stock_level_id, product_id, name, explanation)
"""

# One statement per exception type: (type, SQL). Amounts are in the company currency.
CANDIDATES = [
    (
        "missing_in_odoo",
        _INSERT
        + """
SELECT 'missing_in_odoo:order:' || c.order_id, 'missing_in_odoo', 'high',
       ROUND(c.amount_total * c.factor, %(digits)s), c.backend_id, c.date,
       c.order_id, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int,
       format('Order %%s has no sale order in Odoo', c.name),
       format('Channel order %%s (external id %%s, total %%s) was never turned into a '
              'sale order.', c.name, c.external_id, c.amount_total)
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
        _INSERT
        + """
SELECT 'duplicate_order:sale_order:' || d.id, 'duplicate_order', 'high',
       ROUND(d.amount_total * COALESCE(fx.factor, 1.0), %(digits)s), d.omni_backend_id,
       d.date_order::date, o.id, NULL::int, NULL::int, d.id, NULL::int, NULL::int,
       format('Duplicate sale order %%s for channel order %%s', d.name, d.omni_external_ref),
       format('Sale orders %%s and %%s both book channel order %%s; %%s is the duplicate.',
              d.first_name, d.name, d.omni_external_ref, d.name)
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
       format('Channel order %%s booked on the sale order of another channel order', d.name),
       format('Channel orders %%s and %%s are both linked to sale order %%s.',
              d.first_name, d.name, d.so_name)
  FROM (SELECT c.*, FIRST_VALUE(c.name) OVER w AS first_name, ROW_NUMBER() OVER w AS rank
          FROM omni_recon_chain c
         WHERE c.sale_order_id IS NOT NULL
           AND NOT c.booked_in_odoo
        WINDOW w AS (PARTITION BY c.sale_order_id ORDER BY c.order_id)) d
 WHERE d.rank > 1
""",
    ),
    (
        "amount_mismatch",
        _INSERT
        + """
SELECT 'amount_mismatch:order:' || c.order_id, 'amount_mismatch',
       CASE WHEN x.gap * c.factor >= %(high_amount)s THEN 'high' ELSE 'medium' END,
       ROUND(x.gap * c.factor, %(digits)s), c.backend_id, c.date,
       c.order_id, NULL::int, NULL::int, c.sale_order_id, c.invoice_id, NULL::int,
       format('Order %%s: channel %%s, sale order %%s, invoiced %%s',
              c.name, c.amount_total, c.so_total,
              CASE WHEN c.n_invoices > 0 THEN c.invoiced::text ELSE '-' END),
       format('Channel total %%s, sale order %%s total %%s, posted invoices %%s; largest gap %%s.',
              c.amount_total, c.so_name, c.so_total,
              CASE WHEN c.n_invoices > 0 THEN c.invoiced::text ELSE 'none' END, x.gap)
  FROM omni_recon_chain c
 CROSS JOIN LATERAL (
       SELECT GREATEST(ABS(c.so_total - c.amount_total),
                       CASE WHEN c.n_invoices > 0 THEN ABS(c.invoiced - c.amount_total)
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
        "underpaid",
        _INSERT
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
        _INSERT
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
        _INSERT
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
        _INSERT
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
        "undelivered",
        _INSERT
        + """
SELECT 'undelivered:order:' || c.order_id, 'undelivered', 'medium',
       ROUND(c.undelivered_value * COALESCE(fx.factor, 1.0), %(digits)s), c.backend_id, c.date,
       c.order_id, NULL::int, NULL::int, c.sale_order_id, NULL::int, NULL::int,
       format('Order %%s not delivered after %%s day(s)', c.name, %(delivery_sla)s),
       format('Sale order %%s, confirmed on %%s, still has %%s of goods to deliver '
              '(delivery SLA %%s day(s)).', c.so_name, c.date_order::date,
              ROUND(c.undelivered_value, 2), %(delivery_sla)s)
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
        _INSERT
        + """
SELECT 'uninvoiced:order:' || c.order_id, 'uninvoiced', 'medium',
       ROUND((c.so_total - c.invoiced + c.credited) * COALESCE(fx.factor, 1.0), %(digits)s),
       c.backend_id, c.date, c.order_id, NULL::int, NULL::int, c.sale_order_id, NULL::int,
       NULL::int,
       format('Order %%s not invoiced after %%s day(s)', c.name, %(invoice_sla)s),
       format('Sale order %%s (total %%s, invoiced %%s) is still to invoice %%s day(s) after '
              'its confirmation on %%s.', c.so_name, c.so_total, c.invoiced - c.credited,
              %(invoice_sla)s, c.date_order::date)
  FROM omni_recon_chain c
  LEFT JOIN omni_recon_fx fx ON fx.currency_id = c.so_currency_id
 WHERE c.so_state = 'sale'
   AND NOT c.booked_in_odoo
   AND c.invoice_status = 'to invoice'
   AND c.so_total - c.invoiced + c.credited > c.tolerance
   AND c.date_order < %(as_of)s::timestamp - make_interval(days => %(invoice_sla)s)
""",
    ),
    (
        "orphan_payment",
        _INSERT
        + """
SELECT 'orphan_payment:payment:' || p.id, 'orphan_payment', 'high',
       ROUND(p.amount * COALESCE(fx.factor, 1.0), %(digits)s), p.backend_id,
       COALESCE(p.channel_created_at, p.create_date)::date,
       NULL::int, p.id, p.payout_id, NULL::int, NULL::int, NULL::int,
       format('Charge %%s of %%s has no order', p.external_id, p.amount),
       format('Charge %%s (%%s, order reference %%s) matches no channel order of the company.',
              p.external_id, p.amount, COALESCE(p.order_external_ref, 'none'))
"""
        + _PAYMENTS_OF_RUN
        + """
   AND p.payment_type = 'charge'
   AND """
        + PAYMENT_OK
        + """
   AND p.order_id IS NULL
   AND NOT EXISTS (SELECT 1 FROM omni_order o
                    WHERE o.company_id = p.company_id
                      AND o.external_id = p.order_external_ref)
""",
    ),
    (
        "unsettled_payment",
        _INSERT
        + """
SELECT 'unsettled_payment:payment:' || p.id, 'unsettled_payment', 'medium',
       ROUND(COALESCE(NULLIF(p.net_amount, 0), p.amount) * COALESCE(fx.factor, 1.0),
             %(digits)s),
       p.backend_id, COALESCE(p.channel_created_at, p.create_date)::date,
       p.order_id, p.id, NULL::int, NULL::int, NULL::int, NULL::int,
       format('Charge %%s not settled %%s day(s) after it was due', p.external_id,
              %(settlement_grace)s),
       format('Charge %%s (net %%s) was available on %%s and is in no payout yet (grace %%s '
              'day(s)).', p.external_id, COALESCE(NULLIF(p.net_amount, 0), p.amount),
              p.available_on::date, %(settlement_grace)s)
"""
        + _PAYMENTS_OF_RUN
        + """
   AND p.payment_type = 'charge'
   AND """
        + PAYMENT_OK
        + """
   AND p.payout_id IS NULL
   AND p.available_on < %(as_of)s::timestamp - make_interval(days => %(settlement_grace)s)
""",
    ),
    (
        "payout_mismatch",
        _INSERT
        + """
SELECT 'payout_mismatch:payout:' || po.id, 'payout_mismatch', 'high',
       ROUND(ABS(po.amount - t.net) * COALESCE(fx.factor, 1.0), %(digits)s), po.backend_id,
       COALESCE(po.arrival_date, po.channel_created_at, po.create_date)::date,
       NULL::int, NULL::int, po.id, NULL::int, po.move_id, NULL::int,
       format('Payout %%s: %%s paid out, its %%s transaction(s) net %%s',
              po.external_id, po.amount, t.n, t.net),
       format('Payout %%s amounts to %%s but the net of the %%s movement(s) it settles is %%s '
              '(gap %%s).', po.external_id, po.amount, t.n, t.net, po.amount - t.net)
  FROM omni_payout po
  JOIN (SELECT p.payout_id, COUNT(*) AS n,
               SUM(COALESCE(NULLIF(p.net_amount, 0), p.amount)) AS net
          FROM omni_payment p
         WHERE p.company_id = %(company)s
           AND p.payout_id IS NOT NULL
           AND p.payment_type <> 'payout'
      GROUP BY p.payout_id) t ON t.payout_id = po.id
"""
        + _PAYOUTS_OF_RUN
        + """
   AND ABS(po.amount - t.net) > COALESCE(fx.tolerance, %(tolerance)s)
""",
    ),
    (
        "payout_not_banked",
        _INSERT
        + """
SELECT 'payout_not_banked:payout:' || po.id, 'payout_not_banked', 'high',
       ROUND(po.amount * COALESCE(fx.factor, 1.0), %(digits)s), po.backend_id,
       COALESCE(po.arrival_date, po.channel_created_at, po.create_date)::date,
       NULL::int, NULL::int, po.id, NULL::int, po.move_id, NULL::int,
       format('Payout %%s of %%s not found in the bank', po.external_id, po.amount),
       format('Payout %%s (%%s, trace %%s) arrived on %%s according to the processor but no '
              'bank statement line matches it after %%s day(s).', po.external_id, po.amount,
              COALESCE(po.trace, 'none'), po.arrival_date::date, %(bank_days)s)
  FROM omni_payout po
"""
        + _PAYOUTS_OF_RUN
        + """
   AND po.status = 'paid'
   AND po.statement_line_id IS NULL
   AND po.arrival_date < %(as_of)s::timestamp - make_interval(days => %(bank_days)s)
""",
    ),
    (
        "fee_variance",
        _INSERT
        + """
SELECT 'fee_variance:payment:' || p.id, 'fee_variance', 'low',
       ROUND(ABS(p.amount - p.fee_amount - p.net_amount) * COALESCE(fx.factor, 1.0),
             %(digits)s),
       p.backend_id, COALESCE(p.channel_created_at, p.create_date)::date,
       p.order_id, p.id, p.payout_id, NULL::int, NULL::int, NULL::int,
       format('Movement %%s: fee charged %%s, fee booked %%s', p.external_id,
              p.amount - p.net_amount, p.fee_amount),
       format('Movement %%s: gross %%s less net %%s is a fee of %%s, but the fee reported is '
              '%%s.', p.external_id, p.amount, p.net_amount, p.amount - p.net_amount,
              p.fee_amount)
"""
        + _PAYMENTS_OF_RUN
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
       format('Payout %%s: fees booked %%s, fees of its movements %%s', po.external_id,
              po.fee_amount, t.fees),
       format('Payout %%s reports %%s of fees; its movements carry %%s (gap %%s).',
              po.external_id, po.fee_amount, t.fees, po.fee_amount - t.fees)
  FROM omni_payout po
  JOIN (SELECT p.payout_id,
               SUM(COALESCE(p.fee_amount, 0))
               + SUM(CASE WHEN p.payment_type = 'fee' THEN ABS(p.amount) ELSE 0 END) AS fees
          FROM omni_payment p
         WHERE p.company_id = %(company)s
           AND p.payout_id IS NOT NULL
      GROUP BY p.payout_id) t ON t.payout_id = po.id
"""
        + _PAYOUTS_OF_RUN
        + """
   AND COALESCE(po.fee_amount, 0) <> 0
   AND ABS(po.fee_amount - t.fees) > COALESCE(fx.tolerance, %(tolerance)s)
""",
    ),
    (
        "fx_variance",
        _INSERT
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
        + _BACKEND.format(alias="p")
        + """
   AND COALESCE(p.channel_created_at, p.create_date)::date BETWEEN %(date_from)s AND %(date_to)s
   AND p.currency_id <> %(company_currency)s
   AND COALESCE(p.exchange_rate, 0) > 0
   AND ABS(p.amount * p.exchange_rate - p.amount * x.factor)
       > GREATEST(%(tolerance)s, ABS(p.amount * x.factor) * %(fx_pct)s / 100.0)
""",
    ),
    (
        "unmapped",
        _INSERT
        + """
SELECT 'unmapped:event:' || e.id, 'unmapped', 'low', 0, e.backend_id, e.received_at::date,
       e.omni_order_id, NULL::int, NULL::int, NULL::int, NULL::int, e.id,
       format('Unmapped record in %%s event %%s', e.topic, COALESCE(e.external_id, e.id::text)),
       LEFT(COALESCE(e.error_message, 'Mapping error'), 2000)
  FROM omni_event e
 WHERE e.company_id = %(company)s
   AND """
        + _BACKEND.format(alias="e")
        + """
   AND e.received_at::date BETWEEN %(date_from)s AND %(date_to)s
   AND e.state IN ('failed', 'dead')
   AND e.error_class = 'mapping'
""",
    ),
    (
        "z_report_gap",
        _INSERT_STORE
        + """
SELECT 'z_report_gap:tender:' || t.id, 'z_report_gap',
       CASE WHEN ABS(t.gap_amount) * COALESCE(fx.factor, 1.0) >= %(high_amount)s
            THEN 'high' ELSE 'medium' END,
       ROUND(ABS(t.gap_amount) * COALESCE(fx.factor, 1.0), %(digits)s), d.backend_id,
       d.business_date, d.event_id, d.id,
       format('%%s %%s: %%s Z report %%s, transactions %%s', loc.name, d.business_date,
              t.tender, t.z_amount, t.transactions_amount),
       format('The Z report of %%s for %%s declares %%s in %%s but the %%s transaction(s) '
              'received for that tender add up to %%s (gap %%s %%s).', loc.name,
              d.business_date, t.z_amount, t.tender, COALESCE(t.transaction_count, 0),
              t.transactions_amount, t.gap_amount, cur.name)
  FROM omni_store_day_tender t
  JOIN omni_store_day d ON d.id = t.store_day_id
  JOIN omni_location loc ON loc.id = d.location_id
  JOIN res_currency cur ON cur.id = d.currency_id
  LEFT JOIN omni_recon_fx fx ON fx.currency_id = d.currency_id
 WHERE d.company_id = %(company)s
   AND """
        + _BACKEND.format(alias="d")
        + """
   AND d.business_date BETWEEN %(date_from)s AND %(date_to)s
   AND d.z_reported
   -- tolerance in the day's currency: never below half its rounding (JPY: 0.5)
   AND ABS(t.gap_amount) > COALESCE(fx.tolerance, GREATEST(%(tolerance)s, cur.rounding / 2.0))
""",
    ),
    (
        "stock_drift",
        _INSERT_STOCK
        + """
WITH lvl AS (
    SELECT sl.*, COALESCE(loc.warehouse_id, parent.warehouse_id) AS wh_id,
           loc.name AS loc_name,
           COALESCE(sl.channel_updated_at, sl.write_date)::date AS day
      FROM omni_stock_level sl
      JOIN omni_location loc ON loc.id = sl.location_id
      LEFT JOIN omni_location parent ON parent.id = loc.parent_id
     WHERE sl.company_id = %(company)s
       AND """
        + _BACKEND.format(alias="sl")
        + """
       AND COALESCE(sl.channel_updated_at, sl.write_date)::date
           BETWEEN %(date_from)s AND %(date_to)s
),
avail AS (
    -- Odoo's available quantity: on hand less reserved, in the warehouse's stock location
    -- and its internal children
    SELECT wh.id AS wh_id, q.product_id, SUM(q.quantity - q.reserved_quantity) AS qty
      FROM stock_warehouse wh
      JOIN stock_location root ON root.id = wh.lot_stock_id
      JOIN stock_location l ON l.parent_path LIKE root.parent_path || '%%'
                           AND l.usage = 'internal'
      JOIN stock_quant q ON q.location_id = l.id
     WHERE wh.id IN (SELECT wh_id FROM lvl)
       AND q.product_id IN (SELECT product_id FROM lvl)
  GROUP BY wh.id, q.product_id
),
cost AS (
    -- standard_price is company-dependent: stored in ir_property per company
    SELECT split_part(ip.res_id, ',', 2)::int AS product_id, ip.value_float AS cost
      FROM ir_property ip
      JOIN ir_model_fields f ON f.id = ip.fields_id
     WHERE f.model = 'product.product' AND f.name = 'standard_price'
       AND ip.company_id = %(company)s
       AND ip.res_id LIKE 'product.product,%%'
),
default_cost AS (
    SELECT COALESCE((SELECT ip.value_float
                       FROM ir_property ip
                       JOIN ir_model_fields f ON f.id = ip.fields_id
                      WHERE f.model = 'product.product' AND f.name = 'standard_price'
                        AND ip.res_id IS NULL
                        AND (ip.company_id = %(company)s OR ip.company_id IS NULL)
                   ORDER BY ip.company_id NULLS LAST LIMIT 1), 0.0) AS cost
)
SELECT 'stock_drift:level:' || x.id, 'stock_drift',
       CASE WHEN x.value >= %(high_amount)s THEN 'high' ELSE 'medium' END,
       ROUND(x.value::numeric, %(digits)s), x.backend_id, x.day,
       x.id, x.product_id,
       format('%%s at %%s: channel shows %%s, Odoo has %%s available', x.product_name,
              x.loc_name, x.channel_quantity, x.odoo_qty),
       format('The channel reported %%s unit(s) of %%s at %%s on %%s; warehouse %%s has %%s '
              'available (on hand less reserved). Difference %%s valued at cost %%s.',
              x.channel_quantity, x.product_name, x.loc_name, x.day, x.wh_name, x.odoo_qty,
              x.channel_quantity - x.odoo_qty, x.cost)
  FROM (SELECT lvl.id, lvl.backend_id, lvl.day, lvl.product_id, lvl.loc_name,
               lvl.channel_quantity, wh.name AS wh_name,
               COALESCE(pp.default_code, pt.name->>'en_US') AS product_name,
               COALESCE(avail.qty, 0) AS odoo_qty,
               COALESCE(cost.cost, dc.cost, 0.0) AS cost,
               ABS(COALESCE(lvl.channel_quantity, 0) - COALESCE(avail.qty, 0))
               * COALESCE(cost.cost, dc.cost, 0.0) AS value,
               uom.rounding, pt.type AS product_type
          FROM lvl
          JOIN stock_warehouse wh ON wh.id = lvl.wh_id
          JOIN product_product pp ON pp.id = lvl.product_id
          JOIN product_template pt ON pt.id = pp.product_tmpl_id
          JOIN uom_uom uom ON uom.id = pt.uom_id
          CROSS JOIN default_cost dc
          LEFT JOIN avail ON avail.wh_id = lvl.wh_id AND avail.product_id = lvl.product_id
          LEFT JOIN cost ON cost.product_id = lvl.product_id) x
 WHERE ABS(COALESCE(x.channel_quantity, 0) - x.odoo_qty) > x.rounding / 2.0
   -- Odoo keeps no stock of consumables and services: nothing to compare them with
   AND x.product_type = 'product'
""",
    ),
]

# Merge ------------------------------------------------------------------------------------

_DIFFERS = """(
       e.amount IS DISTINCT FROM c.amount
    OR e.severity IS DISTINCT FROM c.severity
    OR e.name IS DISTINCT FROM c.name
    OR e.explanation IS DISTINCT FROM c.explanation
    OR e.omni_order_id IS DISTINCT FROM c.omni_order_id
    OR e.omni_payment_id IS DISTINCT FROM c.omni_payment_id
    OR e.omni_payout_id IS DISTINCT FROM c.omni_payout_id
    OR e.sale_order_id IS DISTINCT FROM c.sale_order_id
    OR e.move_id IS DISTINCT FROM c.move_id
    OR e.store_day_id IS DISTINCT FROM c.store_day_id
    OR e.stock_level_id IS DISTINCT FROM c.stock_level_id
    OR e.product_id IS DISTINCT FROM c.product_id)"""

_SET = """
       amount = c.amount, severity = c.severity, name = c.name, explanation = c.explanation,
       omni_order_id = c.omni_order_id, omni_payment_id = c.omni_payment_id,
       omni_payout_id = c.omni_payout_id, sale_order_id = c.sale_order_id,
       move_id = c.move_id, store_day_id = c.store_day_id,
       stock_level_id = c.stock_level_id, product_id = c.product_id, run_id = %(run)s,
       write_uid = %(uid)s,
       write_date = now() at time zone 'utc'"""

UPDATE_OPEN = (
    """
UPDATE omni_recon_exception e SET """
    + _SET
    + """
  FROM omni_recon_cand c
 WHERE e.company_id = %(company)s AND e.key = c.key AND e.state = 'open' AND """
    + _DIFFERS
    + """
RETURNING e.id
"""
)

REOPEN = (
    """
UPDATE omni_recon_exception e SET """
    + _SET
    + """, state = 'open', auto_closed = false
  FROM omni_recon_cand c
 WHERE e.company_id = %(company)s AND e.key = c.key AND e.state = 'resolved' AND e.auto_closed
RETURNING e.id
"""
)

INSERT_NEW = """
INSERT INTO omni_recon_exception (
    key, exception_type, severity, state, company_id, backend_id, channel, amount, date,
    omni_order_id, omni_payment_id, omni_payout_id, sale_order_id, move_id, omni_event_id,
    store_day_id, stock_level_id, product_id,
    name, explanation, run_id, auto_closed, create_uid, create_date, write_uid, write_date)
SELECT c.key, c.exception_type, c.severity, 'open', %(company)s, c.backend_id, b.channel,
       c.amount, c.date, c.omni_order_id, c.omni_payment_id, c.omni_payout_id,
       c.sale_order_id, c.move_id, c.omni_event_id, c.store_day_id, c.stock_level_id,
       c.product_id, c.name, c.explanation, %(run)s, false,
       %(uid)s, now() at time zone 'utc', %(uid)s, now() at time zone 'utc'
  FROM (SELECT DISTINCT ON (key) * FROM omni_recon_cand ORDER BY key) c
  LEFT JOIN omni_backend b ON b.id = c.backend_id
 WHERE NOT EXISTS (SELECT 1 FROM omni_recon_exception e
                    WHERE e.company_id = %(company)s AND e.key = c.key)
RETURNING id
"""

AUTO_CLOSE = """
UPDATE omni_recon_exception e
   SET state = 'resolved', auto_closed = true, run_id = %(run)s,
       resolution_note = %(note)s, write_uid = %(uid)s, write_date = now() at time zone 'utc'
 WHERE e.company_id = %(company)s
   AND e.state = 'open'
   AND e.key IS NOT NULL
   AND e.date BETWEEN %(date_from)s AND %(date_to)s
   AND (%(backend)s::int IS NULL OR e.backend_id = %(backend)s::int)
   AND NOT EXISTS (SELECT 1 FROM omni_recon_cand c WHERE c.key = e.key)
RETURNING e.id
"""
