from odoo import _, api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError

from odoo.addons.omni_connector_base.models.omni_backend import MANAGER_GROUP
from odoo.addons.omni_connector_base.tools.dates import to_odoo
from odoo.addons.omni_connector_base.tools.errors import MappingError, PayloadError

from ..const import EVENT_HANDLERS, INVALID_TOPIC, WAIT_FOR_ORIGINAL
from ..tools import contract
from ..tools.adapter import PosAdapter
from ..tools.parser import (
    as_refund,
    parse_transaction,
    parse_z_report,
    return_hints,
    with_order_ref,
)


class OmniBackend(models.Model):
    """A store chain as an Omni backend: Odoo's own Point of Sale (mirrored, never booked a
    second time) or an external till system feeding contract v1 by webhook, file or REST.

    Here: the connection, stores and registers, and the processing of till records into
    orders, payments and store-days. The ways in of the contract feed live in
    ``omni_backend_feed.py``, the mirror of Odoo's own POS in ``omni_backend_odoo_pos.py``."""

    _inherit = "omni.backend"

    channel = fields.Selection(
        selection_add=[("pos", "Point of Sale")], ondelete={"pos": "cascade"}
    )
    pos_source = fields.Selection(
        [("external", "External POS feed"), ("odoo", "Odoo Point of Sale")],
        string="Store System",
        default="external",
    )
    pos_config_ids = fields.Many2many(
        "pos.config",
        string="Odoo POS Registers",
        check_company=True,
        help="Registers whose paid, invoiced and refunded orders and closed sessions are "
        "mirrored into Omni.",
    )
    pos_api_url = fields.Char(
        string="POS API URL", help="Base URL of a POS API serving the feed contract (REST pull)."
    )
    pos_api_key = fields.Char(string="POS API Key", groups=MANAGER_GROUP, copy=False)
    pos_page_size = fields.Integer(string="POS API Page Size", default=100)
    pos_api_timeout = fields.Integer(
        string="POS API Timeout (s)", default=30, help="Read timeout of each POS API request."
    )
    pos_create_locations = fields.Boolean(
        string="Create Stores on First Sight",
        default=True,
        help="Create the store / register mapping row when a feed names an unknown one; "
        "otherwise its records fail with a mapping error until the store is mapped.",
    )
    pos_location_ids = fields.One2many("omni.location", "backend_id", string="Stores and Registers")

    @api.model_create_multi
    def create(self, vals_list):
        backends = super().create(vals_list)
        for backend in backends.filtered(lambda b: b.channel == "pos" and not b.default_partner_id):
            # One walk-in customer per chain, never one partner per receipt.
            backend.default_partner_id = self.env["res.partner"].create(
                {
                    "name": _("Walk-in customer (%(backend)s)", backend=backend.name),
                    "company_id": backend.company_id.id,
                }
            )
        return backends

    # ------------------------------------------------------------------------------------
    # Connection
    # ------------------------------------------------------------------------------------

    def _pos_adapter(self):
        self.ensure_one()
        return PosAdapter(
            self.pos_api_url,
            self.sudo().pos_api_key,
            self.pos_page_size or 100,
            timeout=(5, self.pos_api_timeout or 30),
        )

    @api.model
    def _omni_default_invoice_policy(self, channel):
        # A till's receipt is the sale: invoiced when it is imported.
        return "on_order" if channel == "pos" else super()._omni_default_invoice_policy(channel)

    def _omni_registers_payments(self):
        # Odoo's own POS registered its payments when it closed its sessions.
        if self.channel == "pos" and self.pos_source == "odoo":
            return False
        return super()._omni_registers_payments()

    def _omni_test_connection(self):
        if self.channel != "pos":
            return super()._omni_test_connection()
        if self.pos_source == "odoo":
            if not self.pos_config_ids:
                raise MappingError(_("Choose the Odoo POS registers to mirror."), "pos.config")
            return _("Mirroring %(count)s Odoo POS register(s).", count=len(self.pos_config_ids))
        if not self.pos_api_url:
            if not self._omni_webhook_secret():
                raise MappingError(
                    _("Set a webhook secret (push) or a POS API URL (pull)."), "config"
                )
            return _("Ready for signed webhooks and file imports (no REST pull configured).")
        self._pos_adapter().health()
        return _("Connected to the POS API at %(url)s.", url=self.pos_api_url)

    # ------------------------------------------------------------------------------------
    # Stores and registers
    # ------------------------------------------------------------------------------------

    def _pos_location(self, store_id, store_name="", register_id="", warehouse=None):
        """The omni.location of a register (or of the store when the till names none),
        created with its store on first sight when the backend allows it."""
        self.ensure_one()
        Location = self.env["omni.location"]
        store = Location._find(self, store_id)
        if not store:
            store = self._pos_new_location(store_id, store_name or store_id, "store", warehouse)
        if not register_id:
            return store
        register = Location._find(self, register_id)
        if not register:
            register = self._pos_new_location(
                register_id, register_id, "register", None, parent=store
            )
        return register

    def _pos_new_location(self, external_id, name, kind, warehouse, parent=None):
        if not self.pos_create_locations:
            raise MappingError(
                _(
                    "%(kind)s %(ref)s is not mapped on backend %(backend)s.",
                    kind=kind,
                    ref=external_id,
                    backend=self.name,
                ),
                "location",
                external_id,
            )
        self.env["omni.importer"]._lock(self, "location", external_id)
        return self.env["omni.location"].create(
            {
                "backend_id": self.id,
                "external_id": external_id,
                "name": name,
                "kind": kind,
                "parent_id": parent.id if parent else False,
                "warehouse_id": warehouse.id if warehouse else False,
            }
        )

    # ------------------------------------------------------------------------------------
    # Processing: one handler per topic (const.EVENT_HANDLERS)
    # ------------------------------------------------------------------------------------

    def _omni_process_event(self, event):
        if self.channel != "pos":
            return super()._omni_process_event(event)
        handler = EVENT_HANDLERS.get(event.topic, EVENT_HANDLERS[INVALID_TOPIC])
        return getattr(self, handler)(event._payload_json(), event)

    def _pos_process_z_report(self, data, event):
        z_report = parse_z_report(data)
        location = self._pos_location(z_report.store_id, z_report.store_name, z_report.register_id)
        return self._pos_import_z(z_report, location, event)

    def _pos_process_file_rows(self, data, event):
        raise PayloadError(data.get("error") or _("Rejected rows of a file import."))

    def _pos_process_invalid(self, data, event):
        """Say what is wrong with a record that is no transaction nor Z report."""
        kind = data.get("record_type") if isinstance(data, dict) else None
        if kind in contract.RECORD_TYPES:
            contract.validate(data, kind)
        raise PayloadError(
            _("Not a POS feed record (record_type must be 'transaction' or 'z_report').")
        )

    def _pos_import_transaction(self, data, event=None):
        txn = parse_transaction(data)
        location = self._pos_location(txn.store_id, txn.store_name, txn.register_id)
        importer = self.env["omni.importer"]
        if txn.kind == "void":
            return self._pos_void(txn)
        original = self.env["omni.order"]._find(self, txn.original_transaction_id)
        if txn.kind == "return" and txn.original_transaction_id and not original:
            # Feeds arrive out of order: wait for the receipt a few times, then (last attempt)
            # import the return on its own rather than lose it.
            if event and event.attempts + 2 < self.max_attempts:
                raise RetryableJobError(
                    _(
                        "return %(transaction)s: original receipt %(original)s not received yet",
                        transaction=txn.transaction_id,
                        original=txn.original_transaction_id,
                    ),
                    seconds=WAIT_FOR_ORIGINAL,
                )
        refund, note = None, False
        if original and txn.kind == "return":
            refund = as_refund(
                txn,
                [
                    (line.external_id, line.sku, line.product_id.barcode)
                    for line in original.line_ids
                ],
                return_hints(data),
            )
        if refund:
            importer.import_refund(self, refund, omni_order=original)
            payments = with_order_ref(txn.payments, original.external_id)
            links = {"omni_order_id": original.id}
        else:
            if txn.kind == "return" and not original and txn.original_transaction_id:
                note = _(
                    "Original receipt %(receipt)s was never received: imported as a return order.",
                    receipt=txn.original_transaction_id,
                )
            elif txn.kind == "return" and original:
                note = _(
                    "The returned lines do not match receipt %(receipt)s: "
                    "imported as a return order.",
                    receipt=txn.original_transaction_id,
                )
            links = dict(importer.import_order(self, txn.order))
            payments = txn.payments
        records = self._pos_import_tenders(
            payments, txn.tenders, location, txn.business_date, txn.transaction_id
        )
        self._pos_refresh_days(location, txn.business_date, txn.currency)
        if note:
            links["result_note"] = note
        if records:
            links["omni_payment_id"] = records[:1].id
        return links

    def _pos_void(self, txn):
        """A voided transaction: its order is cancelled and its tenders leave the day."""
        importer = self.env["omni.importer"]
        original = self.env["omni.order"]._find(self, txn.original_transaction_id)
        if not original:
            # Out of order (or never sent): retried, and dead-lettered if it never comes.
            raise RetryableJobError(
                _(
                    "void %(transaction)s: transaction %(original)s not received yet",
                    transaction=txn.transaction_id,
                    original=txn.original_transaction_id,
                ),
                seconds=WAIT_FOR_ORIGINAL,
            )
        if original.cancelled_at:
            return {"omni_order_id": original.id, "result_note": _("Already voided.")}
        importer._plan_action(original, "cancel")  # its sale order may be made at the flush
        original.write(
            {
                "cancelled_at": to_odoo(txn.created_at),
                "cancel_reason": _("voided by %(transaction)s", transaction=txn.transaction_id),
                "financial_status": "voided",
                "financial_state": "cancelled",
            }
        )
        payments = self.env["omni.payment"].search(
            [
                ("backend_id", "=", self.id),
                ("pos_transaction_ref", "=", txn.original_transaction_id),
            ]
        )
        payments.write({"status": "voided"})
        for payment in payments:
            self._pos_refresh_days(
                payment.pos_location_id, payment.pos_business_date, payment.currency_id.name
            )
        return {"omni_order_id": original.id}

    def _pos_import_tenders(self, payments, tenders, location, business_date, transaction_ref):
        """Import a till transaction's payments, each filed under its store-day and tender
        (payments and tenders come from the same tender rows, in the same order)."""
        if not payments:
            return self.env["omni.payment"]
        records = self.env["omni.importer"].import_payments(self, payments)
        tender_of = {
            p.external_id: tender for p, (tender, __) in zip(payments, tenders, strict=True)
        }
        for record in records:
            record.write(
                {
                    "pos_location_id": location.id,
                    "pos_business_date": business_date,
                    "pos_tender": tender_of[record.external_id],
                    "pos_transaction_ref": transaction_ref,
                }
            )
        return records

    def _pos_refresh_days(self, location, business_date, currency_code):
        """Recompute the transactions side of the location's day, and of its store's day
        when the store reports a store-level Z."""
        if not location or not business_date:
            return
        StoreDay = self.env["omni.store.day"]
        currency = self.env["omni.importer"]._currency(currency_code)
        days = StoreDay._pos_get(self, location, business_date, currency)
        if location.parent_id:
            days |= StoreDay.search(
                [("location_id", "=", location.parent_id.id), ("business_date", "=", business_date)]
            )
        days._pos_recompute_transactions()

    def _pos_import_z(self, z_report, location, event):
        currency = self.env["omni.importer"]._currency(z_report.currency)
        day = self.env["omni.store.day"]._pos_get(self, location, z_report.business_date, currency)
        day._pos_apply_z(z_report, event)
        day._pos_recompute_transactions()
        return {"result_note": _("Store-day %(day)s: Z report recorded.", day=day.display_name)}

    # ------------------------------------------------------------------------------------
    # Sync jobs (the cron and the button only enqueue)
    # ------------------------------------------------------------------------------------

    @api.model
    def _cron_pos_pull(self):
        self.search([("channel", "=", "pos")])._pos_enqueue_sync()

    def _pos_enqueue_sync(self):
        """Enqueue the mirror (Odoo POS) or the REST pull (external) of each backend."""
        for backend in self:
            if backend.pos_source == "odoo" and backend.pos_config_ids:
                method, label = (
                    "_pos_mirror_odoo",
                    _("POS: mirror Odoo POS of %(backend)s", backend=backend.name),
                )
            elif backend.pos_source == "external" and backend.pos_api_url:
                method, label = (
                    "_pos_pull",
                    _("POS: pull records of %(backend)s", backend=backend.name),
                )
            else:
                continue
            getattr(backend._omni_delay(label), method)()

    def action_pos_sync_now(self):
        """Enqueue the pull / mirror now (the cron does it every few minutes)."""
        self._omni_check_manager()
        self._pos_enqueue_sync()
        return True
