from odoo import fields, models, tools

from ..engine import ORDER_MOVEMENTS

VIEW_QUERY = (
    """
            CREATE OR REPLACE VIEW omni_recon_variance_report AS (
            WITH rate AS (
                SELECT DISTINCT ON (r.currency_id) r.currency_id, r.rate
                  FROM res_currency_rate r
              ORDER BY r.currency_id, r.name DESC, r.company_id NULLS LAST
            ),
            inv AS (
                SELECT x.sale_order_id,
                       SUM(am.amount_total_signed) AS invoiced
                  FROM (SELECT DISTINCT sol.order_id AS sale_order_id, aml.move_id
                          FROM sale_order_line sol
                          JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
                          JOIN account_move_line aml ON aml.id = rel.invoice_line_id) x
                  JOIN account_move am ON am.id = x.move_id AND am.state = 'posted'
                       AND am.move_type IN ('out_invoice', 'out_refund')
              GROUP BY x.sale_order_id
            ),
            movements AS ("""
    + ORDER_MOVEMENTS.format(scope="omni_order")
    + """),
            pay AS (
                SELECT m.order_id,
                       SUM(m.amount) AS paid,
                       SUM(m.amount) FILTER (WHERE m.payout_id IS NOT NULL) AS settled,
                       SUM(m.amount) FILTER (WHERE po.statement_line_id IS NOT NULL) AS banked
                  FROM movements m
                  LEFT JOIN omni_payout po ON po.id = m.payout_id
              GROUP BY m.order_id
            ),
            rows AS (
                SELECT COALESCE(o.channel_created_at, o.create_date)::date AS date,
                       o.company_id, o.backend_id, c.currency_id AS company_currency_id,
                       COALESCE(cr.rate, 1.0) / NULLIF(COALESCE(orr.rate, 1.0), 0) AS factor,
                       COALESCE(cr.rate, 1.0) / NULLIF(COALESCE(sr.rate, 1.0), 0) AS so_factor,
                       o.amount_total, o.sale_order_id,
                       COALESCE(o.booked_in_odoo, false) AS booked_in_odoo,
                       CASE WHEN so.state <> 'cancel' THEN so.amount_total ELSE 0 END AS so_total,
                       COALESCE(inv.invoiced, 0) AS invoiced,
                       COALESCE(pay.paid, 0) AS paid,
                       COALESCE(pay.settled, 0) AS settled,
                       COALESCE(pay.banked, 0) AS banked
                  FROM omni_order o
                  JOIN res_company c ON c.id = o.company_id
                  LEFT JOIN rate cr ON cr.currency_id = c.currency_id
                  LEFT JOIN rate orr ON orr.currency_id = o.currency_id
                  LEFT JOIN sale_order so ON so.id = o.sale_order_id
                  LEFT JOIN rate sr ON sr.currency_id = so.currency_id
                  LEFT JOIN inv ON inv.sale_order_id = o.sale_order_id
                  LEFT JOIN pay ON pay.order_id = o.id
            ),
            conv AS (
                    SELECT date, company_id, backend_id, company_currency_id, sale_order_id,
                       booked_in_odoo,
                       amount_total * factor AS channel_amount,
                       -- orders of Odoo's own POS are booked by Odoo itself, without sale order
                       CASE WHEN booked_in_odoo THEN amount_total * factor
                            ELSE COALESCE(so_total * so_factor, 0) END AS odoo_amount,
                       invoiced AS invoiced_amount,
                       paid * factor AS paid_amount,
                       settled * factor AS settled_amount,
                       banked * factor AS banked_amount
                  FROM rows
            )
            SELECT ROW_NUMBER() OVER (ORDER BY date, company_id, backend_id) AS id,
                   date, company_id, backend_id, company_currency_id AS currency_id,
                   COUNT(*) AS order_count,
                   COUNT(*) FILTER (WHERE sale_order_id IS NULL AND NOT booked_in_odoo)
                       AS missing_count,
                   SUM(channel_amount) AS channel_amount,
                   SUM(odoo_amount) AS odoo_amount,
                   SUM(invoiced_amount) AS invoiced_amount,
                   SUM(paid_amount) AS paid_amount,
                   SUM(settled_amount) AS settled_amount,
                   SUM(banked_amount) AS banked_amount,
                   SUM(channel_amount - odoo_amount) AS gap_odoo,
                   SUM(odoo_amount - invoiced_amount) AS gap_invoiced,
                   SUM(invoiced_amount - paid_amount) AS gap_paid,
                   SUM(paid_amount - settled_amount) AS gap_settled,
                   SUM(settled_amount - banked_amount) AS gap_banked
              FROM conv
          GROUP BY date, company_id, backend_id, company_currency_id
            )
            """
)


class OmniReconVarianceReport(models.Model):
    """Per channel and day (order date): what the channel sold, what Odoo booked, invoiced,
    what was paid, settled in payouts and found in the bank, in the company currency, with the
    gap at each step. An SQL view; the amounts are converted at the latest known rate."""

    _name = "omni.recon.variance.report"
    _description = "Omnichannel Variance Analysis"
    _auto = False
    _rec_name = "date"
    _order = "date desc"

    date = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    backend_id = fields.Many2one("omni.backend", readonly=True)
    channel = fields.Selection(related="backend_id.channel", readonly=True)
    order_count = fields.Integer(string="Channel Orders", readonly=True)
    missing_count = fields.Integer(string="Orders missing in Odoo", readonly=True)
    channel_amount = fields.Monetary(string="Channel Sales", readonly=True)
    odoo_amount = fields.Monetary(string="Odoo Sales", readonly=True)
    invoiced_amount = fields.Monetary(string="Invoiced", readonly=True)
    paid_amount = fields.Monetary(string="Paid", readonly=True)
    settled_amount = fields.Monetary(string="Settled", readonly=True)
    banked_amount = fields.Monetary(string="Banked", readonly=True)
    gap_odoo = fields.Monetary(string="Gap Channel → Odoo", readonly=True)
    gap_invoiced = fields.Monetary(string="Gap Odoo → Invoiced", readonly=True)
    gap_paid = fields.Monetary(string="Gap Invoiced → Paid", readonly=True)
    gap_settled = fields.Monetary(string="Gap Paid → Settled", readonly=True)
    gap_banked = fields.Monetary(string="Gap Settled → Banked", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(VIEW_QUERY)
