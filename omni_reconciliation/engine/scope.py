"""SQL fragments shared by the checks: the scope of a run, and the movements of an order."""

from odoo.tools.translate import _lt

# What the checks write in a sentence for a value that is missing.
TEXTS = {"none": _lt("none")}


def positions(*names):
    """The values of the placeholders of a sentence whose SQL ``format()`` receives the values
    of ``names`` in this order: each ``%(name)s`` becomes the position of its value (``%1$s``).
    """
    return {name: f"%{position}$s" for position, name in enumerate(names, start=1)}


BACKEND = "(%(backend)s::int IS NULL OR {alias}.backend_id = %(backend)s::int)"

PAYMENT_OK = "COALESCE(p.status, '') NOT IN ('failed', 'canceled', 'cancelled', 'pending')"

# The movements, and the payouts, of the run's company, backend and period, each with the rate
# of its currency to the company's (``fx.factor``). A check selects from the first, or from
# ``omni_payout po`` (and what it joins) followed by the second.
PAYMENTS_OF_RUN = (
    """
  FROM omni_payment p
  LEFT JOIN omni_recon_fx fx ON fx.currency_id = p.currency_id
 WHERE p.company_id = %(company)s
   AND """
    + BACKEND.format(alias="p")
    + """
   AND COALESCE(p.channel_created_at, p.create_date)::date BETWEEN %(date_from)s AND %(date_to)s
"""
)
PAYOUTS_OF_RUN = (
    """
  LEFT JOIN omni_recon_fx fx ON fx.currency_id = po.currency_id
 WHERE po.company_id = %(company)s
   AND """
    + BACKEND.format(alias="po")
    + """
   AND COALESCE(po.arrival_date, po.channel_created_at, po.create_date)::date
       BETWEEN %(date_from)s AND %(date_to)s
"""
)
# The charges of the run that went through.
CHARGES_OF_RUN = (
    PAYMENTS_OF_RUN
    + """
   AND p.payment_type = 'charge'
   AND """
    + PAYMENT_OK
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

# A movement's amount in the order's (shop) currency: one in the currency the customer saw
# (presentment) is brought to the shop currency at the order's own ratio; one in any other
# currency is no amount of the order (never summed with it). Aliases: {pay}, {order}.
IN_ORDER_CURRENCY = """
    CASE WHEN {pay}.currency_id = {order}.currency_id THEN {pay}.amount
         WHEN {pay}.currency_id = {order}.presentment_currency_id
              AND COALESCE({order}.amount_total_presentment, 0) <> 0
         THEN {pay}.amount * {order}.amount_total / {order}.amount_total_presentment
    END"""

# The movement a processor captured for the channel's record ``{own}`` (its twin), if any.
PROCESSOR_TWIN = (
    """
    (SELECT t.* FROM omni_payment t
      WHERE """
    + TWIN_OF.format(twin="t", own="{own}", order="{order}")
    + """
        AND """
    + PAYMENT_OK.replace("p.", "t.")
    + """
   ORDER BY t.id LIMIT 1)"""
)

# A movement through a gateway that moves no money (bank deposit, cash on delivery...): the
# backend lists them (``manual_gateways``). Alias: {pay}.
MANUAL_GATEWAY = """
    EXISTS (SELECT 1 FROM omni_backend mb
             WHERE mb.id = {pay}.backend_id
               AND LOWER(BTRIM(COALESCE({pay}.processor, ''))) = ANY(
                   regexp_split_to_array(LOWER(BTRIM(COALESCE(mb.manual_gateways, ''))),
                                         '\\s*,\\s*')))"""

# A movement is banked when its journal entry is matched with the bank.
BANKED = """
    EXISTS (SELECT 1 FROM account_move_line aml
             WHERE aml.move_id = {pay}.move_id AND aml.reconciled)"""

# The movements of the orders in ``scope`` counted once, in the order's (shop) currency, each
# with the payout that settled it (its own or its twin's). The processor's record of a charge
# (``twin_id``) is the money: its amount counts (``amount``); what the channel recorded
# (``recorded``) is what the order is compared with, the gap between the two being a
# ``processor_amount_mismatch``, never also an underpayment. A movement through a manual
# gateway is ``unreceived`` until a payout settles it or the bank has it.
ORDER_MOVEMENTS = (
    """
    SELECT m.id, m.order_id, m.payment_type, COALESCE(m.captured, m.recorded) AS amount,
           m.recorded, m.twin_id, m.payout_id,
           m.manual AND m.payout_id IS NULL AND NOT m.banked AS unreceived
      FROM (
    SELECT p.id, p.order_id, p.payment_type, tw.id AS twin_id,
           """
    + IN_ORDER_CURRENCY.format(pay="tw", order="o")
    + """ AS captured,
           """
    + IN_ORDER_CURRENCY.format(pay="p", order="o")
    + """ AS recorded,
           COALESCE(p.payout_id, tw.payout_id,
                    (SELECT t.payout_id FROM omni_payment t
                      WHERE t.payout_id IS NOT NULL AND """
    + TWIN_OF.format(twin="t", own="p", order="o")
    + """
                      LIMIT 1)) AS payout_id,
           """
    + MANUAL_GATEWAY.format(pay="p")
    + """ AS manual,
           """
    + BANKED.format(pay="p")
    + """ AS banked
      FROM omni_payment p
      JOIN {scope} o ON o.id = p.order_id
      LEFT JOIN LATERAL """
    + PROCESSOR_TWIN.format(own="p", order="o")
    + """ tw ON TRUE
     WHERE p.payment_type IN ('charge', 'cash', 'gift_card', 'refund')
       AND """
    + PAYMENT_OK
    + """
       AND NOT EXISTS (SELECT 1 FROM omni_payment q WHERE """
    + TWIN_OF.format(twin="p", own="q", order="o")
    + """)
           ) m
     WHERE m.recorded IS NOT NULL
"""
)

# The posted invoices and credit notes of the sale orders of the channel orders in ``scope``,
# each with what it bills (or credits) of that sale order (``amount``) and of that, goods
# (``goods``; a refund of shipping only: none). A move of several orders (Odoo's consolidated
# billing) counts for the lines it bills of each, never whole on each; a move of a single
# order counts whole (its lines of shipping or rounding are that order's). Credit notes
# booked on the channel order itself (its refunds' shipping) count too.
ORDER_INVOICES = """
    SELECT im.sale_order_id, am.id AS move_id, am.move_type, am.currency_id, am.company_id,
           CASE WHEN x.n_orders > 1 THEN im.billed ELSE am.amount_total END AS amount,
           CASE WHEN x.n_orders > 1 THEN COALESCE(im.billed_goods, 0)
                ELSE (SELECT COALESCE(SUM(aml.price_total), 0)
                        FROM account_move_line aml
                        JOIN product_product pp ON pp.id = aml.product_id
                        JOIN product_template pt ON pt.id = pp.product_tmpl_id
                       WHERE aml.move_id = am.id
                         AND aml.display_type = 'product'
                         AND pt.type IN ('product', 'consu')) END AS goods
      FROM (
        SELECT il.sale_order_id, il.move_id, SUM(il.price_total) AS billed,
               SUM(il.price_total) FILTER (WHERE il.is_goods) AS billed_goods
          FROM (SELECT sol.order_id AS sale_order_id, aml.move_id, aml.price_total,
                       pt.type IN ('product', 'consu') AS is_goods
                  FROM (SELECT DISTINCT sale_order_id FROM {scope}
                         WHERE sale_order_id IS NOT NULL) s
                  JOIN sale_order_line sol ON sol.order_id = s.sale_order_id
                  JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
                  JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                  LEFT JOIN product_product pp ON pp.id = aml.product_id
                  LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id) il
      GROUP BY il.sale_order_id, il.move_id
         UNION
        SELECT DISTINCT s.sale_order_id, rel.account_move_id, NULL::numeric, NULL::numeric
          FROM {scope} s
          JOIN account_move_omni_order_rel rel ON rel.omni_order_id = s.id
         WHERE s.sale_order_id IS NOT NULL
           AND NOT EXISTS (SELECT 1
                             FROM sale_order_line sol
                             JOIN sale_order_line_invoice_rel r ON r.order_line_id = sol.id
                             JOIN account_move_line aml ON aml.id = r.invoice_line_id
                            WHERE sol.order_id = s.sale_order_id
                              AND aml.move_id = rel.account_move_id)
           ) im
      JOIN account_move am ON am.id = im.move_id AND am.state = 'posted'
                          AND am.move_type IN ('out_invoice', 'out_refund')
     CROSS JOIN LATERAL (
           SELECT COUNT(DISTINCT sol.order_id) AS n_orders
             FROM account_move_line aml
             JOIN sale_order_line_invoice_rel rel ON rel.invoice_line_id = aml.id
             JOIN sale_order_line sol ON sol.id = rel.order_line_id
            WHERE aml.move_id = am.id) x
"""

# The columns every check fills (the store-day and stock checks name their own).
INSERT_CANDIDATE = """
INSERT INTO omni_recon_cand (key, exception_type, severity, amount, backend_id, date,
    omni_order_id, omni_payment_id, omni_payout_id, sale_order_id, move_id, omni_event_id,
    name, explanation)
"""
