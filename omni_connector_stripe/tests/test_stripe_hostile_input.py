import json

from omni_sandboxes.stripe_sandbox import event_payload, sign_payload

from odoo.tests import tagged

from odoo.addons.omni_connector_base.const import MAX_JSON_DEPTH
from odoo.addons.omni_connector_base.tests.hostile import HostileInputMixin

from .common import WEBHOOK_SECRET, StripeWebhookCase


@tagged("post_install", "-at_install")
class TestStripeHostileInput(HostileInputMixin, StripeWebhookCase):
    """Hostile Stripe events, correctly signed, over HTTP."""

    world_kwargs = {"days": 1, "charges_per_day": 1}

    def post_signed(self, body):
        return self.post(body, sign_payload(body, WEBHOOK_SECRET))

    def charge_event(self, **changes):
        event = json.loads(json.dumps(self.first_event("charge.succeeded")))
        event.update(changes)
        return event

    def test_null_type_is_kept(self):
        self.assert_payload_failure(event_payload(self.charge_event(type=None)), "no topic")

    def test_created_out_of_range(self):
        for created in (2**63, -1):
            with self.subTest(created=created):
                body = event_payload(self.charge_event(id=f"evt_{created}", created=created))
                self.assert_payload_failure(body, str(created), "not a Unix time")

    def test_escaped_nul_in_the_object_id(self):
        event = self.charge_event()
        event["data"]["object"]["id"] = "ch_\u0000x"
        self.assert_payload_failure(event_payload(event), "NUL character")

    def test_object_where_an_id_is_expected(self):
        event = self.charge_event()
        event["data"]["object"]["id"] = {"id": "ch_1"}
        self.assert_payload_failure(event_payload(event), "id is not text")

    def test_deep_and_utf16_bodies(self):
        deep = b'{"id": "evt_deep", "type": "charge.succeeded", "data": ' + b"[" * 10000
        deep += b"]" * 10000 + b"}"
        self.assert_payload_failure(deep, f"deeper than {MAX_JSON_DEPTH}")
        utf16 = event_payload(self.charge_event()).decode().encode("utf-16")
        self.assert_payload_failure(utf16, "not UTF-8")
