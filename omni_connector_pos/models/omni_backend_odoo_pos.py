from datetime import timezone

from odoo import _, fields, models
from odoo.tools import float_repr

from ..const import ODOO_ORDER_TOPIC, ODOO_SESSION_TOPIC, ODOO_TENDERS
from ..tools.parser import parse_odoo_order, parse_odoo_session


def _iso(value):
    """An Odoo datetime (naive UTC) as the ISO 8601 string, with offset, of a snapshot."""
    return value.replace(tzinfo=timezone.utc).isoformat()


class OmniBackend(models.Model):
    """Odoo's own Point of Sale, mirrored and never booked a second time: paid, invoiced and
    refunded orders and closed sessions become snapshot events, processed into omni orders,
    payments and store-days beside the external feeds."""

    _inherit = "omni.backend"  # pylint: disable=consider-merging-classes-inherited

    def _pos_odoo_location(self, snap):
        warehouse = self.env["stock.warehouse"].browse(snap.get("warehouse_id") or [])
        return self._pos_location(
            snap["store_id"], snap.get("store_name", ""), snap["register_id"], warehouse.exists()
        )

    def _pos_mirror_order(self, snap, event=None):
        order, payments, tenders, products = parse_odoo_order(snap)
        location = self._pos_odoo_location(snap)
        partner = self.env["res.partner"].browse(snap.get("partner_id") or []).exists()
        omni_order = self.env["omni.importer"].import_booked_order(
            self, order, products, partner=partner
        )
        business_date = fields.Date.to_date(snap["business_date"])
        records = self._pos_import_tenders(
            payments, tenders, location, business_date, order.external_id
        )
        self._pos_refresh_days(location, business_date, order.currency)
        return {"omni_order_id": omni_order.id, "omni_payment_id": records[:1].id}

    def _pos_mirror_session(self, snap, event=None):
        """A closed session is the Z report of its register's business day."""
        return self._pos_import_z(parse_odoo_session(snap), self._pos_odoo_location(snap), event)

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
                "tender": ODOO_TENDERS.get(pay.payment_method_id.type, "other"),
                "processor": pay.payment_method_id.use_payment_terminal or "",
                "transaction_id": pay.transaction_id or "",
                "amount": self._pos_amount(pay.amount, currency),
                "date": _iso(pay.payment_date),
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
            "date_order": _iso(order.date_order),
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
            tender = ODOO_TENDERS.get(pay.payment_method_id.type, "other")
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
            "closed_at": _iso(session.stop_at or session.write_date),
            "order_count": len(session.order_ids),
            "tenders": [
                {"tender": tender, "amount": self._pos_amount(amount, currency), "count": count}
                for tender, (amount, count) in sorted(tenders.items())
            ],
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
        # Keyed on the record and its content: a re-run mirrors nothing twice, a changed
        # order (a refund, an invoice) is a new event.
        vals_list = [
            self._omni_event_vals(ODOO_ORDER_TOPIC, self._pos_odoo_order_snapshot(o), str(o.id))
            for o in orders
        ] + [
            self._omni_event_vals(ODOO_SESSION_TOPIC, self._pos_odoo_session_snapshot(s), str(s.id))
            for s in sessions
        ]
        new_events, __ = self.env["omni.event"]._receive(self, vals_list, source="poll")
        new_events._enqueue()
        stamps = orders.mapped("write_date") + sessions.mapped("write_date")
        stream._mark_success(max(stamps) if stamps else None)
        return _("%(count)s new event(s)", count=len(new_events))
