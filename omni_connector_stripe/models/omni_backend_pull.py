from odoo import _, api, models

from odoo.addons.omni_connector_base.tools.dates import parse_unix, to_odoo

from ..const import BALANCE_TRANSACTION_TOPIC, PAYOUT_TOPIC, POLL_OVERLAP, PULL_CHUNK


class OmniBackend(models.Model):
    """The Stripe pull: payouts and balance transactions become events (the cron only
    enqueues the job)."""

    _inherit = "omni.backend"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _cron_stripe_pull(self):
        for backend in self.search([("channel", "=", "stripe")]):
            backend._omni_delay(
                _("Stripe: pull payouts and balance of %(backend)s", backend=backend.name)
            )._stripe_pull()

    def _stripe_pull(self):
        """Job: payouts created since the watermark (minus an overlap, as payouts change for
        days) with their balance transactions, then the balance transactions not paid out yet.
        Each lands as an event; unchanged ones are deduplicated by their content (one event
        per content of a payout)."""
        self.ensure_one()
        adapter = self._stripe_adapter()
        Event = self.env["omni.event"]
        payout_stream, txn_stream = self._stream("payouts"), self._stream("balance_transactions")
        vals_list, paid_out, newest_payout, newest_txn = [], set(), None, None
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

        since = self._poll_window_start("payouts", POLL_OVERLAP)
        for payout in adapter.payouts(created_gte=since and int(since.timestamp())):
            txns = list(adapter.balance_transactions(payout=payout["id"]))
            paid_out.update(txn["id"] for txn in txns)
            vals_list.append(
                self._omni_event_vals(
                    PAYOUT_TOPIC, {"payout": payout, "balance_transactions": txns}, payout["id"]
                )
            )
            newest_payout = max(newest_payout or 0, payout["created"])
            receive()
        since = self._poll_window_start("balance_transactions", POLL_OVERLAP)
        settled = set(
            self.env["omni.payment"]
            .search([("backend_id", "=", self.id), ("payout_id", "!=", False)])
            .mapped("external_id")
        )
        for txn in adapter.balance_transactions(created_gte=since and int(since.timestamp())):
            newest_txn = max(newest_txn or 0, txn["created"])
            if txn["id"] in paid_out or txn["id"] in settled:
                continue
            vals_list.append(self._omni_event_vals(BALANCE_TRANSACTION_TOPIC, txn, txn["id"]))
            receive()
        receive(force=True)
        payout_stream._mark_success(to_odoo(parse_unix(newest_payout, "payout created")))
        txn_stream._mark_success(to_odoo(parse_unix(newest_txn, "balance transaction created")))
        return _("%(count)s new event(s)", count=len(new_events))
