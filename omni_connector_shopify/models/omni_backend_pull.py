from odoo import _, api, models

from odoo.addons.queue_job.exception import RetryableJobError

from odoo.addons.omni_connector_base.tools.dates import parse_iso
from odoo.addons.omni_connector_base.tools.errors import PayloadError

from ..const import (
    BULK_BUSY_DELAY,
    BULK_CHUNK,
    BULK_MAX_FAILURES,
    BULK_POLL_DELAY,
    BULK_RUNNING,
    BULK_STREAM,
    BULK_TOPIC,
    CUSTOMERS_STREAM,
    MASTER_PAGE_SIZE,
    MASTER_PULLS,
    MAX_PAGES_PER_JOB,
    ORDERS_STREAM,
    PAYOUTS_STREAM,
    POLL_OVERLAP,
    POLL_TOPIC,
    PRODUCTS_STREAM,
    STOCK_STREAM,
)
from ..tools import queries
from ..tools.adapter import ShopifyConnectionError, download_lines
from ..tools.parser import iter_bulk_orders
from ..tools.shapes import gid_tail


class OmniBackend(models.Model):
    """Pulls of a Shopify shop (orders, master data; payouts in omni_backend_payouts.py),
    one page walk for all, and the initial backfill of orders through a bulk operation."""

    _inherit = "omni.backend"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------------------------
    # The page walk of every pull
    # ------------------------------------------------------------------------------------

    def _shopify_search_since(self, stream_name, overlap):
        """The ``updated_at:>=`` bound of a search query: the stream's watermark less the
        overlap, as Shopify's search syntax writes it ("" for a first full pull)."""
        start = self._poll_window_start(stream_name, overlap)
        return start.strftime("%Y-%m-%dT%H:%M:%SZ") if start else ""

    def _shopify_walk(
        self,
        job,
        stream_name,
        fetch,
        event_vals,
        cursor=None,
        since=None,
        *,
        overlap=POLL_OVERLAP,
        search="updated_at",
        holds_watermark=None,
        after_walk=None,
    ):
        """Job body of every pull: walk the records of a stream changed since its watermark
        less ``overlap``, a page at a time from ``cursor``, store each page's records as
        events (source "poll") and enqueue their processing.

        - ``job``: (method name, *args) of the pull, continued by a new job from the next
          cursor after MAX_PAGES_PER_JOB pages, or once the bucket has refilled when Shopify
          throttles after some pages (before any, the error makes queue_job retry the job);
        - ``fetch(adapter, variables)``: the connection of one page (``variables``: ``after``
          and the ``query`` search, ``<search>:>=since``; ``since`` "" reads everything);
        - ``event_vals(adapter, node)``: the event values of one record;
        - ``holds_watermark(node)``: the record is still open (a payout in transit): the
          watermark stays at its date, so that the next window reads it again;
        - ``after_walk(adapter)``: more event values once the last page is read.

        Pages come oldest update first: what was stored is older than what is left, so the
        watermark may advance at each job; the overlap of the next window covers concurrent
        edits. A permanent error (token revoked, scope missing) keeps what was stored, shows
        on the stream and ends the job."""
        self.ensure_one()
        stream = self._stream(stream_name)
        if since is None:
            since = self._shopify_search_since(stream_name, overlap)
        adapter = self._shopify_adapter()
        Event = self.env["omni.event"]
        new_events = Event.browse()
        newest = oldest_open = None
        seen = 0

        def store(vals_list):
            nonlocal new_events, seen
            new_events |= Event._receive(self, vals_list, source="poll")[0]
            seen += len(vals_list)

        def summary(note=""):
            message = _(
                "%(seen)s record(s) seen, %(new)s new event(s)", seen=seen, new=len(new_events)
            )
            return f"{message}; {note}" if note else message

        def watermark():
            return min(filter(None, (newest, oldest_open)), default=None)

        try:
            for __ in range(MAX_PAGES_PER_JOB):
                variables = {"after": cursor}
                if since:
                    variables["query"] = f"{search}:>={since}"
                try:
                    page = fetch(adapter, variables)
                    records = [(node, event_vals(adapter, node)) for node in page["nodes"]]
                except RetryableJobError as err:
                    if not seen:  # nothing done yet: queue_job retries this job after the delay
                        raise
                    # Throttled (or a hiccup) after some pages: keep them and continue from
                    # this cursor later, instead of redoing the whole walk (which would be
                    # throttled at the same place again).
                    new_events._enqueue()
                    stream._mark_success(watermark=watermark())
                    stream.cursor = cursor
                    self._shopify_enqueue(*job, cursor=cursor, since=since, eta=err.seconds)
                    return summary(_("paused: %(error)s", error=err))
                for node, vals in records:
                    updated = vals.get("channel_updated_at")
                    if updated:
                        newest = max(newest or updated, updated)
                        if holds_watermark and holds_watermark(node):
                            oldest_open = min(oldest_open or updated, updated)
                store([vals for __, vals in records])
                cursor = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
                if not cursor:
                    break
            if not cursor and after_walk:
                store(after_walk(adapter))
        except ShopifyConnectionError as err:
            new_events._enqueue()
            stream._mark_error(str(err))
            return _("Pull stopped: %(error)s", error=err)
        new_events._enqueue()
        stream._mark_success(watermark=watermark())
        if cursor:  # more pages: continue in a new job, from where this one stopped
            stream.cursor = cursor
            self._shopify_enqueue(*job, cursor=cursor, since=since)
        return summary()

    # ------------------------------------------------------------------------------------
    # Orders
    # ------------------------------------------------------------------------------------

    def action_shopify_pull_orders(self):
        self._omni_check_manager()
        return self._shopify_enqueue("_shopify_pull_orders")

    @api.model
    def _cron_shopify_pull(self):
        self._shopify_active_backends()._shopify_enqueue("_shopify_pull_orders")

    def _shopify_pull_orders(self, cursor=None, since=None):
        """Job: the orders updated since the watermark, one event per order and
        ``updatedAt``."""
        self.ensure_one()
        first = max(1, self.shopify_page_size or 2)

        def fetch(adapter, variables):
            return adapter.execute(queries.ORDERS_QUERY, {**variables, "first": first})["orders"]

        return self._shopify_walk(
            ("_shopify_pull_orders",),
            ORDERS_STREAM,
            fetch,
            lambda adapter, node: self._shopify_order_event_vals(node),
            cursor,
            since,
        )

    def _shopify_order_event_vals(self, node, topic=POLL_TOPIC):
        """Event values of one order node (pull or bulk): one event per order and update,
        whichever of the two reads it first."""
        external_id = gid_tail(node.get("id"))
        if not external_id:
            raise PayloadError(_("An order node without id."))
        return self._omni_event_vals(
            topic,
            node,
            external_id,
            version=node.get("updatedAt"),
            updated_at=parse_iso(node.get("updatedAt"), "updatedAt"),
            key_topic=POLL_TOPIC,
        )

    # ------------------------------------------------------------------------------------
    # Master data: products and customers
    # ------------------------------------------------------------------------------------

    def action_shopify_pull_master_data(self):
        self._omni_check_manager()
        for stream_name in MASTER_PULLS:
            self._shopify_enqueue("_shopify_pull_master", stream_name)
        return True

    @api.model
    def _cron_shopify_pull_master_data(self):
        self._shopify_active_backends().action_shopify_pull_master_data()

    def _shopify_pull_master(self, stream_name, cursor=None, since=None):
        """Job: products (with their variants) or customers updated since the watermark, one
        event per record and update; processing matches them under the backend's governance
        (mapping, SKU / barcode or email / phone, create if allowed)."""
        self.ensure_one()
        query_name, field, topic = MASTER_PULLS[stream_name]

        def fetch(adapter, variables):
            return adapter.execute(
                getattr(queries, query_name), {**variables, "first": MASTER_PAGE_SIZE}
            )[field]

        def event_vals(adapter, node):
            return self._omni_event_vals(
                topic,
                node,
                gid_tail(node["id"]),
                version=node.get("updatedAt"),
                updated_at=parse_iso(node.get("updatedAt"), "updatedAt"),
            )

        return self._shopify_walk(
            ("_shopify_pull_master", stream_name), stream_name, fetch, event_vals, cursor, since
        )

    # ------------------------------------------------------------------------------------
    # Initial backfill through a bulk operation
    # ------------------------------------------------------------------------------------

    def action_shopify_backfill_orders(self):
        self._omni_check_manager()
        return self._shopify_enqueue("_shopify_bulk_start")

    def _shopify_bulk_start(self):
        """Job: start a bulk query of every order; a follow-up job polls it."""
        self.ensure_one()
        stream = self._stream(BULK_STREAM)
        try:
            result = self._shopify_adapter().execute(
                queries.BULK_RUN_QUERY, {"query": queries.BULK_ORDERS_QUERY}
            )["bulkOperationRunQuery"]
        except ShopifyConnectionError as err:
            stream._mark_error(str(err))
            return _("Backfill not started: %(error)s", error=err)
        errors = result.get("userErrors") or []
        if any(error.get("code") == "OPERATION_IN_PROGRESS" for error in errors):
            # one bulk query per app and shop at a time: wait for the other to end
            raise RetryableJobError(
                "another bulk operation is running on the shop", seconds=BULK_BUSY_DELAY
            )
        if errors or not result.get("bulkOperation"):
            message = "; ".join(str(error.get("message")) for error in errors)
            stream._mark_error(message)
            return _("Backfill not started: %(message)s", message=message)
        operation_id = result["bulkOperation"]["id"]
        stream.cursor = operation_id
        self._shopify_enqueue(
            "_shopify_bulk_poll", operation_id, eta=BULK_POLL_DELAY, max_retries=BULK_MAX_FAILURES
        )
        return _("Bulk operation %(operation_id)s started", operation_id=operation_id)

    def _shopify_bulk_poll(self, operation_id):
        """Job: while the operation runs, ask queue_job to come back later (the wait does not
        count as a failed attempt); once completed, read its JSONL and store each order as the
        same event the paginated pull stores (so the two never duplicate each other)."""
        self.ensure_one()
        stream = self._stream(BULK_STREAM)
        adapter = self._shopify_adapter()
        try:
            operation = adapter.execute(queries.BULK_OPERATION_QUERY, {"id": operation_id})[
                "bulkOperation"
            ]
        except ShopifyConnectionError as err:
            stream._mark_error(str(err))
            return _("Backfill stopped: %(error)s", error=err)
        if not operation:
            stream._mark_error(
                _(
                    "Bulk operation %(operation_id)s is unknown to the shop.",
                    operation_id=operation_id,
                )
            )
            return _(
                "Bulk operation %(operation_id)s is unknown to the shop.", operation_id=operation_id
            )
        status = operation["status"]
        if status in BULK_RUNNING:
            raise RetryableJobError(
                f"bulk operation {status.lower()}", seconds=BULK_POLL_DELAY, ignore_retry=True
            )
        if status != "COMPLETED":
            message = _(
                "Bulk operation %(id)s ended %(status)s (%(code)s)",
                id=operation_id,
                status=status,
                code=operation.get("errorCode") or "-",
            )
            stream._mark_error(message)
            return message
        Event = self.env["omni.event"]
        stored = new_count = 0
        watermark = None
        vals_list = []

        def store():
            nonlocal new_count
            new, __ = Event._receive(self, vals_list, source="poll")
            new._enqueue()
            new_count += len(new)
            vals_list.clear()

        if operation.get("url"):
            for node in iter_bulk_orders(download_lines(operation["url"])):
                vals = self._shopify_order_event_vals(node, BULK_TOPIC)
                updated = vals.get("channel_updated_at")
                if updated:
                    watermark = max(watermark or updated, updated)
                vals_list.append(vals)
                stored += 1
                if len(vals_list) >= BULK_CHUNK:
                    store()
        if vals_list:
            store()
        stream._mark_success()
        # The incremental pull continues from where the backfill ends.
        self._stream(ORDERS_STREAM)._mark_success(watermark=watermark)
        return _("%(seen)s order(s) read, %(new)s new event(s)", seen=stored, new=new_count)

    # ------------------------------------------------------------------------------------
    # Monitoring: the streams of each job (a job retried without progress stalls them)
    # ------------------------------------------------------------------------------------

    def _omni_job_streams(self, method_name, args):
        if self.channel != "shopify":
            return super()._omni_job_streams(method_name, args)
        streams = {
            "_shopify_pull_orders": {ORDERS_STREAM},
            "_shopify_pull_payouts": {PAYOUTS_STREAM},
            "_shopify_bulk_start": {BULK_STREAM},
            "_shopify_bulk_poll": {BULK_STREAM},
            "_shopify_push_stock": {STOCK_STREAM},
        }
        # _shopify_pull_master(stream_name): the base reads the stream from its argument
        return streams.get(method_name) or super()._omni_job_streams(method_name, args)

    def _omni_stream_labels(self):
        if self.channel != "shopify":
            return super()._omni_stream_labels()
        return {
            **super()._omni_stream_labels(),
            PAYOUTS_STREAM: _("Shopify Payments payouts"),
            PRODUCTS_STREAM: _("Products"),
            CUSTOMERS_STREAM: _("Customers"),
            BULK_STREAM: _("Order history (bulk backfill)"),
            STOCK_STREAM: _("Stock levels pushed"),
        }
