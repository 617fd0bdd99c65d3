import hashlib
import hmac
import json
from datetime import timezone

from odoo import _, api, fields, models
from odoo.tools import float_repr

from odoo.addons.queue_job.exception import RetryableJobError

from odoo.addons.omni_connector_base.models.omni_backend import MANAGER_GROUP
from odoo.addons.omni_connector_base.tools.errors import (
    MappingError,
    PayloadError,
    SignatureError,
)

from ..tools import contract
from ..tools.adapter import PosAdapter
from ..tools.parser import (
    as_refund,
    parse_datetime,
    parse_odoo_order,
    parse_odoo_session,
    parse_transaction,
    parse_z_report,
    return_hints,
    with_order_ref,
)

SIGNATURE_HEADER = "X-Pos-Signature"
PULL_CHUNK = 50  # events stored per chunk while pulling
WAIT_FOR_ORIGINAL = 120  # seconds before a void / return looks again for its original sale
# Odoo POS payment method type -> canonical tender.
_ODOO_TENDERS = {"cash": "cash", "bank": "card", "pay_later": "store_credit"}


def _naive_utc(value):
    return value.astimezone(timezone.utc).replace(tzinfo=None) if value else False


class OmniBackend(models.Model):
    """A store chain as an Omni backend: Odoo's own Point of Sale (mirrored, never booked a
    second time) or an external till system feeding contract v1 by webhook, file or REST."""

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
                    "name": _("Walk-in customer (%s)", backend.name),
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

    def _omni_test_connection(self):
        if self.channel != "pos":
            return super()._omni_test_connection()
        if self.pos_source == "odoo":
            if not self.pos_config_ids:
                raise MappingError(_("Choose the Odoo POS registers to mirror."), "pos.config")
            return _("Mirroring %s Odoo POS register(s).", len(self.pos_config_ids))
        if not self.pos_api_url:
            if not self._omni_webhook_secret():
                raise MappingError(
                    _("Set a webhook secret (push) or a POS API URL (pull)."), "config"
                )
            return _("Ready for signed webhooks and file imports (no REST pull configured).")
        self._pos_adapter().health()
        return _("Connected to the POS API at %s.", self.pos_api_url)

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
            raise PayloadError(f"POS webhook body is not JSON: {err}") from None
        return self._pos_event_vals(contract.split(document))

    def _pos_event_vals(self, records):
        """Event values of contract records, whichever way they came in: the same record
        gives the same idempotency key (its transaction / Z id), so a transaction received
        by webhook, file and pull is stored once."""
        Event = self.env["omni.event"]
        vals_list = []
        for record in records:
            topic, external_id = contract.record_key(record)
            payload = json.dumps(record, sort_keys=True)
            vals_list.append(
                {
                    "topic": topic,
                    "external_id": external_id,
                    "idempotency_key": Event._idempotency_key(
                        self, topic, external_id or None, payload
                    ),
                    "payload": payload,
                }
            )
        return vals_list

    # ------------------------------------------------------------------------------------
    # Processing
    # ------------------------------------------------------------------------------------

    def _omni_process_event(self, event):
        if self.channel != "pos":
            return super()._omni_process_event(event)
        data = event._payload_json()
        if event.topic == "pos.transaction":
            return self._pos_import_transaction(data, event)
        if event.topic == "pos.z_report":
            z_report = parse_z_report(data)
            location = self._pos_location(
                z_report.store_id, z_report.store_name, z_report.register_id
            )
            return self._pos_import_z(z_report, location, event)
        if event.topic == "pos.odoo_order":
            return self._pos_mirror_order(data)
        if event.topic == "pos.odoo_session":
            z_report = parse_odoo_session(data)
            location = self._pos_odoo_location(data)
            return self._pos_import_z(z_report, location, event)
        if event.topic == "pos.file_rows":
            raise PayloadError(data.get("error") or _("Rejected rows of a file import."))
        # pos.invalid: say what is wrong with it
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
        Order = self.env["omni.order"]
        if txn.kind == "void":
            return self._pos_void(txn)
        original = txn.original_transaction_id and Order.search(
            [("backend_id", "=", self.id), ("external_id", "=", txn.original_transaction_id)]
        )
        if txn.kind == "return" and txn.original_transaction_id and not original:
            # Feeds arrive out of order: wait for the receipt a few times, then (last attempt)
            # import the return on its own rather than lose it.
            if event and event.attempts + 2 < self.max_attempts:
                raise RetryableJobError(
                    f"return {txn.transaction_id}: original receipt "
                    f"{txn.original_transaction_id} not received yet",
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
                    "Original receipt %s was never received: imported as a return order.",
                    txn.original_transaction_id,
                )
            elif txn.kind == "return" and original:
                note = _(
                    "The returned lines do not match receipt %s: imported as a return order.",
                    txn.original_transaction_id,
                )
            links = dict(importer.import_order(self, txn.order))
            payments = txn.payments
        records = importer.import_payments(self, payments) if payments else self.env["omni.payment"]
        # Payments and tenders come from the same tender rows, in the same order.
        tender_of = {
            p.external_id: tender for p, (tender, __) in zip(payments, txn.tenders, strict=True)
        }
        for record in records:
            record.write(
                {
                    "pos_location_id": location.id,
                    "pos_business_date": txn.business_date,
                    "pos_tender": tender_of[record.external_id],
                    "pos_transaction_ref": txn.transaction_id,
                }
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
        original = self.env["omni.order"].search(
            [("backend_id", "=", self.id), ("external_id", "=", txn.original_transaction_id)]
        )
        if not original:
            # Out of order (or never sent): retried, and dead-lettered if it never comes.
            raise RetryableJobError(
                f"void {txn.transaction_id}: transaction {txn.original_transaction_id} "
                "not received yet",
                seconds=WAIT_FOR_ORIGINAL,
            )
        if original.cancelled_at:
            return {"omni_order_id": original.id, "result_note": _("Already voided.")}
        importer._plan_action(original, "cancel")  # its sale order may be made at the flush
        original.write(
            {
                "cancelled_at": _naive_utc(txn.created_at),
                "cancel_reason": _("voided by %s", txn.transaction_id),
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
        return {"result_note": _("Store-day %s: Z report recorded.", day.display_name)}

    # ------------------------------------------------------------------------------------
    # Odoo's own Point of Sale: mirror, never book again
    # ------------------------------------------------------------------------------------

    def _pos_odoo_location(self, snap):
        warehouse = self.env["stock.warehouse"].browse(snap.get("warehouse_id") or [])
        return self._pos_location(
            snap["store_id"], snap.get("store_name", ""), snap["register_id"], warehouse.exists()
        )

    def _pos_mirror_order(self, snap):
        order, payments, tenders, products = parse_odoo_order(snap)
        location = self._pos_odoo_location(snap)
        partner = self.env["res.partner"].browse(snap.get("partner_id") or []).exists()
        importer = self.env["omni.importer"]
        omni_order = importer.import_booked_order(self, order, products, partner=partner)
        business_date = fields.Date.to_date(snap["business_date"])
        records = importer.import_payments(self, payments) if payments else self.env["omni.payment"]
        tender_of = {
            p.external_id: tender for p, (tender, __) in zip(payments, tenders, strict=True)
        }
        for record in records:
            record.write(
                {
                    "pos_location_id": location.id,
                    "pos_business_date": business_date,
                    "pos_tender": tender_of[record.external_id],
                    "pos_transaction_ref": order.external_id,
                }
            )
        self._pos_refresh_days(location, business_date, order.currency)
        return {"omni_order_id": omni_order.id, "omni_payment_id": records[:1].id}

    def _pos_odoo_common(self, session):
        config = session.config_id
        warehouse = config.picking_type_id.warehouse_id
        return {
            "register_id": f"pos.config/{config.id}",
            "store_id": f"stock.warehouse/{warehouse.id}"
            if warehouse
            else f"pos.config/{config.id}/store",
            "store_name": warehouse.name or config.name,
            "warehouse_id": warehouse.id or False,
            # The session is the business day (it may run past midnight).
            "business_date": fields.Date.to_string(session.start_at.date()),
            "currency": session.currency_id.name,
        }

    def _pos_amount(self, amount, currency):
        return float_repr(currency.round(amount), currency.decimal_places)

    def _pos_odoo_order_snapshot(self, order):
        currency = order.currency_id
        lines = []
        for line in order.lines:
            gross = line.qty * line.price_unit
            lines.append(
                {
                    "id": line.id,
                    "product_id": line.product_id.id,
                    "sku": line.product_id.default_code or "",
                    "barcode": line.product_id.barcode or "",
                    "name": line.full_product_name or line.product_id.display_name,
                    "qty": float_repr(line.qty, 4),
                    "price_unit": self._pos_amount(line.price_unit, currency),
                    "discount_amount": self._pos_amount(gross * line.discount / 100, currency),
                }
            )
        payments = [
            {
                "id": pay.id,
                "method": pay.payment_method_id.name,
                "tender": _ODOO_TENDERS.get(pay.payment_method_id.type, "other"),
                "processor": pay.payment_method_id.use_payment_terminal or "",
                "transaction_id": pay.transaction_id or "",
                "amount": self._pos_amount(pay.amount, currency),
                "date": pay.payment_date.replace(tzinfo=timezone.utc).isoformat(),
            }
            for pay in order.payment_ids
        ]
        return {
            **self._pos_odoo_common(order.session_id),
            "id": order.id,
            "name": order.name,
            "pos_reference": order.pos_reference or "",
            # paid and done (after the session closed) are the same fact for the mirror
            "invoiced": order.state == "invoiced",
            "date_order": order.date_order.replace(tzinfo=timezone.utc).isoformat(),
            "partner_id": order.partner_id.id or False,
            "amount_total": self._pos_amount(order.amount_total, currency),
            "amount_tax": self._pos_amount(order.amount_tax, currency),
            "refunded_order_ids": order.refunded_order_ids.ids,
            "lines": lines,
            "payments": payments,
        }

    def _pos_odoo_session_snapshot(self, session):
        currency = session.currency_id
        tenders = {}
        for pay in session.order_ids.filtered(
            lambda o: o.state in ("paid", "done", "invoiced")
        ).payment_ids:
            tender = _ODOO_TENDERS.get(pay.payment_method_id.type, "other")
            amount, count = tenders.get(tender, (0.0, 0))
            tenders[tender] = (amount + pay.amount, count + 1)
        if session.cash_control:
            # Counted cash beside what the session expected: the difference is the gap.
            amount, count = tenders.get("cash", (0.0, 0))
            tenders["cash"] = (amount + session.cash_register_difference, count)
        return {
            **self._pos_odoo_common(session),
            "id": session.id,
            "name": session.name,
            "closed_at": (session.stop_at or session.write_date)
            .replace(tzinfo=timezone.utc)
            .isoformat(),
            "order_count": len(session.order_ids),
            "tenders": [
                {"tender": tender, "amount": self._pos_amount(amount, currency), "count": count}
                for tender, (amount, count) in sorted(tenders.items())
            ],
        }

    def _pos_snapshot_vals(self, topic, record_id, snapshot):
        payload = json.dumps(snapshot, sort_keys=True)
        # Same record, same content -> same event: re-runs mirror nothing twice.
        digest = hashlib.sha256(payload.encode()).hexdigest()[:16]
        return {
            "topic": topic,
            "external_id": str(record_id),
            "idempotency_key": self.env["omni.event"]._idempotency_key(
                self, topic, f"{record_id}:{digest}"
            ),
            "payload": payload,
        }

    def _pos_mirror_odoo(self):
        """Job: paid / invoiced / refunded orders and closed sessions of the mirrored
        registers changed since the watermark (with overlap) become events."""
        self.ensure_one()
        stream = self._stream("odoo_pos")
        since = self._poll_window_start("odoo_pos")
        domain = [("config_id", "in", self.pos_config_ids.ids)]
        if since:
            domain.append(("write_date", ">=", since))
        orders = self.env["pos.order"].search(
            domain + [("state", "in", ("paid", "done", "invoiced"))], order="write_date, id"
        )
        sessions = self.env["pos.session"].search(
            domain + [("state", "=", "closed")], order="write_date, id"
        )
        vals_list = [
            self._pos_snapshot_vals("pos.odoo_order", o.id, self._pos_odoo_order_snapshot(o))
            for o in orders
        ] + [
            self._pos_snapshot_vals("pos.odoo_session", s.id, self._pos_odoo_session_snapshot(s))
            for s in sessions
        ]
        new_events, __ = self.env["omni.event"]._receive(self, vals_list, source="poll")
        new_events._enqueue()
        stamps = orders.mapped("write_date") + sessions.mapped("write_date")
        stream._mark_success(max(stamps) if stamps else None)
        return _("%s new event(s)", len(new_events))

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
                stamp = isinstance(record, dict) and (
                    record.get("created_at") or record.get("closed_at")
                )
                try:
                    moment = _naive_utc(parse_datetime(stamp)) if stamp else None
                except PayloadError:
                    moment = None  # its event fails visibly; the watermark ignores it
                if moment and (newest is None or moment > newest):
                    newest = moment
        stream._mark_success(newest)
        return _("%s new event(s)", len(new_events))

    @api.model
    def _cron_pos_pull(self):
        self.search([("channel", "=", "pos")])._pos_enqueue_sync()

    def _pos_enqueue_sync(self):
        """Enqueue the mirror (Odoo POS) or the REST pull (external) of each backend."""
        for backend in self:
            if backend.pos_source == "odoo" and backend.pos_config_ids:
                method, label = "_pos_mirror_odoo", _("POS: mirror Odoo POS of %s", backend.name)
            elif backend.pos_source == "external" and backend.pos_api_url:
                method, label = "_pos_pull", _("POS: pull records of %s", backend.name)
            else:
                continue
            job = backend._omni_delay(
                label,
            )
            getattr(job, method)()

    def action_pos_sync_now(self):
        """Enqueue the pull / mirror now (the cron does it every few minutes)."""
        self._pos_enqueue_sync()
        return True
