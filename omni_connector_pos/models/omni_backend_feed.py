import hashlib
import hmac
import json
from datetime import timezone

from odoo import _, models

from odoo.addons.queue_job.exception import RetryableJobError

from odoo.addons.omni_connector_base.const import MAX_BATCH_RECORDS
from odoo.addons.omni_connector_base.tools.dates import parse_iso, to_odoo
from odoo.addons.omni_connector_base.tools.errors import PayloadError, SignatureError
from odoo.addons.omni_connector_base.tools.payload import load_json

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
        records = contract.split(load_json(raw_body, "POS webhook body"))
        if len(records) > MAX_BATCH_RECORDS:
            raise PayloadError(
                _(
                    "POS batch of %(count)s records: at most %(limit)s a document.",
                    count=len(records),
                    limit=MAX_BATCH_RECORDS,
                )
            )
        return self._pos_event_vals(records)

    # ------------------------------------------------------------------------------------
    # REST pull from a POS API serving the contract
    # ------------------------------------------------------------------------------------

    def _pos_pull(self, cursor=None, since=None):
        """Job: every page of records since the watermark (with overlap) becomes events, from
        ``cursor`` when it continues a walk. Throttled after some pages, it keeps them and a
        new job continues from the page after the last one stored (the same window
        ``since``), instead of walking again from the first page; before any, queue_job
        retries it. Pages come in record order, so the watermark may advance with them."""
        self.ensure_one()
        stream = self._stream("records")
        if since is None:  # a new walk; a continuation keeps its window (False: everything)
            since = self._poll_window_start("records") or False
        Event = self.env["omni.event"]
        new_events, newest, pages_read = Event.browse(), None, 0
        pages = self._pos_adapter().pages(since and since.replace(tzinfo=timezone.utc), cursor)
        try:
            for page in pages:
                records = page["records"]
                for start in range(0, len(records), PULL_CHUNK):
                    received, __ = Event._receive(
                        self,
                        self._pos_event_vals(records[start : start + PULL_CHUNK]),
                        source="poll",
                    )
                    received._enqueue()
                    new_events |= received
                for record in records:
                    moment = self._pos_record_moment(record)
                    if moment and (newest is None or moment > newest):
                        newest = moment
                cursor, pages_read = page.get("next_cursor"), pages_read + 1
        except RetryableJobError as err:
            if not pages_read:
                raise
            stream._mark_success(newest)
            stream.cursor = cursor
            self._omni_delay(
                _("POS: pull records of %(backend)s", backend=self.name), eta=err.seconds
            )._pos_pull(cursor=cursor, since=since)
            return _("%(count)s new event(s); paused: %(error)s", count=len(new_events), error=err)
        stream._mark_success(newest)
        return _("%(count)s new event(s)", count=len(new_events))

    def _omni_job_streams(self, method_name, args):
        if self.channel != "pos":
            return super()._omni_job_streams(method_name, args)
        return {"_pos_pull": {"records"}, "_pos_mirror_odoo": {"odoo_pos"}}.get(method_name, set())

    def _omni_stream_labels(self):
        if self.channel != "pos":
            return super()._omni_stream_labels()
        return {
            **super()._omni_stream_labels(),
            "records": _("Till records pulled"),
            "odoo_pos": _("Odoo Point of Sale mirror"),
        }

    def _pos_record_moment(self, record):
        """When a pulled record happened (naive UTC), for the watermark; None when unknown."""
        if not isinstance(record, dict):
            return None
        stamp = record.get("created_at") or record.get("closed_at")
        try:
            return to_odoo(parse_iso(stamp, "created_at", naive_is_utc=False)) or None
        except PayloadError:
            return None  # its event fails visibly; the watermark ignores it
