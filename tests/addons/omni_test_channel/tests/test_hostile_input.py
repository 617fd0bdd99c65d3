import json

from odoo.tests import HttpCase, tagged

from odoo.addons.omni_connector_base.const import MAX_ERROR_CHARS, MAX_JSON_DEPTH, MAX_ORDER_LINES
from odoo.addons.omni_connector_base.tests.hostile import HostileInputMixin

from .common import ORDER, OmniTestChannelCase, order_payload, sign


@tagged("post_install", "-at_install")
class TestHostileInput(HostileInputMixin, OmniTestChannelCase, HttpCase):
    """Hostile bodies over HTTP, through the test channel's door and parser."""

    def post_signed(self, body):
        return self.url_open(
            f"/omni/webhook/omnitest/{self.backend.id}",
            data=body,
            headers={"Content-Type": "application/json", "X-Omni-Test-Hmac": sign(body)},
            timeout=60,
        )

    def test_json_nested_10000_deep(self):
        body = b'{"topic": "order", "order": ' + b"[" * 10000 + b"]" * 10000 + b"}"
        self.assert_payload_failure(body, f"nested deeper than {MAX_JSON_DEPTH} levels")

    def test_raw_nul_byte_in_body(self):
        body = json.dumps(order_payload()).encode().replace(b'"#1001"', b'"#10\x0001"')
        event = self.assert_payload_failure(body, "NUL byte")
        self.assertNotIn("\x00", event.payload)
        self.assertIn("\ufffd", event.payload, "the NUL is shown replaced")

    def test_escaped_nul_in_id(self):
        body = json.dumps(order_payload(id="10\u000001")).encode()
        self.assertIn(b"\\u0000", body)
        event = self.assert_payload_failure(body, "NUL character")
        self.assertEqual(event.payload.encode(), body, "an escaped NUL is text PostgreSQL keeps")

    def test_utf16_body(self):
        body = json.dumps(order_payload()).encode("utf-16")
        self.assert_payload_failure(body, "not UTF-8")

    def test_object_where_an_id_is_expected(self):
        body = json.dumps({"id": "evt-1", "topic": {"order": 1}}).encode()
        self.assert_payload_failure(body, "no topic")

    def test_object_where_a_name_is_expected(self):
        lines = [dict(ORDER["lines"][0], name={"en": "Widget A"})]
        body = json.dumps(order_payload(lines=lines)).encode()
        self.assert_payload_failure(body, "OrderLine name", "expected a value, got dict")

    def test_huge_field_is_cut_in_the_message(self):
        body = json.dumps(order_payload(created_at="x" * 3_000_000)).encode()
        event = self.assert_payload_failure(body, "created_at", "characters cut")
        self.assertLess(len(event.error_message), MAX_ERROR_CHARS + 100)

    def test_negative_quantity_is_not_a_sale(self):
        lines = [dict(ORDER["lines"][0], quantity="-5")]
        body = json.dumps(order_payload(lines=lines)).encode()
        event = self.assert_payload_failure(body, "quantity -5")
        self.assertFalse(event.omni_order_id)
        self.assertFalse(self.env["sale.order"].search([("amount_total", "<", 0)]))

    def test_order_of_too_many_lines_fails_visibly(self):
        line = ORDER["lines"][0]
        lines = [dict(line, id=f"L{n}") for n in range(MAX_ORDER_LINES * 2)]
        body = json.dumps(order_payload(lines=lines)).encode()
        self.assert_payload_failure(body, f"at most {MAX_ORDER_LINES}")
