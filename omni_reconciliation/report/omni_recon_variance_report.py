from odoo import fields, models, tools

from ..engine import ORDER_INVOICES, ORDER_MOVEMENTS

# Each gap of the chain: (field, amount before the step, amount after it).
GAPS = [
    ("gap_odoo", "channel_amount", "odoo_amount"),
    ("gap_invoiced", "odoo_amount", "invoiced_amount"),
    ("gap_paid", "invoiced_amount", "paid_amount"),
    ("gap_settled", "paid_amount", "settled_amount"),
    ("gap_banked", "settled_amount", "banked_amount"),
]


class OmniReconVarianceReport(models.Model):
    """Per channel and day (order date): what the channel sold, what Odoo booked, invoiced,
    what was paid, settled in payouts and found in the bank, in the company currency, with the
    gap at each step. An SQL view; every amount, invoices included, is converted at the latest
    rate of its currency known to the company (its own rates first, as Odoo), so that one
    order's steps compare at one rate; ``rate_date`` is the date of the order currency's rate.

    Built like ``sale.report``: ``_with``, ``_select``, ``_from``, ``_where`` and ``_group_by``
    are the parts of ``_query``, each overridable; ``_order_amounts`` gives the SQL of each
    amount of one channel order (``o``), which ``_select`` sums."""

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
    rate_date = fields.Date(
        string="Converted at the Rates of",
        readonly=True,
        help="Date of the latest rate of the orders' currency, at which the amounts are "
        "converted to the company currency (empty: in the company currency, or no rate).",
    )

    def _with(self):
        """The latest rate of each currency in each company, and per order its invoices (what
        each bills of it: a consolidated invoice through its lines) and movements."""
        return f"""
            rate AS (
                SELECT DISTINCT ON (c.id, r.currency_id) c.id AS company_id, r.currency_id,
                       r.rate, r.name AS rate_date
                  FROM res_company c
                  JOIN res_currency_rate r ON r.company_id = c.id OR r.company_id IS NULL
              ORDER BY c.id, r.currency_id, r.company_id NULLS LAST, r.name DESC
            ),
            inv AS (
                SELECT i.sale_order_id,
                       SUM(CASE WHEN i.move_type = 'out_refund' THEN -i.amount ELSE i.amount END
                           * COALESCE(cr.rate, 1.0) / NULLIF(COALESCE(ir.rate, 1.0), 0))
                           AS invoiced
                  FROM ({ORDER_INVOICES.format(scope="omni_order")}) i
                  JOIN res_company ic ON ic.id = i.company_id
                  LEFT JOIN rate cr ON cr.company_id = i.company_id
                                   AND cr.currency_id = ic.currency_id
                  LEFT JOIN rate ir ON ir.company_id = i.company_id
                                   AND ir.currency_id = i.currency_id
              GROUP BY i.sale_order_id
            ),
            movements AS ({ORDER_MOVEMENTS.format(scope="omni_order")}),
            pay AS (
                SELECT m.order_id,
                       SUM(m.amount) AS paid,
                       SUM(m.amount) FILTER (WHERE m.payout_id IS NOT NULL) AS settled,
                       SUM(m.amount) FILTER (WHERE po.statement_line_id IS NOT NULL) AS banked
                  FROM movements m
                  LEFT JOIN omni_payout po ON po.id = m.payout_id
              GROUP BY m.order_id
            )
        """

    def _order_amounts(self):
        """The SQL of each amount of one channel order, in the company currency."""
        factor = "(COALESCE(cr.rate, 1.0) / NULLIF(COALESCE(orr.rate, 1.0), 0))"
        so_factor = "(COALESCE(cr.rate, 1.0) / NULLIF(COALESCE(sr.rate, 1.0), 0))"
        so_total = "(CASE WHEN so.state <> 'cancel' THEN so.amount_total ELSE 0 END)"
        return {
            "channel_amount": f"o.amount_total * {factor}",
            # orders of Odoo's own POS are booked by Odoo itself, without sale order
            "odoo_amount": f"""CASE WHEN COALESCE(o.booked_in_odoo, false)
                                    THEN o.amount_total * {factor}
                                    ELSE COALESCE({so_total} * {so_factor}, 0) END""",
            "invoiced_amount": "COALESCE(inv.invoiced, 0)",
            "paid_amount": f"COALESCE(pay.paid, 0) * {factor}",
            "settled_amount": f"COALESCE(pay.settled, 0) * {factor}",
            "banked_amount": f"COALESCE(pay.banked, 0) * {factor}",
        }

    def _select(self):
        amounts = self._order_amounts()
        sums = [f"SUM({sql}) AS {name}" for name, sql in amounts.items()]
        sums += [
            f"SUM(({amounts[before]}) - ({amounts[after]})) AS {name}"
            for name, before, after in GAPS
        ]
        return f"""
            ROW_NUMBER() OVER (ORDER BY {self._group_by()}) AS id,
            COALESCE(o.channel_created_at, o.create_date)::date AS date,
            o.company_id, o.backend_id, c.currency_id,
            MAX(orr.rate_date) FILTER (WHERE o.currency_id <> c.currency_id) AS rate_date,
            COUNT(*) AS order_count,
            COUNT(*) FILTER (WHERE o.sale_order_id IS NULL
                               AND NOT COALESCE(o.booked_in_odoo, false)) AS missing_count,
            {", ".join(sums)}
        """

    def _from(self):
        return """
            omni_order o
            JOIN res_company c ON c.id = o.company_id
            LEFT JOIN rate cr ON cr.company_id = o.company_id AND cr.currency_id = c.currency_id
            LEFT JOIN rate orr ON orr.company_id = o.company_id AND orr.currency_id = o.currency_id
            LEFT JOIN sale_order so ON so.id = o.sale_order_id
            LEFT JOIN rate sr ON sr.company_id = o.company_id AND sr.currency_id = so.currency_id
            LEFT JOIN inv ON inv.sale_order_id = o.sale_order_id
            LEFT JOIN pay ON pay.order_id = o.id
        """

    def _where(self):
        """Every channel order counts; a module narrowing the analysis returns its filter."""
        return ""

    def _group_by(self):
        return """
            COALESCE(o.channel_created_at, o.create_date)::date, o.company_id, o.backend_id,
            c.currency_id
        """

    def _query(self):
        where = self._where()
        return f"""
            WITH {self._with()}
            SELECT {self._select()}
              FROM {self._from()}
            {f"WHERE {where}" if where else ""}
          GROUP BY {self._group_by()}
        """

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(f"CREATE OR REPLACE VIEW {self._table} AS ({self._query()})")
