"""Checks of stock: the quantity a channel shows against what Odoo has available."""

from odoo.tools.translate import _lt

from .formatting import money
from .scope import BACKEND, positions

# The title and details of the exceptions, by SQL parameter (see the package docstring).
TEXTS = {
    "stock_drift_title": _lt(
        "%(product)s at %(location)s: channel shows %(channel_qty)s, Odoo has %(odoo_qty)s "
        "available",
        **positions("product", "location", "channel_qty", "odoo_qty"),
    ),
    "stock_drift_details": _lt(
        "The channel reported %(channel_qty)s unit(s) of %(product)s at %(location)s on "
        "%(date)s; warehouse %(warehouse)s has %(odoo_qty)s available (on hand less reserved). "
        "Difference %(difference)s valued at cost %(cost)s.",
        **positions(
            "channel_qty",
            "product",
            "location",
            "date",
            "warehouse",
            "odoo_qty",
            "difference",
            "cost",
        ),
    ),
}

# A stock check links the stock level and its product, which the order-chain checks do not carry.
INSERT_STOCK = """
INSERT INTO omni_recon_cand (key, exception_type, severity, amount, backend_id, date,
    stock_level_id, product_id, name, explanation)
"""

CHECKS = [
    (
        "stock_drift",
        INSERT_STOCK
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
        + BACKEND.format(alias="sl")
        + f"""
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
       format(%(stock_drift_title)s, x.product_name, x.loc_name, x.channel_quantity,
              x.odoo_qty),
       format(%(stock_drift_details)s, x.channel_quantity, x.product_name, x.loc_name, x.day,
              x.wh_name, x.odoo_qty, x.channel_quantity - x.odoo_qty,
              {money("x.cost", "%(company_currency)s")})
  FROM (SELECT lvl.id, lvl.backend_id, lvl.day, lvl.product_id, lvl.loc_name,
               lvl.channel_quantity, wh.name AS wh_name,
               COALESCE(pp.default_code, pt.name->>%(lang)s, pt.name->>'en_US')
                   AS product_name,
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
