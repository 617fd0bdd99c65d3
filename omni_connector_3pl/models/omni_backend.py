import base64
import binascii
import json
import logging
import secrets
from decimal import Decimal

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from odoo import _, fields, models

from odoo.addons.omni_connector_base.models.omni_backend import MANAGER_GROUP
from odoo.addons.omni_connector_base.tools.dates import parse_iso
from odoo.addons.omni_connector_base.tools.errors import PayloadError, SignatureError
from odoo.addons.omni_connector_base.tools.payload import load_json

from ..const import (
    CHANNEL,
    CHARGE_TOPIC_PREFIX,
    EVENT_HANDLERS,
    SHIPBOB_BILLING_TOPICS,
    SHIPBOB_ENDPOINT,
    SHIPBOB_SHIPPING_METHOD,
    SHIPBOB_TOPIC_EVENTS,
    SHIPBOB_TOPICS,
    SHIPMENT_TOPIC_PREFIX,
    TOPIC_HEADER,
)
from ..tools import contract
from ..tools.adapter import ShipBobAdapter
from ..tools.parser import charge, shipment_document

_logger = logging.getLogger(__name__)
# The ShipBob topic of each shipment event (the event's topic names the contract's event).
_EVENT_TOPICS = {event: topic for topic, event in SHIPBOB_TOPIC_EVENTS.items()}


def _header(headers, name):
    return next((v for k, v in (headers or {}).items() if k.lower() == name), "")


