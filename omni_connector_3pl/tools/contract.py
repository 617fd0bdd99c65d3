"""The dispatch contract (``data/contract/dispatch-v1.schema.json``): validation and the
canonical shipment every warehouse's document becomes. No Odoo import but translations."""

import functools
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import jsonschema

from odoo.tools.translate import _lt

from odoo.addons.omni_connector_base.tools.dates import parse_iso
from odoo.addons.omni_connector_base.tools.errors import PayloadError

CONTRACT_VERSION = "1"
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "data" / "contract" / "dispatch-v1.schema.json"


@dataclass(frozen=True)
class ShipmentLine:
    sku: str
    quantity: Decimal


@dataclass(frozen=True)
class Shipment:
    """One shipment event of a warehouse, whatever its vendor."""

    event: str
    shipment_id: str
    order_reference: str
    occurred_at: object  # aware UTC datetime
    warehouse_order_id: str = ""
    location_id: str = ""
    carrier: str = ""
    carrier_service: str = ""
    tracking_number: str = ""
    tracking_url: str = ""
    status_reason: str = ""
    lines: tuple = ()

    def quantities(self):
        """{sku: units} of the lines (a SKU on several lines is summed)."""
        totals = {}
        for line in self.lines:
            totals[line.sku] = totals.get(line.sku, Decimal(0)) + line.quantity
        return totals


@dataclass(frozen=True)
class Charge:
    """A warehouse's billing transaction: what it charged (or gave back) for a shipment, a
    return or its services. ``amount`` is the cost, signed: a refund or credit is negative."""

    transaction_id: str
    kind: str  # charge, refund, credit
    amount: Decimal
    currency: str
    charged_on: object  # date
    fee_type: str = ""
    reference_type: str = ""
    reference: str = ""


@functools.cache
def schema():
    return json.loads(SCHEMA_PATH.read_text())


@functools.cache
def _validator():
    return jsonschema.Draft202012Validator(schema())


def validate(document):
    """Raise a PayloadError naming every problem of ``document`` (at most ten)."""
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        # jsonschema's own words name each problem; only the frame around them translates.
        problems = "; ".join(f"{_where(err)}{err.message}" for err in errors[:10])
        raise PayloadError(_lt("Dispatch contract v1: %(problems)s", problems=problems))


def _where(err):
    path = "/".join(str(part) for part in err.absolute_path)
    return f"{path}: " if path else ""


def parse(document):
    """A validated contract document as a :class:`Shipment`."""
    validate(document)
    return Shipment(
        event=document["event"],
        shipment_id=document["shipment_id"],
        order_reference=document["order_reference"],
        occurred_at=parse_iso(document["occurred_at"], "occurred_at", required=True),
        warehouse_order_id=document.get("warehouse_order_id", ""),
        location_id=document.get("location_id", ""),
        carrier=document.get("carrier", ""),
        carrier_service=document.get("carrier_service", ""),
        tracking_number=document.get("tracking_number", ""),
        tracking_url=document.get("tracking_url", ""),
        status_reason=document.get("status_reason", ""),
        lines=tuple(
            ShipmentLine(line["sku"], Decimal(line["quantity"]))
            for line in document.get("lines", ())
        ),
    )
