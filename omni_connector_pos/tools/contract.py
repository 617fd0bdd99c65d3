"""The POS feed contract (``data/contract/pos-feed-v1.schema.json``): loading and validation.

Every way in (webhook, file, REST pull) splits what it receives into records and validates
each record alone, so one bad record never rejects its neighbours. No Odoo import.
"""

import functools
import json
from pathlib import Path

import jsonschema

from odoo.tools.translate import _lt

from odoo.addons.omni_connector_base.tools.errors import PayloadError

from ..const import INVALID_TOPIC, TRANSACTION_TOPIC, Z_REPORT_TOPIC

CONTRACT_VERSION = "1"
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "data" / "contract" / "pos-feed-v1.schema.json"
RECORD_TYPES = ("transaction", "z_report")


@functools.cache
def schema():
    return json.loads(SCHEMA_PATH.read_text())


@functools.cache
def _validator(definition):
    root = schema()
    sub = {"$ref": f"#/$defs/{definition}", "$defs": root["$defs"]} if definition else root
    return jsonschema.Draft202012Validator(sub)


def validate(document, definition=""):
    """Raise a PayloadError naming every problem of ``document`` (``definition``: a name
    under ``$defs`` such as ``transaction``, or the whole contract when empty)."""
    errors = sorted(_validator(definition).iter_errors(document), key=lambda e: list(e.path))
    if errors:
        # jsonschema's own words name each problem; only the frame around them translates.
        problems = "; ".join(f"{_where(err)}{err.message}" for err in errors[:10])
        raise PayloadError(_lt("POS feed contract v1: %(problems)s", problems=problems))


def _where(err):
    path = "/".join(str(part) for part in err.absolute_path)
    return f"{path}: " if path else ""


def split(document):
    """The records of a contract document: itself when it is a transaction or a Z report, the
    items of a batch. Only the envelope is checked here; each record is validated when it is
    processed (an invalid record becomes a failed event, its neighbours go through)."""
    if not isinstance(document, dict):
        raise PayloadError(_lt("POS feed: a document is a JSON object"))
    if document.get("record_type") in RECORD_TYPES:
        return [document]
    validate(document, "batch")
    return list(document["records"])


def record_key(record):
    """(topic, channel id) of a record: what the feed is deduplicated on."""
    if not isinstance(record, dict):
        return INVALID_TOPIC, ""
    kind = record.get("record_type")
    if kind == "transaction" and isinstance(record.get("transaction_id"), str):
        return TRANSACTION_TOPIC, record["transaction_id"]
    if kind == "z_report" and isinstance(record.get("z_id"), str):
        return Z_REPORT_TOPIC, record["z_id"]
    return INVALID_TOPIC, ""
