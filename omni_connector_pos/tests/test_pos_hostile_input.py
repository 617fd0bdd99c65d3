import json

from omni_sandboxes.pos_sandbox import sign

from odoo.tests import HttpCase, tagged

from odoo.addons.omni_connector_base.const import MAX_BATCH_RECORDS, MAX_JSON_DEPTH
from odoo.addons.omni_connector_base.tests.hostile import HostileInputMixin

from .common import WEBHOOK_SECRET, PosCase


@tagged("post_install", "-at_install")
class TestPosHostileInput(HostileInputMixin, PosCase, HttpCase):
    """Hostile contract documents, correctly signed, over HTTP."""

    def post_signed(self, body):
        headers = {
            "Content-Type": "application/json",
            "X-Pos-Signature": sign(body, WEBHOOK_SECRET),
        }
        return self.url_open(
            f"/omni/webhook/pos/{self.backend.id}", data=body, headers=headers, timeout=120
        )

    def sale(self):
        sale = next(t for t in self.world.transactions if t["kind"] == "sale")
        return json.loads(json.dumps(sale))

    def test_negative_sale_quantity(self):
        sale = self.sale()
        sale["lines"][0]["quantity"] = "-3"
        event = self.assert_payload_failure(json.dumps(sale).encode(), "quantity -3")
        self.assertFalse(event.sale_order_id)

    def test_escaped_nul_in_the_transaction_id(self):
        sale = self.sale()
        sale["transaction_id"] += "\u0000"
        self.assert_payload_failure(json.dumps(sale).encode(), "NUL character")

    def test_deep_body(self):
        deep = b'{"record_type": "batch", "records": ' + b"[" * 10000 + b"]" * 10000 + b"}"
        self.assert_payload_failure(deep, f"deeper than {MAX_JSON_DEPTH}")

    def test_batch_of_too_many_records_fails_visibly(self):
        batch = self.world.batch()
        batch["records"] = [self.sale()] * (MAX_BATCH_RECORDS + 1)
        self.assert_payload_failure(json.dumps(batch).encode(), f"at most {MAX_BATCH_RECORDS}")
