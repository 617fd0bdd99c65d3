import hashlib
import hmac
import json
from datetime import timezone

from odoo import _, models

from odoo.addons.omni_connector_base.tools.dates import parse_iso, to_odoo
from odoo.addons.omni_connector_base.tools.errors import PayloadError, SignatureError

from ..const import PULL_CHUNK, SIGNATURE_HEADER
from ..tools import contract


class OmniBackend(models.Model):
    """The ways in of the contract v1 feed: a signed webhook, a file (the import wizard) and
    the REST pull all turn records into the same events, so a record is stored once."""

    _inherit = "omni.backend"  # pylint: disable=consider-merging-classes-inherited

    def _pos_event_vals(self, records):
        """Event values of contract records, whichever way they came in: a record's key is its
        transaction / Z id (``event_id``), so a transaction received by webhook, file and pull
        is stored once; a record without one is keyed on its content."""
        vals_list = []
        for record in records:
            topic, external_id = contract.record_key(record)
            vals_list.append(
                self._omni_event_vals(
                    topic,
                    # Serialised here: an invalid record may itself be a JSON string.
                    json.dumps(record, sort_keys=True),
                    external_id,
                    event_id=external_id or None,
                )
            )
        return vals_list

    # ------------------------------------------------------------------------------------
    # Webhooks: one signed contract document per request
    # ------------------------------------------------------------------------------------

    def _omni_webhook_verify(self, raw_body, headers):
        if self.channel != "pos":
            return super()._omni_webhook_verify(raw_body, headers)
        secret = self._omni_webhook_secret()
        if not secret:
            raise SignatureError("no webhook secret configured")
        given = next(
            (v for k, v in (headers or {}).items() if k.lower() == SIGNATURE_HEADER.lower()), ""
        )
        given = given.strip().removeprefix("sha256=")
        if not given:
            raise SignatureError(f"missing {SIGNATURE_HEADER} header")
        expected = hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, given.lower()):
            raise SignatureError("signature does not match the body")

    def _omni_webhook_events(self, raw_body, headers):
        if self.channel != "pos":
            return super()._omni_webhook_events(raw_body, headers)
        try:
            document = json.loads(raw_body)
        except ValueError as err:
            raise PayloadError(
                _("POS webhook body is not JSON: %(error)s", error=str(err))
            ) from None
        return self._pos_event_vals(contract.split(document))

    # ------------------------------------------------------------------------------------
    # REST pull from a POS API serving the contract
    # ------------------------------------------------------------------------------------

    def _pos_pull(self):
        """Job: every page of records since the watermark (with overlap) becomes events."""
        self.ensure_one()
        stream = self._stream("records")
        since = self._poll_window_start("records")
        Event = self.env["omni.event"]
        new_events, newest = Event.browse(), None
        for page in self._pos_adapter().pages(since and since.replace(tzinfo=timezone.utc)):
            records = page["records"]
            for start in range(0, len(records), PULL_CHUNK):
                received, __ = Event._receive(
                    self, self._pos_event_vals(records[start : start + PULL_CHUNK]), source="poll"
                )
                received._enqueue()
                new_events |= received
            for record in records:
                moment = self._pos_record_moment(record)
                if moment and (newest is None or moment > newest):
                    newest = moment
        stream._mark_success(newest)
        return _("%(count)s new event(s)", count=len(new_events))

    def _pos_record_moment(self, record):
        """When a pulled record happened (naive UTC), for the watermark; None when unknown."""
        if not isinstance(record, dict):
            return None
        stamp = record.get("created_at") or record.get("closed_at")
        try:
            return to_odoo(parse_iso(stamp, "created_at", naive_is_utc=False)) or None
        except PayloadError:
            return None  # its event fails visibly; the watermark ignores it
