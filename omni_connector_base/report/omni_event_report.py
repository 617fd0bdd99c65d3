from odoo import fields, models, tools

from ..models.omni_event import ERROR_CLASSES, EVENT_SOURCES, EVENT_STATES


class OmniEventReport(models.Model):
    """Event analysis (pivot / graph): volume, failures and latency per backend, topic, day.

    One row per event. An SQL view built like ``sale.report``: ``_select``, ``_from`` and
    ``_where`` are the parts of ``_query``, each overridable."""

    _name = "omni.event.report"
    _description = "Omnichannel Event Analysis"
    _auto = False
    _order = "received_at desc"

    backend_id = fields.Many2one("omni.backend", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    channel = fields.Selection(selection="_selection_channel", readonly=True)
    topic = fields.Char(readonly=True)
    source = fields.Selection(EVENT_SOURCES, readonly=True)
    state = fields.Selection(EVENT_STATES, readonly=True)
    error_class = fields.Selection(ERROR_CLASSES, string="Error", readonly=True)
    received_at = fields.Datetime(readonly=True)
    latency_ms = fields.Integer(string="Latency (ms)", readonly=True, group_operator="avg")
    latency_seconds = fields.Float(
        string="Latency (s)", digits=(16, 2), readonly=True, group_operator="avg"
    )
    attempts = fields.Integer(readonly=True, group_operator="avg")
    failed_count = fields.Integer(string="# Failed", readonly=True)
    event_count = fields.Integer(string="# Events", readonly=True)

    def _selection_channel(self):
        """The channels of the backends, each connector's label translated."""
        return self.env["omni.backend"]._fields["channel"]._description_selection(self.env)

    def _select(self):
        return """
            e.id, e.backend_id, e.company_id, e.channel, e.topic, e.source,
            e.state, e.error_class, e.received_at, e.latency_ms,
            e.latency_ms / 1000.0 AS latency_seconds, e.attempts,
            CASE WHEN e.state IN ('failed', 'dead') THEN 1 ELSE 0 END AS failed_count,
            1 AS event_count
        """

    def _from(self):
        return "omni_event e"

    def _where(self):
        """Every event counts; a module narrowing the analysis returns its filter."""
        return ""

    def _query(self):
        where = self._where()
        return f"""
            SELECT {self._select()}
              FROM {self._from()}
            {f"WHERE {where}" if where else ""}
        """

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(f"CREATE OR REPLACE VIEW {self._table} AS ({self._query()})")
