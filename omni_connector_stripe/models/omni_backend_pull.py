from odoo import _, api, models

from odoo.addons.queue_job.exception import RetryableJobError

from odoo.addons.omni_connector_base.tools.dates import parse_unix, to_odoo

from ..const import BALANCE_TRANSACTION_TOPIC, PAYOUT_TOPIC, POLL_OVERLAP, PULL_CHUNK

#: The streams of the pull, walked in this order by each run.
PULL_STREAMS = ("payouts", "balance_transactions")


class OmniBackend(models.Model):
    """The Stripe pull: payouts and balance transactions become events (the cron only
    enqueues the job)."""

    _inherit = "omni.backend"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _cron_stripe_pull(self):
        for backend in self.search([("channel", "=", "stripe")]):
            backend._stripe_enqueue_pull()

    def _stripe_enqueue_pull(self, eta=None, **kwargs):
        self.ensure_one()
        description = _("Stripe: pull payouts and balance of %(backend)s", backend=self.name)
        return self._omni_delay(description, eta=eta)._stripe_pull(**kwargs)

    def _omni_job_streams(self, method_name, args):
        if self.channel != "stripe":
            return super()._omni_job_streams(method_name, args)
        return set(PULL_STREAMS) if method_name == "_stripe_pull" else set()

    def _stripe_pull(self, stream_name=PULL_STREAMS[0], cursor=None, newest=None):
        """Job: payouts created since the watermark (minus an overlap, as payouts change for
        days) with their balance transactions, then the balance transactions not paid out yet.
        Each lands as an event; unchanged ones are deduplicated by their content (one event
        per content of a payout).

        Stripe lists newest first, so a stream's watermark moves once its walk has ended.
        Throttled after some objects, the job keeps them and a new job continues the walk of
        ``stream_name`` from the object after the last one stored (``cursor``, Stripe's
        ``starting_after``) with the newest creation time seen (``newest``); before any
        progress, queue_job retries the job as it is. A continued walk skips the balance
        transactions of the payouts it read itself or already imported; one of a payout
        read by an earlier job of the walk and not processed yet may also arrive as a
        movement (imported and booked once either way)."""
        self.ensure_one()
        adapter = self._stripe_adapter()
        Event = self.env["omni.event"]
        vals_list, paid_out = [], set()
        new_events = Event.browse()

        def receive(force=False):
            # Store in chunks: a long history never sits whole in memory.
            nonlocal new_events
            if vals_list and (force or len(vals_list) >= PULL_CHUNK):
                received, __ = Event._receive(self, vals_list, source="poll")
                received._enqueue()
                new_events |= received
                vals_list.clear()
                self.env.invalidate_all()

        progressed = False
        for name in PULL_STREAMS[PULL_STREAMS.index(stream_name) :]:
            stream = self._stream(name)
            last_id = None
            try:
                for obj, vals in self._stripe_walk(adapter, name, cursor, paid_out):
                    newest = max(newest or 0, obj["created"])
                    if vals:
                        vals_list.append(vals)
                    last_id = obj["id"]
                    receive()
            except RetryableJobError as err:
                if not (progressed or last_id):
                    raise
                receive(force=True)
                stream._mark_success()  # progress; the watermark waits for the walk's end
                stream.cursor = last_id or cursor
                self._stripe_enqueue_pull(
                    eta=err.seconds, stream_name=name, cursor=stream.cursor, newest=newest
                )
                return _(
                    "%(count)s new event(s); paused: %(error)s", count=len(new_events), error=err
                )
            receive(force=True)
            stream._mark_success(to_odoo(parse_unix(newest, f"{name} created")))
            progressed, cursor, newest = True, None, None
        return _("%(count)s new event(s)", count=len(new_events))

    def _stripe_walk(self, adapter, stream_name, cursor, paid_out):
        """(object, event values or None) of one stream's walk, from the object after
        ``cursor``: payouts with their balance transactions (collected in ``paid_out``), or
        the balance transactions no payout holds."""
        since = self._poll_window_start(stream_name, POLL_OVERLAP)
        created_gte = since and int(since.timestamp())
        if stream_name == "payouts":
            for payout in adapter.payouts(created_gte=created_gte, starting_after=cursor):
                txns = list(adapter.balance_transactions(payout=payout["id"]))
                paid_out.update(txn["id"] for txn in txns)
                data = {"payout": payout, "balance_transactions": txns}
                yield payout, self._omni_event_vals(PAYOUT_TOPIC, data, payout["id"])
            return
        settled = set(
            self.env["omni.payment"]
            .search([("backend_id", "=", self.id), ("payout_id", "!=", False)])
            .mapped("external_id")
        )
        for txn in adapter.balance_transactions(created_gte=created_gte, starting_after=cursor):
            if txn["id"] in paid_out or txn["id"] in settled:
                yield txn, None
            else:
                yield txn, self._omni_event_vals(BALANCE_TRANSACTION_TOPIC, txn, txn["id"])