class OmniBackend(models.Model):
    """A third-party warehouse (3PL) as an Omni backend: connection, signed webhooks and
    the processing of its shipment events. Deliveries go out in ``omni_backend_outbound``,
    stock comes in from ``omni_backend_inventory``."""

    _inherit = "omni.backend"

    channel = fields.Selection(
        selection_add=[(CHANNEL, "3PL Warehouse")], ondelete={CHANNEL: "cascade"}
    )
    tpl_provider = fields.Selection(
        [("shipbob", "ShipBob"), ("contract", "Omni dispatch contract v1")],
        string="Warehouse System",
        default="shipbob",
        help="The 3PL's system: ShipBob (API 2026-01), or any warehouse posting dispatch "
        "contract v1 documents to the webhook, signed the Standard Webhooks way (it receives "
        "the deliveries its own way).",
    )
    shipbob_token = fields.Char(
        string="Personal Access Token",
        groups=MANAGER_GROUP,
        copy=False,
        help="ShipBob ▸ Integrations ▸ API Tokens (scopes orders, inventory, webhooks, "
        "locations read/write).",
    )
    shipbob_endpoint = fields.Char(
        string="ShipBob Endpoint",
        default=SHIPBOB_ENDPOINT,
        help="https://api.shipbob.com, or https://sandbox-api.shipbob.com for ShipBob's own "
        "sandbox; only tests point it elsewhere.",
    )
    shipbob_channel_id = fields.Char(
        string="ShipBob Channel ID",
        help="The ShipBob channel orders are created in (header shipbob_channel_id); empty: "
        "the token's default channel.",
    )
    tpl_shipping_method = fields.Char(
        string="Shipping Method",
        default=SHIPBOB_SHIPPING_METHOD,
        help="The 3PL's ship option every order is sent with.",
    )
    tpl_webhook_subscription_ids = fields.Char(
        string="ShipBob Subscriptions",
        readonly=True,
        copy=False,
        help="ShipBob's ids of the subscriptions registered for this backend.",
    )
    tpl_dispatch_ids = fields.One2many("omni.dispatch", "backend_id", string="Dispatches")
    tpl_dispatch_count = fields.Integer(compute="_compute_tpl_dispatch_count")

    def _compute_tpl_dispatch_count(self):
        counts = dict(
            self.env["omni.dispatch"]._read_group(
                [("backend_id", "in", self.ids)], ["backend_id"], ["__count"]
            )
        )
        for backend in self:
            backend.tpl_dispatch_count = counts.get(backend, 0)

    def action_open_dispatches(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "omni_connector_3pl.omni_dispatch_action"
        )
        action["domain"] = [("backend_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------------------------
    # Connection
    # ------------------------------------------------------------------------------------

    def _shipbob_adapter(self):
        self.ensure_one()
        backend = self.sudo()
        return ShipBobAdapter(
            backend.shipbob_endpoint or SHIPBOB_ENDPOINT,
            backend.shipbob_token,
            channel_id=backend.shipbob_channel_id,
        )

    def _omni_test_connection(self):
        if self.channel != CHANNEL:
            return super()._omni_test_connection()
        if self.tpl_provider == "contract":
            return _(
                "Dispatch contract v1: the warehouse posts its shipments to %(url)s, signed "
                "with the webhook secret (%(state)s).",
                url=self.webhook_url,
                state=_("set") if self._omni_webhook_secret() else _("not set: all refused"),
            )
        adapter = self._shipbob_adapter()
        try:
            centers = adapter.fulfillment_centers()
        finally:
            adapter.close()
        return _(
            "Connected to ShipBob: fulfilment centres %(centers)s.",
            centers=", ".join(f"{c.get('name')} ({c.get('id')})" for c in centers) or _("none"),
        )

    def _omni_account_key(self):
        if self.channel != CHANNEL:
            return super()._omni_account_key()
        return f"{self.shipbob_endpoint or SHIPBOB_ENDPOINT}#{self.shipbob_channel_id or ''}"

    # ------------------------------------------------------------------------------------
    # Webhooks: Standard Webhooks signatures, the topic in x-webhook-topic
    # ------------------------------------------------------------------------------------

    def _omni_webhook_verify(self, raw_body, headers):
        if self.channel != CHANNEL:
            return super()._omni_webhook_verify(raw_body, headers)
        secret = self._omni_webhook_secret()
        if not secret:
            raise SignatureError("no webhook secret configured")
        try:
            verifier = Webhook(secret)
        except (binascii.Error, ValueError, RuntimeError) as err:
            raise SignatureError(
                f"the webhook secret is not a whsec_ secret ({type(err).__name__})"
            ) from None
        try:
            # webhook-id, webhook-timestamp (5 minutes' tolerance), every v1 signature
            verifier.verify(raw_body, headers or {}, json_parse=False)
        except WebhookVerificationError as err:
            raise SignatureError(str(err)) from None

    def _omni_webhook_events(self, raw_body, headers):
        if self.channel != CHANNEL:
            return super()._omni_webhook_events(raw_body, headers)
        if self.tpl_provider == "contract":
            return self._tpl_contract_event_vals(raw_body, headers)
        topic = _header(headers, TOPIC_HEADER)
        if not topic:
            raise PayloadError(_("ShipBob webhook without %(header)s header", header=TOPIC_HEADER))
        body = load_json(raw_body, "ShipBob webhook body")
        webhook_id = _header(headers, "webhook-id")
        kind = SHIPBOB_BILLING_TOPICS.get(topic)
        if kind is not None:
            transaction_id = body.get("transaction_id") if isinstance(body, dict) else None
            return [
                self._omni_event_vals(
                    f"{CHARGE_TOPIC_PREFIX}{kind}",
                    raw_body,
                    str(transaction_id or ""),
                    event_id=webhook_id,
                )
            ]
        event = SHIPBOB_TOPIC_EVENTS.get(topic)
        if event is None:  # returns...: kept, said unused when processed
            return [self._omni_event_vals(f"shipbob.{topic}", raw_body, event_id=webhook_id)]
        if not isinstance(body, dict):
            raise PayloadError(_("ShipBob %(topic)s: the body is not a shipment", topic=topic))
        updated = body.get("last_update_at")
        return [
            self._omni_event_vals(
                f"{SHIPMENT_TOPIC_PREFIX}{event}",
                raw_body,
                f"{body.get('reference_id') or ''}#{body.get('id') or ''}",
                event_id=webhook_id,
                updated_at=parse_iso(updated, "last_update_at")
                if isinstance(updated, str)
                else None,
            )
        ]

    def action_tpl_register_webhooks(self):
        """Subscribe this backend's URL to ShipBob's shipment topics with a new secret (kept
        as the backend's webhook secret); subscriptions of the URL made before are removed."""
        self._omni_check_manager()
        self.ensure_one()
        adapter = self._shipbob_adapter()
        url = self.webhook_url
        try:
            for subscription in adapter.webhooks():
                if subscription.get("url") == url:
                    adapter.unsubscribe(subscription["id"])
            secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
            created = adapter.subscribe(
                url, SHIPBOB_TOPICS, secret, _("Omni (Odoo) %(name)s", name=self.name)
            )
        finally:
            adapter.close()
        self.sudo().write(
            {
                "webhook_secret": created.get("secret") or secret,
                "tpl_webhook_subscription_ids": str(created.get("id") or ""),
            }
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _(
                    "ShipBob will post %(topics)s to %(url)s.",
                    topics=", ".join(SHIPBOB_TOPICS),
                    url=url,
                ),
            },
        }

    # ------------------------------------------------------------------------------------
    # Processing: one handler per topic (const.EVENT_HANDLERS)
    # ------------------------------------------------------------------------------------

    def _omni_process_event(self, event):
        if self.channel != CHANNEL:
            return super()._omni_process_event(event)
        handler = EVENT_HANDLERS.get(event.topic)
        if not handler:
            return {"result_note": _("3PL event type %(type)s is not used.", type=event.topic)}
        return getattr(self, handler)(event)

    def _tpl_contract_event_vals(self, raw_body, headers):
        """A dispatch contract document: its event is the topic, its shipment the record."""
        document = load_json(raw_body, "Dispatch contract document")
        if not isinstance(document, dict) or document.get("record_type") != "shipment":
            raise PayloadError(_("Dispatch contract v1: a document is one shipment object"))
        event = document.get("event")
        if f"{SHIPMENT_TOPIC_PREFIX}{event}" not in EVENT_HANDLERS:
            raise PayloadError(_("Dispatch contract v1: unknown event %(event)r", event=event))
        return [
            self._omni_event_vals(
                f"{SHIPMENT_TOPIC_PREFIX}{event}",
                raw_body,
                f"{document.get('order_reference') or ''}#{document.get('shipment_id') or ''}",
                event_id=_header(headers, "webhook-id"),
            )
        ]

    def _tpl_process_shipment(self, event):
        """A shipment event: the contract document the warehouse sent, or ShipBob's shipment
        as one; then the importer."""
        if self.tpl_provider == "contract":
            return self.env["omni.importer"].import_shipment(
                self, contract.parse(event._payload_json())
            )
        shipbob_topic = _EVENT_TOPICS[event.topic.removeprefix(SHIPMENT_TOPIC_PREFIX)]
        document = shipment_document(shipbob_topic, event._payload_json())
        shipment = contract.parse(document)
        return self.env["omni.importer"].import_shipment(self, shipment)

    def _tpl_process_charge(self, event):
        """A billing transaction: ShipBob writes amounts as JSON numbers, read as Decimal."""
        event._payload_json()  # the checks every payload passes (UTF-8, depth, NUL)
        body = json.loads(event.payload, parse_float=Decimal)
        topic = {kind: t for t, kind in SHIPBOB_BILLING_TOPICS.items()}[
            event.topic.removeprefix(CHARGE_TOPIC_PREFIX)
        ]
        return self.env["omni.importer"].import_charge(self, charge(topic, body))
