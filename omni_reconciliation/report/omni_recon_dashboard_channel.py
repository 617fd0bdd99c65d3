from odoo import fields, models, tools


class OmniReconDashboardChannel(models.Model):
    """Open exceptions and inventory variance (stock drift) of one backend (channel)."""

    _name = "omni.recon.dashboard.channel"
    _description = "Reconciliation Dashboard by Channel"
    _auto = False
    _order = "stock_amount desc, open_amount desc"

    dashboard_id = fields.Many2one("omni.recon.dashboard", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    backend_id = fields.Many2one("omni.backend", readonly=True)
    channel = fields.Selection(selection="_selection_channel", readonly=True)
    open_count = fields.Integer(string="Open", readonly=True)
    open_amount = fields.Monetary(string="Amount at Stake", readonly=True)
    stock_count = fields.Integer(string="Stock Drifts", readonly=True)
    stock_amount = fields.Monetary(string="Inventory Variance", readonly=True)
    # pipeline health of the backend, from the base's monitoring
    queue_depth = fields.Integer(related="backend_id.queue_depth")
    failure_rate = fields.Float(related="backend_id.failure_rate")
    latency_p95_ms = fields.Integer(related="backend_id.latency_p95_ms")
    latency_p95_seconds = fields.Float(related="backend_id.latency_p95_seconds")
    last_sync_at = fields.Datetime(related="backend_id.last_sync_at")
    stream_stalled_count = fields.Integer(related="backend_id.stream_stalled_count")

    def _selection_channel(self):
        """The channels of the backends, each connector's label translated."""
        return self.env["omni.backend"]._fields["channel"]._description_selection(self.env)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
            SELECT b.id, b.company_id AS dashboard_id, b.company_id, c.currency_id,
                   b.id AS backend_id, b.channel,
                   COUNT(e.id) AS open_count,
                   COALESCE(SUM(e.amount), 0) AS open_amount,
                   COUNT(e.id) FILTER (WHERE e.exception_type = 'stock_drift') AS stock_count,
                   COALESCE(SUM(e.amount) FILTER (WHERE e.exception_type = 'stock_drift'), 0)
                       AS stock_amount
              FROM omni_backend b
              JOIN res_company c ON c.id = b.company_id
              LEFT JOIN omni_recon_exception e ON e.backend_id = b.id AND e.state = 'open'
          GROUP BY b.id, b.company_id, c.currency_id, b.channel
            )
            """
        )
