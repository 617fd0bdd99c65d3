import hashlib
import hmac
import json
import time
from datetime import timedelta

from odoo import _, api, fields, models

from odoo.addons.omni_connector_base.models.omni_backend import MANAGER_GROUP
from odoo.addons.omni_connector_base.tools.errors import (
    MappingError,
    PayloadError,
    SignatureError,
)

from ..tools.adapter import API_BASE, StripeAdapter
from ..tools.parser import parse_balance_transaction, parse_payout, timestamp

SIGNATURE_TOLERANCE = 300  # seconds, as Stripe's own libraries
POLL_OVERLAP = timedelta(days=3)  # payouts change status for days after creation
PULL_CHUNK = 20  # events stored per chunk while pulling
# Webhook event types that point at balance transactions / payouts to (re)import.
PAYOUT_EVENTS = (
    "payout.paid",
    "payout.failed",
    "payout.reconciliation_completed",
    "payout.updated",
    "payout.canceled",
)
TRANSACTION_EVENT_PREFIXES = ("charge.", "payment_intent.succeeded")


def _utc(epoch):
    """Stripe epoch seconds -> naive UTC datetime, as Odoo stores them."""
    return timestamp(epoch).replace(tzinfo=None) if epoch else None


class OmniBackend(models.Model):
    _inherit = "omni.backend"

    channel = fields.Selection(selection_add=[("stripe", "Stripe")], ondelete={"stripe": "cascade"})
    stripe_secret_key = fields.Char(
        groups=MANAGER_GROUP,
        copy=False,
        help="A restricted key with read access to balance, payouts, charges and disputes.",
    )
    stripe_api_base = fields.Char(
        string="Stripe API Base", default=API_BASE, help="Only changed for tests and sandboxes."
    )
    stripe_journal_id = fields.Many2one(
        "account.journal",
        string="Stripe Balance Journal",
        check_company=True,
        domain="[('type', '=', 'bank')]",
        help="Bank-type journal standing for the Stripe balance (clearing account).",
    )
    stripe_payout_journal_id = fields.Many2one(
        "account.journal",
        string="Payout Bank Journal",
        check_company=True,
        domain="[('type', '=', 'bank')]",
        help="The bank account payouts land in; payouts go through the liquidity transfer "
        "account, ready to match its statement line.",
    )
    stripe_fee_account_id = fields.Many2one(
        "account.account", string="Fee Account", check_company=True
    )
    stripe_dispute_account_id = fields.Many2one(
        "account.account", string="Dispute Loss Account", check_company=True
    )
    stripe_adjustment_account_id = fields.Many2one(
        "account.account", string="Adjustment Account", check_company=True
    )
    stripe_fx_account_id = fields.Many2one(
        "account.account",
        string="FX Account",
        check_company=True,
        help="Where the reconciliation books FX variances of converted charges. Balance "
        "transactions themselves are booked in their settlement currency.",
    )
    stripe_fee_booking = fields.Selection(
        [("per_payout", "Summarised per payout"), ("per_transaction", "Per transaction")],
        string="Fee Booking",
        default="per_payout",
        required=True,
    )

    # ------------------------------------------------------------------------------------
    # Connection
    # ------------------------------------------------------------------------------------

    def _stripe_adapter(self):
        self.ensure_one()
        return StripeAdapter(self.sudo().stripe_secret_key, self.stripe_api_base or API_BASE)

    def _omni_test_connection(self):
        if self.channel != "stripe":
            return super()._omni_test_connection()
        balance = self._stripe_adapter().balance()
        parts = [
            f"{kind} {entry['amount']} {entry['currency'].upper()} (minor units)"
            for kind in ("available", "pending")
            for entry in balance.get(kind) or []
        ]
        return _("Connected to Stripe. Balance: %s", ", ".join(parts) or _("empty"))

    # ------------------------------------------------------------------------------------
    # Webhooks
    # ------------------------------------------------------------------------------------

    def _omni_webhook_verify(self, raw_body, headers):
        if self.channel != "stripe":
            return super()._omni_webhook_verify(raw_body, headers)
        secret = self._omni_webhook_secret()
        if not secret:
            raise SignatureError("no webhook signing secret configured")
        timestamp, signatures = None, []
        for item in (headers.get("Stripe-Signature") or "").split(","):
            key, __, value = item.strip().partition("=")
            if key == "t":
                timestamp = value
            elif key == "v1":
                signatures.append(value)
        if not timestamp or not timestamp.isdigit() or not signatures:
            raise SignatureError("malformed Stripe-Signature header")
        if abs(time.time() - int(timestamp)) > SIGNATURE_TOLERANCE:
            raise SignatureError("timestamp outside the tolerance")
        expected = hmac.new(
            secret.encode(), timestamp.encode() + b"." + raw_body, hashlib.sha256
        ).hexdigest()
        if not any(hmac.compare_digest(expected, given) for given in signatures):
            raise SignatureError("no matching v1 signature")

    def _omni_webhook_events(self, raw_body, headers):
        if self.channel != "stripe":
            return super()._omni_webhook_events(raw_body, headers)
        try:
            event = json.loads(raw_body)
            event_id, event_type = event["id"], event["type"]
            obj = event["data"]["object"]
        except (ValueError, KeyError, TypeError) as err:
            raise PayloadError(f"not a Stripe event: {err}") from None
        return [
            {
                "topic": event_type,
                "external_id": obj.get("id") if isinstance(obj, dict) else "",
                # Stripe's event id is unique per delivery of the same event: dedupe on it.
                "idempotency_key": self.env["omni.event"]._idempotency_key(
                    self, "stripe.event", event_id
                ),
                "payload": raw_body.decode(),
                "channel_updated_at": _utc(event.get("created")),
            }
        ]

    # ------------------------------------------------------------------------------------
    # Processing
    # ------------------------------------------------------------------------------------

    def _omni_process_event(self, event):
        if self.channel != "stripe":
            return super()._omni_process_event(event)
        data = event._payload_json()
        if event.topic == "stripe.payout":
            return self._stripe_import_payout(data["payout"], data["balance_transactions"])
        if event.topic == "stripe.balance_transaction":
            return self._stripe_import_transactions([data])
        obj = (data.get("data") or {}).get("object") or {}
        if event.topic in PAYOUT_EVENTS:
            adapter = self._stripe_adapter()
            payout = adapter.payout(obj["id"])
            return self._stripe_import_payout(
                payout, list(adapter.balance_transactions(payout=payout["id"]))
            )
        if event.topic.startswith(TRANSACTION_EVENT_PREFIXES):
            txn_ids = self._stripe_transaction_ids(obj)
            adapter = self._stripe_adapter()
            txns = [adapter.balance_transaction(txn_id) for txn_id in txn_ids]
            if not txns:
                return {"result_note": _("No balance transaction yet: nothing to book.")}
            return self._stripe_import_transactions(txns)
        return {"result_note": _("Stripe event type %s is not used.", event.topic)}

    @api.model
    def _stripe_transaction_ids(self, obj):
        """Balance transactions a charge / refund / dispute / payment intent stands for."""
        ids = []
        for value in [obj.get("balance_transaction")] + list(obj.get("balance_transactions") or []):
            value = value.get("id") if isinstance(value, dict) else value
            if value:
                ids.append(value)
        if obj.get("object") == "charge" and obj.get("amount_refunded"):
            # A refunded charge: its refunds are movements of their own.
            for refund in self._stripe_adapter().refunds(obj["id"]):
                if refund.get("balance_transaction"):
                    ids.append(refund["balance_transaction"])
        charge = obj.get("latest_charge")
        if not ids and charge:
            charge = charge if isinstance(charge, dict) else self._stripe_adapter().charge(charge)
            ids = self._stripe_transaction_ids(charge)
        return ids

    def _stripe_import_payout(self, payout_json, txns_json):
        payout = parse_payout(payout_json, txns_json)
        record = self.env["omni.importer"].import_payout(self, payout)
        self._stripe_book(record.payment_ids, payout=record)
        return {"omni_payout_id": record.id}

    def _stripe_import_transactions(self, txns_json):
        """Import and book balance transactions; the event links to the last one given (the
        most specific: a refund rather than its charge)."""
        payments = self.env["omni.importer"].import_payments(
            self, [parse_balance_transaction(txn) for txn in txns_json]
        )
        self._stripe_book(payments)
        primary = payments.filtered(lambda p: p.external_id == txns_json[-1]["id"])
        return {"omni_payment_id": primary.id}

    # ------------------------------------------------------------------------------------
    # Pull (jobs; the cron only enqueues)
    # ------------------------------------------------------------------------------------

    @api.model
    def _cron_stripe_pull(self):
        for backend in self.search([("channel", "=", "stripe")]):
            backend._omni_delay(
                _("Stripe: pull payouts and balance of %s", backend.name),
            )._stripe_pull()

    def _stripe_pull(self):
        """Job: payouts created since the watermark (minus an overlap, as payouts change for
        days) with their balance transactions, then the balance transactions not paid out yet.
        Each lands as an event; unchanged ones are deduplicated by their digest."""
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
            payload = json.dumps({"payout": payout, "balance_transactions": txns}, sort_keys=True)
            vals_list.append(self._stripe_event_vals("stripe.payout", payout["id"], payload))
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
            payload = json.dumps(txn, sort_keys=True)
            vals_list.append(
                self._stripe_event_vals("stripe.balance_transaction", txn["id"], payload)
            )
            receive()
        receive(force=True)
        payout_stream._mark_success(_utc(newest_payout))
        txn_stream._mark_success(_utc(newest_txn))
        return _("%s new event(s)", len(new_events))

    def _stripe_event_vals(self, topic, external_id, payload):
        return {
            "topic": topic,
            "external_id": external_id,
            # Same id, same content -> same event; a changed payout gives a new one.
            "idempotency_key": self.env["omni.event"]._idempotency_key(
                self, topic, f"{external_id}:{hashlib.sha256(payload.encode()).hexdigest()[:16]}"
            ),
            "payload": payload,
        }

    # ------------------------------------------------------------------------------------
    # Accounting: each balance transaction booked exactly once
    # ------------------------------------------------------------------------------------

    def _stripe_book(self, payments, payout=None):
        """Journal entries in the Stripe journal for the movements not booked yet: one entry
        per payout (its transactions and the transfer to the bank), or one per movement seen
        before its payout. Fees go to the fee account per transaction or, inside a payout and
        with the per-payout setting, in one line per payout."""
        self.ensure_one()
        journal = self.stripe_journal_id
        if not journal:
            return
        to_book = payments.filtered(lambda p: not p.move_id).sorted("channel_created_at")
        if not to_book:
            return
        Move = self.env["account.move"].with_company(self.company_id)
        if payout:
            moves = Move.create(
                self._stripe_move_vals(
                    to_book, payout.external_id, payout.arrival_date, summarise_fees=True
                )
            )
            moves.action_post()
            to_book.write({"move_id": moves.id})
            payout.move_id = moves
        else:
            moves = Move.create(
                [
                    self._stripe_move_vals(
                        payment,
                        payment.external_id,
                        payment.channel_created_at,
                        summarise_fees=False,
                    )
                    for payment in to_book
                ]
            )
            moves.action_post()
            for payment, move in zip(to_book, moves, strict=True):
                payment.move_id = move
        self._stripe_reconcile_invoices(to_book, moves)

    def _stripe_reconcile_invoices(self, payments, moves):
        """Receipts and refunds settle the open invoices / credit notes of their order."""
        orders_by_ref = {
            p.external_id: p.order_id.sale_order_id
            for p in payments
            if p.payment_type in ("charge", "refund") and p.order_id.sale_order_id
        }
        if not orders_by_ref:
            return
        for line in moves.line_ids:
            sale_order = orders_by_ref.get(line.name)
            if not sale_order or line.account_id.account_type != "asset_receivable":
                continue
            open_lines = sale_order.invoice_ids.filtered(lambda m: m.state == "posted").line_ids
            incoming = line.balance < 0
            open_lines = open_lines.filtered(
                lambda invoice_line, account=line.account_id, incoming=incoming: (
                    invoice_line.account_id == account
                    and not invoice_line.reconciled
                    and (invoice_line.balance > 0) == incoming
                )
            )
            if open_lines:
                (line | open_lines).reconcile()

    def _stripe_move_vals(self, payments, ref, date, summarise_fees):
        journal = self.stripe_journal_id
        stripe_account = journal.default_account_id
        summarise_fees = summarise_fees and self.stripe_fee_booking == "per_payout"
        date = (date or fields.Datetime.now()).date()
        lines, fees = [], {}
        for payment in payments:
            currency = payment.currency_id
            account, partner = self._stripe_counterpart(payment)
            fee = payment.fee_amount
            lines.append(
                self._stripe_line(
                    stripe_account,
                    payment.amount - (0 if summarise_fees else fee),
                    currency,
                    date,
                    payment.external_id,
                )
            )
            lines.append(
                self._stripe_line(
                    account, -payment.amount, currency, date, payment.external_id, partner
                )
            )
            if fee and summarise_fees:
                fees[currency] = fees.get(currency, 0.0) + fee
            elif fee:
                lines.append(
                    self._stripe_line(
                        self._stripe_fee_account(),
                        fee,
                        currency,
                        date,
                        _("Stripe fee %s", payment.external_id),
                    )
                )
        for currency, fee in fees.items():
            label = _("Stripe fees of payout %s", ref)
            lines.append(self._stripe_line(self._stripe_fee_account(), fee, currency, date, label))
            lines.append(self._stripe_line(stripe_account, -fee, currency, date, label))
        self._stripe_balance_rounding(lines)
        return {
            "move_type": "entry",
            "journal_id": journal.id,
            "date": date,
            "ref": ref,
            "omni_backend_id": self.id,
            "omni_external_ref": ref,
            "line_ids": [fields.Command.create(vals) for vals in lines if vals["amount_currency"]],
        }

    def _stripe_line(self, account, amount, currency, date, label, partner=None):
        company = self.company_id
        balance = currency._convert(amount, company.currency_id, company, date)
        return {
            "account_id": account.id,
            "partner_id": partner.id if partner else False,
            "name": label,
            "currency_id": currency.id,
            "amount_currency": currency.round(amount),
            "balance": company.currency_id.round(balance),
        }

    def _stripe_balance_rounding(self, lines):
        """Conversion to company currency rounds line by line: put the residual on the last
        Stripe-account line so the entry balances exactly."""
        residual = self.company_id.currency_id.round(sum(line["balance"] for line in lines))
        if residual:
            stripe_account = self.stripe_journal_id.default_account_id.id
            target = [line for line in lines if line["account_id"] == stripe_account][-1]
            target["balance"] -= residual

    def _stripe_account(self, field_name):
        account = self[field_name]
        if not account:
            raise MappingError(
                _(
                    "Stripe backend %(backend)s has no %(account)s configured.",
                    backend=self.name,
                    account=self._fields[field_name].string,
                ),
                "account",
            )
        return account

    def _stripe_fee_account(self):
        return self._stripe_account("stripe_fee_account_id")

    def _stripe_counterpart(self, payment):
        """Account (and partner) on the other side of a movement's gross amount."""
        company = self.company_id
        kind = payment.payment_type
        if kind in ("charge", "refund"):
            partner = payment.order_id.partner_id.commercial_partner_id
            if partner:
                return partner.with_company(company).property_account_receivable_id, partner
            # Unmatched: park it in the suspense account until finance allocates it.
            return (
                self.stripe_journal_id.suspense_account_id
                or company.account_journal_suspense_account_id
            ), None
        if kind in ("dispute", "dispute_reversal"):
            return self._stripe_account("stripe_dispute_account_id"), None
        if kind == "payout":
            return company.transfer_account_id, None
        if kind == "fee":
            return self._stripe_fee_account(), None
        return self._stripe_adjustment_account(), None

    def _stripe_adjustment_account(self):
        return self._stripe_account("stripe_adjustment_account_id")
