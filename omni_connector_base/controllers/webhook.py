import json
import logging

from odoo import SUPERUSER_ID, _, http
from odoo.http import request

from ..const import MAX_BODY_BYTES
from ..tools.errors import OmniError, PayloadError, SignatureError

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
        # Refused before it is read: a body this large is no channel's webhook.
        if (request.httprequest.content_length or 0) > MAX_BODY_BYTES:
            _logger.warning("omni webhook for %s backend %s: body too large", channel, backend_id)
            return self._reply(413, {"error": f"body larger than {MAX_BODY_BYTES} bytes"})
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
        except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as err:
            # A channel's reader met a shape it does not expect (an object for an id, a
            # number too large): the body is at fault, not the code.
            error = PayloadError(
                _(
                    "The body cannot be read: %(error_type)s: %(error)s",
                    error_type=type(err).__name__,
                    error=err,
                )
            )
            vals_list = [Event._unreadable_webhook_vals(backend, raw_body, error)]
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
