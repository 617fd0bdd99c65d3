"""The one importer shared by every channel: canonical objects -> Odoo documents.

Parsers never write Odoo documents; they produce ``tools.canonical`` objects and call this
model. It has one import path: every import plans onto a batch (``ImportBatch``) and the
batch is flushed once, by ``omni.event`` (a live webhook is a batch of one). Planning checks
everything and writes what the event links to (the ``omni.order`` and its lines, the
``omni.return``, the refund record, the processor movements); the flush makes the Odoo
documents, where the time of an import goes, in a fixed order: sale orders (one ``create``,
one ``action_confirm``), then credit notes (one ``action_post``) and the goods they restock,
then returns, then the orders' payments, their registration in accounting, the invoices the
backends' policies call for (reconciled with those payments) and the settlement entries of
processor balances. Everything runs inside the caller's savepoint, so a
mapping or currency error leaves nothing half-written. The documents carry the channel's
dates (``_channel_time``), never the import's: sale orders keep their order date through
their confirmation, transfers are done (and valued) when the channel did them.

An importer method called without a batch (tests, benchmarks) opens a batch of one and
flushes it before returning: the same code either way.

This file is the bottom layer (the batch, locks, digests); the concerns extend the model:
``omni_importer_master_data`` (partners, products, taxes, currencies), ``_order``,
``_refund``, ``_return``, ``_payment``, ``_registration``, ``_invoice`` and ``_settlement``.
"""

import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any

from odoo import _, api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError

from ..tools import canonical
from ..tools.dates import to_odoo
from .stock_move import DONE_AT_CONTEXT_KEY

BATCH_CONTEXT_KEY = "omni_import_batch"


def canonical_digest(obj):
    # Frozen dataclasses of str/Decimal/datetime/tuples have a stable repr.
    return hashlib.sha256(repr(obj).encode()).hexdigest()


@dataclass
class LinePlan:
    """A channel line checked and mapped: its sale line values, those of its separate
    discount line (None when the discount is Odoo's percentage), its omni.order.line values."""

    sale_vals: dict
    discount_vals: dict | None
    omni_vals: dict


@dataclass
class PendingOrder:
    """A new order planned: its omni.order and lines exist, its sale order is made at the
    flush (``line_index``: for each sale line, the index of its omni line or None)."""

    backend: Any
    order: canonical.Order
    currency: Any
    omni_order: Any
    sale_vals: dict
    line_index: list


@dataclass
class StatusAction:
    """A status-map action for an order's sale order, run at the flush in arrival order;
    ``at``: when the channel did it (a delivery is done then), naive UTC."""

    omni_order: Any
    action: str
    at: Any = None


@dataclass
class RefundPlan:
    """A checked refund, recorded on its order (``record``); its credit note and restock
    are booked at the flush."""

    backend: Any
    refund: canonical.Refund
    omni_order: Any
    record: Any


@dataclass
class ReturnPlan:
    """A checked and stored return; its goods come back (``restock``) and its exchange
    items (``exchange``: LinePlan) join the sale order at the flush."""

    backend: Any
    record: Any
    restock: bool
    exchange: list
    source: Any = None  # the event that planned it, for its result note


@dataclass
class OrderPayments:
    """An order created or updated in the batch: its own payments are imported, and the
    movements waiting for it linked, at the flush."""

    backend: Any
    omni_order: Any
    payments: tuple


@dataclass
class SettlementPlan:
    """Processor movements (and their payout) to book in the settlement journal."""

    backend: Any
    payments: Any
    payout: Any = None


@dataclass
class ImportBatch:
    """Work planned by the imports of a batch of events, flushed together."""

    orders: list = field(default_factory=list)  # PendingOrder
    actions: list = field(default_factory=list)  # StatusAction
    refunds: list = field(default_factory=list)  # RefundPlan
    returns: list = field(default_factory=list)  # ReturnPlan
    payments: list = field(default_factory=list)  # OrderPayments
    registrations: list = field(default_factory=list)  # omni.payment records to register
    settlements: list = field(default_factory=list)  # SettlementPlan
    touched: list = field(default_factory=list)  # omni.order records: invoice and reconcile
    # Lookups the batch's events repeat: currencies by code and the records found through
    # external ids (bindings are only added during a batch; a failed one is dropped whole).
    currencies: dict = field(default_factory=dict)
    bound: dict = field(default_factory=dict)
    # What the flush noted about the work of an event (its id: notes), for its result note.
    source: Any = None
    notes: dict = field(default_factory=dict)

    def is_pending(self, omni_order):
        return any(item.omni_order == omni_order for item in self.orders)

    def note(self, source, message):
        if source and message:
            self.notes.setdefault(source, []).append(message)


