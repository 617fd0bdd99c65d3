import hashlib
import hmac
import time
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.tools.misc import format_amount

from odoo.addons.omni_connector_base.models.omni_backend import MANAGER_GROUP
from odoo.addons.omni_connector_base.tools.dates import parse_unix
from odoo.addons.omni_connector_base.tools.errors import (
    MappingError,
    PayloadError,
    SignatureError,
)
from odoo.addons.omni_connector_base.tools.payload import load_json

from ..const import EVENT_HANDLERS, SIGNATURE_TOLERANCE, WEBHOOK_KEY_TOPIC
from ..tools.adapter import API_BASE, StripeAdapter
from ..tools.currency import stripe_amount
from ..tools.parser import (
    charge_transaction_ids,
    dispute_transaction_ids,
    expandable_id,
    parse_balance_transaction,
    parse_payout,
    payment_intent_charges,
    refund_transaction_ids,
)


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
                        "%(kind)s %(amount)s",
                        kind=label,
                        amount=self._stripe_format_amount(
                            entry.get("amount"), entry.get("currency")
                        ),
                    )
                )
        return _(
            "Connected to Stripe. Balance: %(balance)s", balance=", ".join(parts) or _("empty")
        )

    def _stripe_format_amount(self, value, currency):
        """A Stripe amount (integer, minor units) as a user reads it: "$512.58", "¥500"."""
        code = (currency or "").upper()
        amount = stripe_amount(value, code, "balance")
        odoo_currency = (
            self.env["res.currency"].with_context(active_test=False).search([("name", "=", code)])
        )
        if not odoo_currency:  # a currency Odoo does not know: the amount and its ISO code
            return f"{amount} {code}"
        return format_amount(self.env, float(amount), odoo_currency)

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
        event = load_json(raw_body, "Stripe event")
        try:
            event_id, event_type = event["id"], event["type"]
            obj = event["data"]["object"]
        except (KeyError, TypeError) as err:
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
        handler = self._stripe_event_handler(event.topic)
        if not handler:
            return {"result_note": _("Stripe event type %(type)s is not used.", type=event.topic)}
        return getattr(self, handler)(event._payload_json())

    @api.model
    def _stripe_event_handler(self, topic):
        """The handler of a topic: its own entry, else that of its longest ``prefix.*``."""
        parts = topic.split(".")
        for size in range(len(parts), 0, -1):
            key = ".".join(parts[:size]) + (".*" if size < len(parts) else "")
            if key in EVENT_HANDLERS:
                return EVENT_HANDLERS[key]
        return None

    def _stripe_process_pulled_payout(self, data):
        return self._stripe_import_payout(data["payout"], data["balance_transactions"])

    def _stripe_process_pulled_transaction(self, data):
        return self._stripe_import_transactions([data])

    def _stripe_process_payout_event(self, data):
        """The payout with the movements it paid out; a failed one also brings the movement
        that returned its money to the balance."""
        adapter = self._stripe_adapter()
        payout = adapter.payout(self._stripe_event_object(data)["id"])
        txns = list(adapter.balance_transactions(payout=payout["id"]))
        links = self._stripe_import_payout(payout, txns)
        failure_id = expandable_id(payout.get("failure_balance_transaction"))
        if failure_id and failure_id not in {txn["id"] for txn in txns}:
            links.update(self._stripe_import_transaction_ids([failure_id]))
        return links

    def _stripe_process_refund_event(self, data):
        refund = self._stripe_adapter().refund(self._stripe_event_object(data)["id"])
        return self._stripe_import_transaction_ids(refund_transaction_ids(refund))

    def _stripe_process_dispute_event(self, data):
        dispute = self._stripe_adapter().dispute(self._stripe_event_object(data)["id"])
        return self._stripe_import_transaction_ids(dispute_transaction_ids(dispute))

    def _stripe_process_charge_event(self, data):
        return self._stripe_import_transaction_ids(
            self._stripe_charge_transaction_ids(self._stripe_event_object(data))
        )

    def _stripe_process_payment_intent_event(self, data):
        adapter = self._stripe_adapter()
        txn_ids = []
        for charge in payment_intent_charges(self._stripe_event_object(data)):
            charge = charge if isinstance(charge, dict) else adapter.charge(charge)
            txn_ids += self._stripe_charge_transaction_ids(charge)
        return self._stripe_import_transaction_ids(txn_ids)

    @api.model
    def _stripe_event_object(self, data):
        """The Stripe object a webhook event is about."""
        obj = (data.get("data") or {}).get("object") if isinstance(data, dict) else None
        if not isinstance(obj, dict) or not obj.get("id"):
            raise PayloadError(_("Stripe event %(event)s names no object", event=data.get("id")))
        return obj

    def _stripe_charge_transaction_ids(self, charge):
        refunded = isinstance(charge, dict) and charge.get("amount_refunded") and charge.get("id")
        refunds = self._stripe_adapter().refunds(charge["id"]) if refunded else ()
        return charge_transaction_ids(charge, refunds)

    def _stripe_import_transaction_ids(self, txn_ids):
        """Fetch the balance transactions (each once) and import them."""
        adapter = self._stripe_adapter()
        txns = [adapter.balance_transaction(txn_id) for txn_id in dict.fromkeys(txn_ids)]
        if not txns:
            return {"result_note": _("No balance transaction yet: nothing to book.")}
        return self._stripe_import_transactions(txns)

    def _stripe_import_payout(self, payout_json, txns_json):
        payout = parse_payout(payout_json, txns_json)
        self._stripe_check_precision(payout.currency, [payout.amount])
        for payment in payout.payments:
            self._stripe_check_precision(payment.currency, [payment.amount, payment.fee])
        record = self.env["omni.importer"].import_payout(self, payout)
        return {"omni_payout_id": record.id}

    def _stripe_import_transactions(self, txns_json):
        """Import and book balance transactions; the event links to the last one given (the
        most specific: a refund rather than its charge)."""
        payments = [parse_balance_transaction(txn) for txn in txns_json]
        for payment in payments:
            self._stripe_check_precision(payment.currency, [payment.amount, payment.fee])
        records = self.env["omni.importer"].import_payments(self, payments, settle=True)
        primary = records.filtered(lambda p: p.external_id == txns_json[-1]["id"])
        return {"omni_payment_id": primary.id}

    def _stripe_check_precision(self, code, amounts):
        """Odoo rounds money to its currency's rounding: an amount it cannot hold (Stripe
        charges TWD with cents, Odoo's TWD has none) is a mapping error, never money rounded
        away in the books."""
        currency = self.env["omni.importer"]._currency(code)
        rounding = Decimal(str(currency.rounding))
        for amount in amounts:
            if amount % rounding:
                raise MappingError(
                    _(
                        "Stripe amount %(amount)s %(currency)s has more decimals than Odoo's "
                        "%(currency)s (rounding %(rounding)s) keeps: set the currency's "
                        "rounding to 0.01 before importing.",
                        amount=amount,
                        currency=currency.name,
                        rounding=currency.rounding,
                    ),
                    "currency",
                )
