from odoo import _, api, models

from odoo.addons.omni_connector_base.tools.dates import parse_iso

from ..const import (
    BALANCE_TOPIC,
    DISPUTE_TOPICS,
    FINAL_PAYOUT_STATES,
    PAYOUT_OVERLAP,
    PAYOUT_PAGE_SIZE,
    PAYOUT_TOPIC,
    PAYOUTS_STREAM,
    TRANSACTION_TOPIC,
)
from ..tools import queries
from ..tools.adapter import ShopifyConnectionError
from ..tools.parser import parse_transaction_rest
from ..tools.parser_payouts import (
    SHOPIFY_PAYMENTS,
    parse_balance_transaction,
    parse_dispute_rest,
    parse_payout,
)
from ..tools.shapes import gid_tail

#: Money movements that arrive one by one: topic -> parser (one canonical.Payment).
MOVEMENT_PARSERS = {
    TRANSACTION_TOPIC: parse_transaction_rest,
    BALANCE_TOPIC: parse_balance_transaction,
    **dict.fromkeys(DISPUTE_TOPICS, parse_dispute_rest),
}


class OmniBackend(models.Model):
    """Shopify Payments of a shop: payouts with their balance transactions, the movements
    not paid out yet, disputes, and the order transactions webhooks bring one by one."""

    _inherit = "omni.backend"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------------------------
    # Pull
    # ------------------------------------------------------------------------------------

    def action_shopify_pull_payouts(self):
        self._omni_check_manager()
        return self._shopify_enqueue("_shopify_pull_payouts")

    @api.model
    def _cron_shopify_pull_payouts(self):
        self._shopify_active_backends()._shopify_enqueue("_shopify_pull_payouts")

    def _shopify_pull_payouts(self, cursor=None, since=None):
        """Job: payouts issued since the watermark minus an overlap, each stored with all its
        balance transactions as one event (a new event only when the payout or one of its
        transactions changed), then the balance transactions no payout holds yet. The
        watermark never passes a payout still scheduled or in transit."""
        self.ensure_one()

        def fetch(adapter, variables):
            account = adapter.execute(
                queries.PAYOUTS_QUERY, {**variables, "first": PAYOUT_PAGE_SIZE}
            )["shopifyPaymentsAccount"]
            if not account:
                raise ShopifyConnectionError(_("Shopify Payments is not activated on this shop."))
            return account["payouts"]

        def event_vals(adapter, payout):
            txns = self._shopify_balance_transactions(
                adapter, f"payments_transfer_id:{payout['legacyResourceId']}"
            )
            return self._shopify_balance_event_vals(
                PAYOUT_TOPIC,
                payout["id"],
                {"payout": payout, "balance_transactions": txns},
                payout.get("issuedAt"),
            )

        def pending(adapter):
            return [
                self._shopify_balance_event_vals(BALANCE_TOPIC, txn["id"], txn)
                for txn in self._shopify_balance_transactions(adapter, "payout_status:pending")
            ]

        return self._shopify_walk(
            ("_shopify_pull_payouts",),
            PAYOUTS_STREAM,
            fetch,
            event_vals,
            cursor,
            since,
            overlap=PAYOUT_OVERLAP,
            search="issued_at",
            holds_watermark=lambda payout: payout.get("status") not in FINAL_PAYOUT_STATES,
            after_walk=pending,
        )

    def _shopify_balance_transactions(self, adapter, search):
        """Every balance transaction matching a search (one payout's, or the pending ones)."""
        return list(
            self._shopify_pages(
                adapter,
                queries.BALANCE_TRANSACTIONS_QUERY,
                ("shopifyPaymentsAccount", "balanceTransactions"),
                {"query": search},
            )
        )

    def _shopify_balance_event_vals(self, topic, gid, data, when=None):
        # same record, same content -> same event; a status change gives a new one
        return self._omni_event_vals(
            topic, data, gid_tail(gid), updated_at=parse_iso(when, "issuedAt")
        )

    # ------------------------------------------------------------------------------------
    # Processing
    # ------------------------------------------------------------------------------------

    def _shopify_handle_payout(self, event, data):
        payout = parse_payout(data.get("payout"), data.get("balance_transactions") or [])
        return {"omni_payout_id": self.env["omni.importer"].import_payout(self, payout).id}

    def _shopify_handle_movement(self, event, data):
        """One money movement: an order transaction, a balance transaction not paid out yet,
        a dispute. A transaction or a dispute that arrives before its order waits for it
        (as refunds and returns do)."""
        payment = MOVEMENT_PARSERS[event.topic](data)
        if event.topic == TRANSACTION_TOPIC:
            self._shopify_wait_for_order(
                payment.order_external_id, _("Transaction %(txn)s", txn=event.external_id)
            )
        elif event.topic in DISPUTE_TOPICS:
            self._shopify_wait_for_order(
                payment.order_external_id, _("Dispute %(dispute)s", dispute=event.external_id)
            )
        # Balance transactions move the Shopify Payments balance (booked as settlements);
        # a dispute is booked by its withdrawal's balance transaction, never twice.
        payments = self.env["omni.importer"].import_payments(
            self, [payment], settle=event.topic == BALANCE_TOPIC
        )
        return {"omni_payment_id": payments[:1].id}

    def _omni_settlement_gateway(self):
        if self.channel == "shopify":
            return SHOPIFY_PAYMENTS
        return super()._omni_settlement_gateway()
