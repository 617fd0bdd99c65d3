"""Shared setup of the Shopify tests: a seeded sandbox shop on 127.0.0.1 and a backend whose
products, tax mapping and currencies match it."""

import json
import sys
import unittest
from pathlib import Path

from odoo.tests import TransactionCase

_TESTS_DIR = str(Path(__file__).resolve().parents[2] / "tests")
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)

# Re-exported for the test modules: they import them from here, after sys.path is set.
from omni_sandboxes.refdata import REFDATA_HINT, refdata_path  # noqa: E402
from omni_sandboxes.shopify_sandbox import (  # noqa: E402
    SHOPIFY_HINT,
    ShopifySandbox,
    generate_shop,
    has_shopify_schema,
    iso,
    load_schema,
    parse_iso,
    sign_webhook,
    validate_document,
    webhook_headers,
)

__all__ = [
    "REFDATA_HINT",
    "SHOPIFY_HINT",
    "ShopifySandbox",
    "generate_shop",
    "has_shopify_schema",
    "iso",
    "load_schema",
    "parse_iso",
    "refdata_path",
    "sign_webhook",
    "validate_document",
    "webhook_headers",
]

TOKEN = "shpat_omni_test_token"
SECRET = "shpss_omni_test_secret"
N_ORDERS = 12


class ShopifyCase(TransactionCase):
    """A backend on a fresh sandbox shop (``cls.world``, ``cls.sandbox``)."""

    sandbox_kwargs = {"restore_rate": 1e6}
    shop_kwargs = {}  # more arguments of generate_shop (with_returns=True...)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not has_shopify_schema():
            raise unittest.SkipTest(SHOPIFY_HINT)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.world = generate_shop(n_orders=N_ORDERS, seed=11, **cls.shop_kwargs)
        cls.sandbox = ShopifySandbox(cls.world, access_token=TOKEN, **cls.sandbox_kwargs).start()
        cls.addClassCleanup(cls.sandbox.stop)
        company = cls.env.company
        for code in ("EUR", "USD", "GBP"):
            cls.env.ref(f"base.{code}").active = True
        cls.eur = cls.env.ref("base.EUR")
        cls.pricelist = cls.env["product.pricelist"].create(
            {"name": "Shopify EUR", "currency_id": cls.eur.id, "company_id": company.id}
        )
        cls.vat20 = cls.env["account.tax"].create(
            {"name": "VAT 20% (shopify test)", "amount": 20.0, "type_tax_use": "sale",
             "company_id": company.id}
        )
        cls.products = cls.env["product.product"].create(
            [
                {"name": product["title"], "default_code": variants[0]["sku"],
                 "detailed_type": "consu", "list_price": 1.0}
                for product, variants in cls.world.products
            ]
        )
        cls.backend = cls.env["omni.backend"].create(
            {
                "name": "Sandbox shop",
                "channel": "shopify",
                "shopify_shop_url": cls.sandbox.url,
                "shopify_access_token": TOKEN,
                "webhook_secret": SECRET,
                "pricelist_id": cls.pricelist.id,
                "warehouse_id": cls.env["stock.warehouse"]
                .search([("company_id", "=", company.id)], limit=1).id,
                "tax_map_ids": [
                    (0, 0, {"channel_tax": "VAT", "rate": 0.2, "tax_id": cls.vat20.id})
                ],
            }
        )

    def setUp(self):
        super().setUp()
        self.sandbox.reset()  # requests, faults and bucket of the previous test are gone
        self.sandbox.timeout_seconds = 3.0

    # helpers
    def receive_webhook(self, topic, payload, webhook_id=None):
        """A webhook signed with the shop secret, verified and stored; returns the new
        events (not processed yet)."""
        raw = json.dumps(payload).encode()
        headers = webhook_headers(raw, SECRET, topic, webhook_id=webhook_id)
        self.backend._omni_webhook_verify(raw, headers)
        vals = self.backend._omni_webhook_events(raw, headers)
        new, __ = self.env["omni.event"]._receive(self.backend, vals, "webhook")
        return new

    def events(self, backend=None, **domain):
        return self.env["omni.event"].search(
            [("backend_id", "=", (backend or self.backend).id)]
            + [(k, "=", v) for k, v in domain.items()]
        )

    def sale_orders(self, backend=None):
        return self.env["sale.order"].search(
            [("omni_backend_id", "=", (backend or self.backend).id)]
        )

    def snapshot(self, backend=None):
        """What the import produced, comparable across runs and backends."""
        backend = backend or self.backend
        return sorted(
            (
                so.omni_external_ref,
                so.state,
                str(so.amount_untaxed),
                str(so.amount_tax),
                str(so.amount_total),
                len(so.order_line),
            )
            for so in self.sale_orders(backend)
        ), sorted(
            (m.omni_external_ref, str(m.amount_total), m.state)
            for m in self.env["account.move"].search([("omni_backend_id", "=", backend.id)])
        ), sorted(
            (p.external_id, p.payment_type, str(p.amount), p.currency_id.name,
             p.processor_reference, p.order_id.external_id)
            for p in self.env["omni.payment"].search([("backend_id", "=", backend.id)])
        )
