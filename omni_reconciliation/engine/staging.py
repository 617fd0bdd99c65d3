"""The temporary tables of a run: currency factors, order chains, candidates."""

from .scope import BACKEND, ORDER_INVOICES, ORDER_MOVEMENTS

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

# The channel orders of the run's company, backend and period, and their movements
# (ORDER_MOVEMENTS), staged once for the chain and every check that reads them.
SCOPE_TABLE = (
    """
DROP TABLE IF EXISTS omni_recon_scope;
CREATE TEMP TABLE omni_recon_scope AS
    SELECT o.*
      FROM omni_order o
     WHERE o.company_id = %(company)s
       AND """
    + BACKEND.format(alias="o")
    + """
       AND COALESCE(o.channel_created_at, o.create_date)::date
           BETWEEN %(date_from)s AND %(date_to)s;
CREATE UNIQUE INDEX ON omni_recon_scope (id);
CREATE INDEX ON omni_recon_scope (sale_order_id);
ANALYZE omni_recon_scope;
DROP TABLE IF EXISTS omni_recon_movements;
CREATE TEMP TABLE omni_recon_movements AS """
    + ORDER_MOVEMENTS.format(scope="omni_recon_scope")
    + """;
CREATE INDEX ON omni_recon_movements (order_id);
ANALYZE omni_recon_movements;
"""
)

