import copy
import hashlib
import hmac
import json

from odoo.addons.omni_connector_base.tests.common import OmniCommon

SECRET = "whsec-test-0123456789"

ORDER = {
    "id": "1001",
    "name": "#1001",
    "currency": "EUR",
    "created_at": "2026-11-01T09:00:00Z",
    "updated_at": "2026-11-01T10:00:00Z",
    "taxes_included": False,
    "financial_status": "pending",
    "fulfillment_status": "",
    "customer": {
        "id": "C-1",
        "email": "Jane.Doe@Example.com",
        "name": "Jane Doe",
        "phone": "+33 6 12 34 56 78",
    },
    "lines": [
        {
            "id": "L1",
            "sku": "OMNI-A",
            "name": "Widget A",
            "quantity": "2",
            "price": "10.00",
            "taxes": [{"title": "VAT", "rate": "0.2", "amount": "4.00"}],
        },
        {
            "id": "L2",
            "sku": "OMNI-B",
            "name": "Widget B",
            "quantity": "1",
            "price": "7.35",
            "discount": "1.00",
            "taxes": [{"title": "VAT", "rate": "0.2", "amount": "1.27"}],
        },
    ],
    "shipping": [{"id": "S1", "title": "Standard", "price": "4.90"}],
    "total": "36.52",
}


def order_payload(event_id="evt-1", **changes):
    order = copy.deepcopy(ORDER)
    order.update(changes)
    return {"id": event_id, "topic": "order", "order": order}


def sign(body, secret=SECRET):
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class OmniTestChannelCase(OmniCommon):
    channel = "omnitest"
    currency_code = "EUR"
    channel_tax = "VAT"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.currency
        cls.product_a, cls.product_b = cls.make_products(
            [("OMNI-A", "Widget A", 10.0), ("OMNI-B", "Widget B", 7.35, "4006381333931")],
            detailed_type="product",
        )
        cls.backend = cls.make_backend("Test channel", webhook_secret=SECRET)

    def receive(self, payload, backend=None, source="webhook"):
        """Store a payload the way the webhook route does; returns (new, duplicates)."""
        backend = backend or self.backend
        raw = json.dumps(payload).encode()
        vals_list = backend._omni_webhook_events(raw, {})
        return self.env["omni.event"]._receive(backend, vals_list, source)

    def deliver(self, payload, backend=None):
        """Receive and process at once (what the job runner does); returns the event."""
        new, known = self.receive(payload, backend)
        event = new or known
        event._process_job()
        return event

    def omni_order(self, external_id="1001", backend=None):
        return self.env["omni.order"]._find(backend or self.backend, external_id)
