"""Merge of the candidates into omni_recon_exception (see the package docstring).

An exception's ``rate_date`` is the end of the run's period: the staging converts every
amount to the company currency at the latest rates on or before it."""

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
       amount = c.amount, rate_date = %(date_to)s, severity = c.severity, name = c.name,
       explanation = c.explanation,
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
    key, exception_type, severity, state, company_id, backend_id, channel, amount, rate_date,
    date,
    omni_order_id, omni_payment_id, omni_payout_id, sale_order_id, move_id, omni_event_id,
    store_day_id, stock_level_id, product_id,
    name, explanation, run_id, auto_closed, create_uid, create_date, write_uid, write_date)
SELECT c.key, c.exception_type, c.severity, 'open', %(company)s, c.backend_id, b.channel,
       c.amount, %(date_to)s, c.date, c.omni_order_id, c.omni_payment_id, c.omni_payout_id,
       c.sale_order_id, c.move_id, c.omni_event_id, c.store_day_id, c.stock_level_id,
       c.product_id, c.name, c.explanation, %(run)s, false,
       %(uid)s, now() at time zone 'utc', %(uid)s, now() at time zone 'utc'
  FROM (SELECT DISTINCT ON (key) * FROM omni_recon_cand ORDER BY key) c
  LEFT JOIN omni_backend b ON b.id = c.backend_id
 WHERE NOT EXISTS (SELECT 1 FROM omni_recon_exception e
                    WHERE e.company_id = %(company)s AND e.key = c.key)
RETURNING id
"""

# Only what the run checked: its company, its channels, its period and its checks. A run of
# one channel, one day or one check leaves every other exception as it is.
AUTO_CLOSE = """
UPDATE omni_recon_exception e
   SET state = 'resolved', auto_closed = true, run_id = %(run)s,
       resolution_note = %(note)s, write_uid = %(uid)s, write_date = now() at time zone 'utc'
 WHERE e.company_id = %(company)s
   AND e.state = 'open'
   AND e.key IS NOT NULL
   AND e.date BETWEEN %(date_from)s AND %(date_to)s
   AND e.backend_id = ANY(%(backends)s::int[])
   AND e.exception_type = ANY(%(types)s::varchar[])
   AND NOT EXISTS (SELECT 1 FROM omni_recon_cand c WHERE c.key = e.key)
RETURNING e.id
"""
