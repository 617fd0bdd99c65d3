import hashlib
import json

from omni_sandboxes.shopify_sandbox import webhook_headers

from odoo.tests import HttpCase, tagged

from odoo.addons.omni_connector_base.const import MAX_JSON_DEPTH
from odoo.addons.omni_connector_base.tests.hostile import HostileInputMixin

from .common import SECRET, ShopifyCase


@tagged("post_install", "-at_install")
class TestShopifyHostileInput(HostileInputMixin, ShopifyCase, HttpCase):
    """Hostile orders/create webhooks, correctly signed, over HTTP."""

    def post_signed(self, body):
        # Shopify resends a delivery under the same id: the id follows the body here.
        headers = webhook_headers(
            body, SECRET, "orders/create", webhook_id=hashlib.sha256(body).hexdigest()
        )
        return self.url_open(
            f"/omni/webhook/shopify/{self.backend.id}", data=body, headers=headers, timeout=60
        )

    def order(self):
        return self.world.order_rest(self.world.orders[0])

    def test_negative_line_quantity_is_not_a_sale(self):
        order = self.order()
        order["line_items"][0]["quantity"] = -5
        event = self.assert_payload_failure(json.dumps(order).encode(), "quantity -5")
        self.assertFalse(event.sale_order_id)
        self.assertFalse(self.env["sale.order"].search([("amount_total", "<", 0)]))

    def test_escaped_nul_in_the_order_id(self):
        order = self.order()
        order["admin_graphql_api_id"] += "\u0000"
        self.assert_payload_failure(json.dumps(order).encode(), "NUL character")

    def test_object_where_an_id_is_expected(self):
        order = self.order()
        order.pop("admin_graphql_api_id", None)
        order["id"] = {"id": 1}
        self.assert_payload_failure(json.dumps(order).encode())

    def test_deep_and_utf16_bodies(self):
        deep = b'{"id": 1, "line_items": ' + b"[" * 10000 + b"]" * 10000 + b"}"
        self.assert_payload_failure(deep, f"deeper than {MAX_JSON_DEPTH}")
        utf16 = json.dumps(self.order()).encode("utf-16")
        self.assert_payload_failure(utf16, "not UTF-8")