CHAIN_TABLE = (
    """
DROP TABLE IF EXISTS omni_recon_chain;
CREATE TEMP TABLE omni_recon_chain AS
WITH pay AS (
    SELECT m.order_id,
           COUNT(*) AS n_payments,
           SUM(CASE WHEN m.payment_type IN ('charge', 'cash', 'gift_card')
                    THEN m.recorded ELSE 0 END) AS charged,
           SUM(CASE WHEN m.payment_type = 'refund' THEN -m.recorded ELSE 0 END) AS refunded
      FROM omni_recon_movements m
  GROUP BY m.order_id
),
-- Each posted invoice and credit note of an order, for what it bills of that order.
inv_share AS ("""
    + ORDER_INVOICES.format(scope="omni_recon_scope")
    + """),
inv AS (
    SELECT i.sale_order_id,
           SUM(CASE WHEN i.move_type = 'out_invoice' THEN i.amount ELSE 0 END) AS invoiced,
           SUM(CASE WHEN i.move_type = 'out_refund' THEN i.amount ELSE 0 END) AS credited,
           SUM(CASE WHEN i.move_type = 'out_refund' THEN i.amount - i.goods ELSE 0 END)
               AS credited_other,
           COUNT(*) FILTER (WHERE i.move_type = 'out_invoice') AS n_invoices,
           MIN(i.move_id) FILTER (WHERE i.move_type = 'out_invoice') AS invoice_id,
           MIN(i.move_id) FILTER (WHERE i.move_type = 'out_refund') AS refund_id
      FROM inv_share i
  GROUP BY i.sale_order_id
),
-- The units of each sale line that left for the customer and that came back, counted on the
-- moves: Odoo's qty_delivered falls back when a unit is returned, yet that unit was delivered.
line_moves AS (
    SELECT sol.id AS sale_line_id, sol.order_id AS sale_order_id,
           SUM(sm.quantity) FILTER (WHERE sm.origin_returned_move_id IS NULL
                                      AND dest.usage = 'customer') AS shipped,
           SUM(sm.quantity) FILTER (WHERE sm.origin_returned_move_id IS NOT NULL) AS returned
      FROM omni_recon_scope s
      JOIN sale_order_line sol ON sol.order_id = s.sale_order_id
      JOIN stock_move sm ON sm.sale_line_id = sol.id
      JOIN stock_location dest ON dest.id = sm.location_dest_id
     WHERE sm.state = 'done'
  GROUP BY sol.id, sol.order_id
),
dlv AS (
    SELECT sol.order_id AS sale_order_id,
           SUM(COALESCE(sh.shipped, 0)) AS qty_delivered,
           SUM(GREATEST(sol.product_uom_qty - COALESCE(sh.shipped, 0), 0)
               * sol.price_total / NULLIF(sol.product_uom_qty, 0)) AS undelivered_value
      FROM omni_recon_scope s
      JOIN sale_order_line sol ON sol.order_id = s.sale_order_id
      JOIN product_product pp ON pp.id = sol.product_id
      JOIN product_template pt ON pt.id = pp.product_tmpl_id
      LEFT JOIN line_moves sh ON sh.sale_line_id = sol.id
     WHERE pt.type IN ('product', 'consu')
  GROUP BY sol.order_id
),
-- What is to invoice by each line's policy, on the gross quantities: a return and its credit
-- note are compared with each other, not with what was billed; and what is not to invoice
-- yet (the undelivered part of a line invoiced on delivery).
bill AS (
    SELECT b.sale_order_id, SUM(b.billable) AS billable,
           SUM(GREATEST(b.line_total - b.billable, 0)) AS unbillable
      FROM (
    SELECT sol.order_id AS sale_order_id, sol.price_total AS line_total,
           CASE WHEN pt.invoice_policy = 'delivery'
                THEN CASE WHEN pt.type IN ('product', 'consu') THEN COALESCE(sh.shipped, 0)
                          ELSE sol.qty_delivered END
                ELSE sol.product_uom_qty END
           * sol.price_total / NULLIF(sol.product_uom_qty, 0) AS billable
      FROM omni_recon_scope s
      JOIN sale_order_line sol ON sol.order_id = s.sale_order_id
      LEFT JOIN product_product pp ON pp.id = sol.product_id
      LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
      LEFT JOIN line_moves sh ON sh.sale_line_id = sol.id
     WHERE sol.display_type IS NULL
           ) b
  GROUP BY b.sale_order_id
),
-- Units that came back for exchange items were swapped within the order: no refund is due.
exch AS (
    SELECT ol.sale_line_id, SUM(rl.quantity_exchanged) AS qty
      FROM omni_recon_scope s
      JOIN omni_return r ON r.omni_order_id = s.id
      JOIN omni_return_line rl ON rl.return_id = r.id
      JOIN omni_order_line ol ON ol.id = rl.order_line_id
     WHERE rl.quantity_exchanged > 0
  GROUP BY ol.sale_line_id
),
ret AS (
    SELECT rl.sale_order_id,
           SUM(GREATEST(rl.returned - COALESCE(x.qty, 0), 0)) AS qty_returned,
           SUM(GREATEST(rl.returned - COALESCE(x.qty, 0), 0)
               * COALESCE(sol.price_total / NULLIF(sol.product_uom_qty, 0), 0)) AS returned_value
      FROM line_moves rl
      JOIN sale_order_line sol ON sol.id = rl.sale_line_id
      LEFT JOIN exch x ON x.sale_line_id = rl.sale_line_id
     WHERE rl.returned > 0
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
       COALESCE(inv.credited_other, 0) AS credited_other,
       COALESCE(inv.n_invoices, 0) AS n_invoices,
       inv.invoice_id,
       inv.refund_id,
       COALESCE(bill.billable, 0) AS billable,
       COALESCE(bill.unbillable, 0) AS unbillable,
       COALESCE(dlv.qty_delivered, 0) AS qty_delivered,
       COALESCE(dlv.undelivered_value, 0) AS undelivered_value,
       COALESCE(ret.qty_returned, 0) AS qty_returned,
       COALESCE(ret.returned_value, 0) AS returned_value,
       COALESCE(fx.factor, 1.0) AS factor,
       COALESCE(fx.tolerance, %(tolerance)s) AS tolerance
  FROM omni_recon_scope s
  LEFT JOIN sale_order so ON so.id = s.sale_order_id
  LEFT JOIN pay ON pay.order_id = s.id
  LEFT JOIN inv ON inv.sale_order_id = s.sale_order_id
  LEFT JOIN dlv ON dlv.sale_order_id = s.sale_order_id
  LEFT JOIN bill ON bill.sale_order_id = s.sale_order_id
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
