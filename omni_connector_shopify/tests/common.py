"""Shared setup of the Shopify tests: a seeded sandbox shop on 127.0.0.1 and a backend whose
products, tax mapping and currencies match it."""

import json
import unittest

from omni_sandboxes.shopify_sandbox import (
    SHOPIFY_HINT,
    ShopifySandbox,
    generate_shop,
    has_shopify_schema,
    webhook_headers,
)

from odoo.addons.omni_connector_base.tests.common import OmniCommon

TOKEN = "shpat_omni_test_token"
SECRET = "shpss_omni_test_secret"
N_ORDERS = 12


class ShopifyCase(OmniCommon):
    """A backend on a fresh sandbox shop (``cls.world``, ``cls.sandbox``)."""

    channel = "shopify"
    currency_code = "EUR"
    currency_codes = ("USD", "GBP")
    channel_tax = "VAT"
    sandbox_kwargs = {"restore_rate": 1e6}
    shop_kwargs = {}  # more arguments of generate_shop (with_returns=True...)

    @classmethod
    def setUpClass(cls):
        if not has_shopify_schema():
            raise unittest.SkipTest(SHOPIFY_HINT)
        super().setUpClass()
        cls.eur = cls.currency
        cls.world = generate_shop(n_orders=N_ORDERS, seed=11, **cls.shop_kwargs)
        cls.sandbox = cls.serve(ShopifySandbox(cls.world, access_token=TOKEN, **cls.sandbox_kwargs))
        cls.products = cls.make_products(
            (variants[0]["sku"], product["title"], 1.0) for product, variants in cls.world.products
        )
        cls.backend = cls.make_backend("Sandbox shop")
        # the shop's myshopify domain, which its webhooks must come from
        cls.backend._omni_test_connection()

    @classmethod
    def _backend_vals(cls):
        return dict(
            super()._backend_vals(),
            shopify_shop_url=cls.sandbox.url,
            shopify_access_token=TOKEN,
            webhook_secret=SECRET,
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

    def sale_orders(self, backend=None):
        return self.env["sale.order"].search(
            [("omni_backend_id", "=", (backend or self.backend).id)]
        )

    def snapshot(self, backend=None):
        """What the import produced, comparable across runs and backends: sale orders,
        invoices and credit notes, movements, registered payments."""
        backend = backend or self.backend
        return (
            sorted(
                (
                    so.omni_external_ref,
                    so.state,
                    str(so.amount_untaxed),
                    str(so.amount_tax),
                    str(so.amount_total),
                    len(so.order_line),
                )
                for so in self.sale_orders(backend)
            ),
            sorted(
                (m.omni_external_ref, m.move_type, str(m.amount_total), m.state)
                for m in self.env["account.move"].search(
                    [("omni_backend_id", "=", backend.id), ("move_type", "!=", "entry")]
                )
            ),
            sorted(
                (
                    p.external_id,
                    p.payment_type,
                    str(p.amount),
                    p.currency_id.name,
                    p.processor_reference,
                    p.order_id.external_id,
                )
                for p in self.env["omni.payment"].search([("backend_id", "=", backend.id)])
            ),
            sorted(
                (p.omni_external_ref, p.payment_type, str(p.amount), p.journal_id.code, p.state)
                for p in self.env["account.payment"].search([("omni_backend_id", "=", backend.id)])
            ),
        )
