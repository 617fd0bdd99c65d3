import json

from odoo.tests import HttpCase, tagged

from .common import SECRET, OmniTestChannelCase, order_payload, sign


@tagged("post_install", "-at_install")
class TestWebhook(OmniTestChannelCase, HttpCase):
    """The generic route, over real HTTP to the running Odoo server."""

    def post(self, body, signature=None, backend=None, channel="omnitest"):
        backend = backend or self.backend
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Omni-Test-Hmac"] = signature
        return self.url_open(
            f"/omni/webhook/{channel}/{backend.id}", data=body, headers=headers, timeout=20
        )

    def test_signed_webhook_is_stored_and_enqueued(self):
        body = json.dumps(order_payload()).encode()
        response = self.post(body, sign(body))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json(), {"received": 1, "duplicates": 0})
        event = self.events()
        self.assertEqual(
            (event.topic, event.external_id, event.source), ("order", "1001", "webhook")
        )
        self.assertEqual(event.payload.encode(), body, "the raw body is kept byte for byte")
        self.assertNotIn("X-Omni-Test-Hmac", event.headers)
        jobs = self.env["queue.job"].search(
            [("model_name", "=", "omni.event"), ("method_name", "=", "_process_job")]
        )
        self.assertEqual(len(jobs), 1)
        self.assertEqual(jobs.channel, "root.omni.omnitest")
        self.assertEqual(jobs.records, event)

    def test_duplicate_delivery_is_acknowledged_once(self):
        body = json.dumps(order_payload()).encode()
        for __ in range(3):
            response = self.post(body, sign(body))
            self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"received": 0, "duplicates": 1})
        self.assertEqual(len(self.events()), 1)

    def test_bad_missing_or_unconfigured_signature_is_rejected(self):
        body = json.dumps(order_payload()).encode()
        with self.assertLogs(
            "odoo.addons.omni_connector_base.controllers.webhook", "WARNING"
        ) as logs:
            self.assertEqual(self.post(body, sign(body, "wrong-secret")).status_code, 401)
            self.assertEqual(self.post(body).status_code, 401)
            self.assertEqual(self.post(body, "").status_code, 401)
            tampered = body.replace(b"10.00", b"0.01")
            self.assertEqual(self.post(tampered, sign(body)).status_code, 401)
            self.backend.webhook_secret = False  # fail closed: no secret, no webhook
            self.assertEqual(self.post(body, sign(body)).status_code, 401)
            self.assertEqual(self.post(body, sign(body, "")).status_code, 401)
        self.assertFalse(self.events())
        self.assertFalse(any(SECRET in line for line in logs.output))

    def test_unknown_backend_or_wrong_channel(self):
        body = json.dumps(order_payload()).encode()
        missing = self.env["omni.backend"].browse(999999)
        self.assertEqual(self.post(body, sign(body), backend=missing).status_code, 404)
        self.assertEqual(self.post(body, sign(body), channel="shopifyx").status_code, 404)
        self.backend.active = False
        self.assertEqual(self.post(body, sign(body)).status_code, 404)
        self.assertFalse(
            self.env["omni.event"]
            .with_context(active_test=False)
            .search([("backend_id", "=", self.backend.id)])
        )

    def test_get_is_not_allowed(self):
        response = self.url_open(f"/omni/webhook/omnitest/{self.backend.id}", timeout=20)
        self.assertEqual(response.status_code, 405)

    def test_authentic_but_malformed_payload_is_kept_as_failed_event(self):
        body = b'{"topic": "order", "order": {"id": "1001", '  # truncated JSON
        response = self.post(body, sign(body))
        self.assertEqual(response.status_code, 200)
        event = self.events()
        self.assertEqual(event.state, "failed")
        self.assertEqual(event.error_class, "payload")
        self.assertIn("not valid JSON", event.error_message)
        self.assertEqual(event.payload.encode(), body)
