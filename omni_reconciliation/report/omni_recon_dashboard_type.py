from odoo import fields, models, tools

from ..models.omni_recon_exception import EXCEPTION_TYPES


class OmniReconDashboardType(models.Model):
    """Open exceptions of one type in one company, by age, with the amount at stake."""

    _name = "omni.recon.dashboard.type"
    _description = "Reconciliation Dashboard by Type"
    _auto = False
    _order = "open_amount desc, exception_type"

    dashboard_id = fields.Many2one("omni.recon.dashboard", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    exception_type = fields.Selection(EXCEPTION_TYPES, string="Type", readonly=True)
    open_count = fields.Integer(string="Open", readonly=True)
    age_0_7_count = fields.Integer(string="≤ 7 days", readonly=True)
    age_8_30_count = fields.Integer(string="8-30 days", readonly=True)
    age_31_count = fields.Integer(string="> 30 days", readonly=True)
    oldest_date = fields.Date(string="Oldest", readonly=True)
    open_amount = fields.Monetary(string="Amount at Stake", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
            SELECT MIN(e.id) AS id, e.company_id AS dashboard_id, e.company_id,
                   c.currency_id, e.exception_type,
                   COUNT(*) AS open_count,
                   COUNT(*) FILTER (WHERE e.date >= CURRENT_DATE - 7) AS age_0_7_count,
                   COUNT(*) FILTER (WHERE e.date < CURRENT_DATE - 7
                                      AND e.date >= CURRENT_DATE - 30) AS age_8_30_count,
                   COUNT(*) FILTER (WHERE e.date < CURRENT_DATE - 30) AS age_31_count,
                   MIN(e.date) AS oldest_date,
                   COALESCE(SUM(e.amount), 0) AS open_amount
              FROM omni_recon_exception e
              JOIN res_company c ON c.id = e.company_id
             WHERE e.state = 'open'
          GROUP BY e.company_id, c.currency_id, e.exception_type
            )
            """
        )

    def action_open_exceptions(self):
        self.ensure_one()
        return self.dashboard_id.with_context(
            recon_types=[self.exception_type]
        ).action_open_exceptions()
