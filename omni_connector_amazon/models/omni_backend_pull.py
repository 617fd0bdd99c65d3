from odoo import _, api, models

from odoo.addons.omni_connector_base.tools.dates import parse_iso, to_odoo

from ..const import (
    ORDER_TOPIC,
    ORDERS_OVERLAP,
    ORDERS_PAGE_SIZE,
    PULL_CHUNK,
    SETTLEMENT_REPORT_TYPE,
    SETTLEMENT_TOPIC,
    SETTLEMENTS_OVERLAP,
)
from ..tools.parser import read_settlement_rows


def _iso(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


class OmniBackend(models.Model):
    """The Amazon pulls: orders by their last update, settlement reports as Amazon schedules
    them. Each record lands as an event (the cron only enqueues the jobs)."""

    _inherit = "omni.backend"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _cron_amazon_pull(self):
        for backend in self.search([("channel", "=", "amazon")]):
            backend._omni_delay(
                _("Amazon: pull orders of %(backend)s", backend=backend.name)
            )._amazon_pull_orders()
            backend._omni_delay(
                _("Amazon: pull settlement reports of %(backend)s", backend=backend.name)
            )._amazon_pull_settlements()

    def _amazon_store_pulled(self, stream_name, pulled):
        """Store the events of ``pulled`` ((event values or None, channel time) pairs) in
        chunks, so a long history never sits whole in memory; the stream's watermark moves to
        the newest time only once the whole window was read: a pull stopped by throttling
        starts again from the stored watermark."""
        Event = self.env["omni.event"]
        stream = self._stream(stream_name)
        vals_list, newest, new_events = [], None, Event

        def receive(force=False):
            nonlocal new_events
            if vals_list and (force or len(vals_list) >= PULL_CHUNK):
                received, __ = Event._receive(self, list(vals_list), source="poll")
                received._enqueue()
                new_events |= received
                vals_list.clear()

        for vals, moment in pulled:
            if vals:
                vals_list.append(vals)
                receive()
            if moment:
                newest = max(newest, moment) if newest else moment
        receive(force=True)
        stream._mark_success(to_odoo(newest))
        return _("%(count)s new event(s)", count=len(new_events))

    def _amazon_pull_orders(self):
        """Job: orders updated since the watermark minus an overlap, each version an event."""
        self.ensure_one()
        since = self._poll_window_start("orders", ORDERS_OVERLAP) or self.amazon_import_since
        adapter = self._amazon_adapter()
        try:
            return self._amazon_store_pulled("orders", self._amazon_pulled_orders(adapter, since))
        finally:
            adapter.close()

    def _amazon_pulled_orders(self, adapter, since):
        for order in adapter.search_orders(
            self._amazon_marketplaces(), _iso(since), page_size=ORDERS_PAGE_SIZE
        ):
            updated = parse_iso(order.get("lastUpdatedTime"), "Amazon order lastUpdatedTime")
            vals = self._omni_event_vals(
                ORDER_TOPIC,
                order,
                order.get("orderId") or "",
                version=order.get("lastUpdatedTime"),
                updated_at=updated,
            )
            yield vals, updated

    def _amazon_pull_settlements(self):
        """Job: settlement reports Amazon made since the watermark (minus an overlap), each
        downloaded and stored as one event keyed by its content."""
        self.ensure_one()
        since = self._poll_window_start("settlements", SETTLEMENTS_OVERLAP)
        adapter = self._amazon_adapter()
        try:
            return self._amazon_store_pulled(
                "settlements", self._amazon_pulled_settlements(adapter, since)
            )
        finally:
            adapter.close()

    def _amazon_pulled_settlements(self, adapter, since):
        for report in adapter.reports(
            SETTLEMENT_REPORT_TYPE, self._amazon_marketplaces(), _iso(since)
        ):
            created = parse_iso(report.get("createdTime"), "Amazon report createdTime")
            document = report.get("reportDocumentId")
            text = document and adapter.report_document(document)
            yield text and self._amazon_settlement_event_vals(text), created

    def _amazon_settlement_event_vals(self, text):
        """Event values of a settlement report, its text as the payload, keyed by its content:
        the same file pulled again or uploaded by hand is one event."""
        rows = read_settlement_rows(text)
        settlement_id = (rows[0].get("settlement-id") or "") if rows else ""
        return self._omni_event_vals(SETTLEMENT_TOPIC, text, settlement_id)
