import hashlib
import hmac
import json
import time

from odoo import _, api, fields, models

from odoo.addons.omni_connector_base.models.omni_backend import MANAGER_GROUP
from odoo.addons.omni_connector_base.tools.dates import parse_unix
from odoo.addons.omni_connector_base.tools.errors import PayloadError, SignatureError

from ..const import EVENT_HANDLERS, SIGNATURE_TOLERANCE, WEBHOOK_KEY_TOPIC
from ..tools.adapter import API_BASE, StripeAdapter
from ..tools.parser import parse_balance_transaction, parse_payout


class OmniBackend(models.Model):
    """Stripe as an Omni backend: connection, signed webhooks and the processing of events.
    The pull lives in ``omni_backend_pull.py``, the accounting in ``omni_backend_booking.py``."""

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
        parts = []  # a loop, not a comprehension: _() reads the language from this frame
        for kind, label in (("available", _("available")), ("pending", _("pending"))):
            for entry in balance.get(kind) or []:
                parts.append(
                    _(
                        "%(kind)s %(amount)s %(currency)s (minor units)",
                        kind=label,
                        amount=entry["amount"],
                        currency=entry["currency"].upper(),
                    )
                )
        return _(
            "Connected to Stripe. Balance: %(balance)s", balance=", ".join(parts) or _("empty")
        )

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
            raise PayloadError(_("not a Stripe event: %(error)s", error=str(err))) from None
        return [
            self._omni_event_vals(
                event_type,
                raw_body,
                obj.get("id") if isinstance(obj, dict) else "",
                # Stripe's event id is the same on every delivery of an event: dedupe on it.
                event_id=event_id,
                key_topic=WEBHOOK_KEY_TOPIC,
                updated_at=parse_unix(event.get("created"), "Stripe event created"),
            )
        ]

    # ------------------------------------------------------------------------------------
    # Processing: one handler per topic (const.EVENT_HANDLERS)
    # ------------------------------------------------------------------------------------

    def _omni_process_event(self, event):
        if self.channel != "stripe":
            return super()._omni_process_event(event)
        topic = event.topic
        handler = EVENT_HANDLERS.get(topic) or EVENT_HANDLERS.get(f"{topic.partition('.')[0]}.*")
        if not handler:
            return {"result_note": _("Stripe event type %(type)s is not used.", type=topic)}
        return getattr(self, handler)(event._payload_json())

    def _stripe_process_pulled_payout(self, data):
        return self._stripe_import_payout(data["payout"], data["balance_transactions"])

    def _stripe_process_pulled_transaction(self, data):
        return self._stripe_import_transactions([data])

    def _stripe_process_payout_event(self, data):
        adapter = self._stripe_adapter()
        payout = adapter.payout(self._stripe_event_object(data)["id"])
        return self._stripe_import_payout(
            payout, list(adapter.balance_transactions(payout=payout["id"]))
        )

    def _stripe_process_transaction_event(self, data):
        txn_ids = self._stripe_transaction_ids(self._stripe_event_object(data))
        adapter = self._stripe_adapter()
        txns = [adapter.balance_transaction(txn_id) for txn_id in txn_ids]
        if not txns:
            return {"result_note": _("No balance transaction yet: nothing to book.")}
        return self._stripe_import_transactions(txns)

    @api.model
    def _stripe_event_object(self, data):
        """The Stripe object a webhook event is about."""
        return (data.get("data") or {}).get("object") or {}

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
