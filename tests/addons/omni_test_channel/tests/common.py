import copy
import hashlib
import hmac
import json

from odoo.tests import TransactionCase

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


class OmniTestChannelCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.pricelist_eur = cls.env["product.pricelist"].create(
            {"name": "EUR", "currency_id": cls.eur.id, "company_id": cls.company.id}
        )
        cls.vat20 = cls.env["account.tax"].create(
            {
                "name": "VAT 20% (omni test)",
                "amount": 20.0,
                "type_tax_use": "sale",
                "company_id": cls.company.id,
            }
        )
        cls.product_a = cls.env["product.product"].create(
            {
                "name": "Widget A",
                "default_code": "OMNI-A",
                "detailed_type": "product",
                "list_price": 10.0,
            }
        )
        cls.product_b = cls.env["product.product"].create(
            {
                "name": "Widget B",
                "default_code": "OMNI-B",
                "barcode": "4006381333931",
                "detailed_type": "product",
                "list_price": 7.35,
            }
        )
        cls.backend = cls.env["omni.backend"].create(
            {
                "name": "Test channel",
                "channel": "omnitest",
                "webhook_secret": SECRET,
                "pricelist_id": cls.pricelist_eur.id,
                "warehouse_id": cls.env["stock.warehouse"]
                .search([("company_id", "=", cls.company.id)], limit=1)
                .id,
                "tax_map_ids": [
                    (0, 0, {"channel_tax": "VAT", "rate": 0.2, "tax_id": cls.vat20.id})
                ],
            }
        )

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
        return self.env["omni.order"].search(
            [("backend_id", "=", (backend or self.backend).id), ("external_id", "=", external_id)]
        )
