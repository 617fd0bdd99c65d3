import json
import logging

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..tools.errors import OmniError, SignatureError

_logger = logging.getLogger(__name__)


class OmniWebhookController(http.Controller):
    """POST /omni/webhook/<channel>/<backend_id>: verify, store, enqueue, answer fast.

    Verification is the channel's (over the raw body, constant-time) and fails closed: an
    unknown backend, a channel without verifier or a backend without secret is rejected and
    nothing is stored.
    """

    @http.route(
        "/omni/webhook/<string:channel>/<int:backend_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def omni_webhook(self, channel, backend_id, **kwargs):
        env = request.env(user=SUPERUSER_ID)
        backend = env["omni.backend"].browse(backend_id).exists()
        if not backend or not backend.active or backend.channel != channel:
            _logger.info("omni webhook: no active %s backend %s", channel, backend_id)
            return self._reply(404, {"error": "unknown backend"})
        raw_body = request.httprequest.get_data()
        headers = dict(request.httprequest.headers)
        try:
            backend._omni_webhook_verify(raw_body, headers)
        except SignatureError as err:
            # The reason never carries the secret nor the signature.
            _logger.warning("omni webhook rejected for %s backend %s: %s", channel, backend_id, err)
            return self._reply(401, {"error": "invalid signature"})
        Event = env["omni.event"]
        try:
            vals_list = backend._omni_webhook_events(raw_body, headers)
        except OmniError as err:
            # Authentic but unreadable: keep it as a failed event a user can see and replay.
            vals_list = [Event._unreadable_webhook_vals(backend, raw_body, err)]
        for vals in vals_list:
            vals.setdefault("headers", headers)  # stored without credentials (_receive)
        new_events, duplicates = Event._receive(backend, vals_list, source="webhook")
        new_events.filtered(lambda e: e.state == "received")._enqueue()
        return self._reply(200, {"received": len(new_events), "duplicates": len(duplicates)})

    @staticmethod
    def _reply(status, body):
        return request.make_response(
            json.dumps(body), headers=[("Content-Type", "application/json")], status=status
        )
