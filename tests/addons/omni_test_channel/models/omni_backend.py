import hashlib
import hmac

from odoo import _, api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError

from odoo.addons.omni_connector_base.tools.dates import to_odoo
from odoo.addons.omni_connector_base.tools.errors import PayloadError, SignatureError
from odoo.addons.omni_connector_base.tools.payload import load_json

from ..parser import (
    parse_inventory,
    parse_order,
    parse_payment,
    parse_payout,
    parse_refund,
    parse_return,
)

SIGNATURE_HEADER = "X-Omni-Test-Hmac"


class OmniBackend(models.Model):
    _inherit = "omni.backend"

    channel = fields.Selection(
        selection_add=[("omnitest", "Test Channel")], ondelete={"omnitest": "cascade"}
    )

    @api.model
    def _omni_default_invoice_policy(self, channel):
        # Tests choose the policy they exercise; the others invoice by hand.
        return "manual" if channel == "omnitest" else super()._omni_default_invoice_policy(channel)

    def _omni_default_gateways(self):
        gateways = super()._omni_default_gateways()
        if self.channel == "omnitest":
            gateways["omnitest"] = ("Test Processor", "processor", "OMT")
        return gateways

    def _omni_settlement_gateway(self):
        if self.channel == "omnitest":
            return "omnitest"
        return super()._omni_settlement_gateway()

    def _omni_test_connection(self):
        if self.channel != "omnitest":
            return super()._omni_test_connection()
        return "test channel reachable"

    def _omni_webhook_verify(self, raw_body, headers):
        if self.channel != "omnitest":
            return super()._omni_webhook_verify(raw_body, headers)
        secret = self._omni_webhook_secret()
        if not secret:
            raise SignatureError("no webhook secret configured")
        given = headers.get(SIGNATURE_HEADER) or ""
        expected = hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
        if not given or not hmac.compare_digest(given, expected):
            raise SignatureError("signature mismatch")

    def _omni_webhook_events(self, raw_body, headers):
        if self.channel != "omnitest":
            return super()._omni_webhook_events(raw_body, headers)
        data = load_json(raw_body)
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("topic"), str)
            or not data["topic"]
        ):
            raise PayloadError(_("The payload has no topic."))
        record = data.get(data["topic"]) or {}
        external_id = str(record.get("id") or "") if isinstance(record, dict) else ""
        return [
            self._omni_event_vals(data["topic"], raw_body, external_id, event_id=data.get("id"))
        ]

    def _omni_process_event(self, event):
        if self.channel != "omnitest":
            return super()._omni_process_event(event)
        data = event._payload_json()
        importer = self.env["omni.importer"]
        if event.topic == "order":
            return importer.import_order(self, parse_order(data.get("order")))
        if event.topic == "refund":
            omni_order = importer.import_refund(self, parse_refund(data.get("refund") or {}))
            return {"omni_order_id": omni_order.id}
        if event.topic == "return":
            record = importer.import_return(self, parse_return(data.get("return") or {}))
            return {"omni_order_id": record.omni_order_id.id}
        if event.topic == "payment":  # a processor's balance movement
            payments = importer.import_payments(
                self, [parse_payment(data.get("payment") or {})], settle=True
            )
            return {"omni_payment_id": payments.id, "omni_order_id": payments.order_id.id}
        if event.topic == "payout":
            payout = importer.import_payout(self, parse_payout(data.get("payout") or {}))
            return {"omni_payout_id": payout.id}
        if event.topic == "inventory":
            return self._omnitest_record_inventory(data.get("inventory") or {})
        if event.topic == "race":  # a unique value a concurrent job may have committed first
            race = data["race"]
            for __ in range(race.get("times", 1)):
                self.env["ir.model.data"].create(
                    {
                        "module": "omni_test_channel",
                        "name": race["id"],
                        "model": "res.partner",
                        "res_id": self.env.user.partner_id.id,
                    }
                )
            return {}
        if event.topic == "clash":  # what one import taking a unique value twice looks like
            for __ in range(2):
                self.env["omni.external.id"].create(
                    {
                        "backend_id": self.id,
                        "kind": "order",
                        "external_id": "clash",
                        "res_model": "res.partner",
                        "res_id": self.env.user.partner_id.id,
                    }
                )
        if event.topic == "flaky":
            raise RetryableJobError(
                _("The channel answered 429 (too many requests)."),
                seconds=data.get("retry_after"),
            )
        raise PayloadError(_("Unknown topic %(topic)r.", topic=event.topic))

    def _omnitest_record_inventory(self, data):
        """What a location shows for sale, recorded as connectors record it."""
        location_ref, reported_at, levels = parse_inventory(data)
        location = self.env["omni.location"]._find(self, location_ref)
        if not location:
            raise PayloadError(_("Unknown location %(location)r.", location=location_ref))
        Product = self.env["product.product"].with_company(self.company_id)
        quantities = {}
        for sku, quantity in levels:
            product = Product.search([("default_code", "=", sku)], limit=1)
            if not product:
                raise PayloadError(_("Unknown SKU %(sku)r.", sku=sku))
            quantities[product] = (quantity, sku)
        self.env["omni.stock.level"]._record_channel_quantities(
            location, quantities, to_odoo(reported_at)
        )
        return {}