def batched(method):
    """Run an importer method inside the caller's batch, or in a batch of one flushed
    before it returns (so its result is complete)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if self._batch():
            return method(self, *args, **kwargs)
        importer = self.with_context(**self._batch_context())
        result = method(importer, *args, **kwargs)
        importer._flush_batch()
        if isinstance(result, models.BaseModel):
            result = result.with_env(self.env)
        return result

    return wrapper


class OmniImporter(models.AbstractModel):
    _name = "omni.importer"
    _description = "Omnichannel Importer (canonical -> Odoo)"

    @api.model
    def _batch_context(self):
        """Context keys of a batch import: add them to the records the channel processes,
        then call ``_flush_batch`` with them before the batch's savepoint is released."""
        return {BATCH_CONTEXT_KEY: ImportBatch()}

    def _batch(self):
        return self.env.context.get(BATCH_CONTEXT_KEY)

    @api.model
    def _flush_batch(self):
        """Make the documents the batch planned, phase by phase: orders, refunds, returns,
        payments, their registration, invoices, settlements (each phase needs the documents
        of the ones before)."""
        batch = self._batch()
        if not batch:
            return
        self._flush_orders(batch)
        self._flush_refunds(batch)
        self._flush_returns(batch)
        self._flush_payments(batch)
        self._flush_registrations(batch)
        self._flush_invoices(batch)
        self._flush_settlements(batch)

    # The phases, implemented by the concern that plans them (orders, refunds...).
    def _flush_orders(self, batch):
        return

    def _flush_refunds(self, batch):
        return

    def _flush_returns(self, batch):
        return

    def _flush_payments(self, batch):
        return

    def _flush_registrations(self, batch):
        return

    def _flush_invoices(self, batch):
        return

    def _flush_settlements(self, batch):
        return

    def _union(self, model, chunks):
        """The records of ``chunks`` (recordsets the batch collected) once each, in order of
        first appearance."""
        ids = dict.fromkeys(id_ for records in chunks for id_ in records.ids)
        return self.env[model].browse(list(ids))

    def _companies(self, items):
        """The companies of the backends of batch items, in order of first appearance."""
        companies = self.env["res.company"]
        for item in items:
            companies |= item.backend.company_id
        return companies

    def _backends(self, items):
        """The backends of batch items, in order of first appearance."""
        backends = self.env["omni.backend"]
        for item in items:
            backends |= item.backend
        return backends

    def _bind_many(self, kind, items):
        """``omni.external.id._bind`` for many (backend, external id, record), in two queries."""
        items = [item for item in items if item[1]]
        if not items:
            return
        Binding = self.env["omni.external.id"]
        existing = {
            (b.backend_id.id, b.external_id): b
            for b in Binding.search(
                [
                    ("backend_id", "in", list({backend.id for backend, __, __ in items})),
                    ("kind", "=", kind),
                    ("external_id", "in", list({ext for __, ext, __ in items})),
                ]
            )
        }
        create_vals = []
        for backend, external_id, record in items:
            vals = {"res_model": record._name, "res_id": record.id}
            binding = existing.get((backend.id, external_id))
            if binding:
                binding.write(vals)
            else:
                create_vals.append(
                    {"backend_id": backend.id, "kind": kind, "external_id": external_id, **vals}
                )
        Binding.create(create_vals)

    @api.model
    def _channel_time(self, value):
        """When the channel did something, for an Odoo field: naive UTC, never later than now
        (a channel clock ahead of ours dates nothing in the future), now when it gave none."""
        now = fields.Datetime.now()
        return min(to_odoo(value) or now, now)

    def _validate_transfers(self, pickings, done_at):
        """Validate transfers the channel made (no backorder), each done at its time in
        ``done_at`` ({picking id: naive UTC datetime})."""
        if pickings:
            pickings.with_context(
                skip_backorder=True, skip_sms=True, **{DONE_AT_CONTEXT_KEY: done_at}
            ).button_validate()

    def _lock(self, backend, kind, external_id):
        """Serialize work on one external record across jobs (advisory, transaction-scoped);
        a busy record is retried shortly rather than waited for."""
        self.env.cr.execute(
            "SELECT pg_try_advisory_xact_lock(hashtext(%s))",
            [f"omni:{backend.id}:{kind}:{external_id}"],
        )
        if not self.env.cr.fetchone()[0]:
            raise RetryableJobError(
                _(
                    "%(kind)s %(ref)s is being processed by another job.",
                    kind=kind,
                    ref=external_id,
                ),
                seconds=5,
            )
