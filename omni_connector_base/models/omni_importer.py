"""The one importer shared by every channel: canonical objects -> Odoo documents.

Parsers never write Odoo documents; they produce ``tools.canonical`` objects and call this
model. Everything here runs inside the caller's savepoint (one per event), so a mapping or
currency error leaves nothing half-written.
"""

import hashlib
import logging
import re
from datetime import timezone

from odoo import _, api, fields, models
from odoo.tools import float_compare, float_is_zero

from odoo.addons.queue_job.exception import RetryableJobError

from ..tools.errors import CurrencyError, MappingError

_logger = logging.getLogger(__name__)

_ACTION_RANK = {"none": 0, "confirm": 1, "lock": 2, "deliver": 3, "cancel": 4}


def normalize_email(email):
    return (email or "").strip().lower()


def normalize_phone(phone):
    """Digits only, international prefix 00 folded into +: '+33 6-12' == '0033612'."""
    digits = re.sub(r"\D", "", phone or "")
    if (phone or "").strip().startswith("00"):
        digits = digits[2:]
    return digits


def _naive(value):
    """Odoo stores naive UTC datetimes; channel ones may carry any offset."""
    if not value:
        return False
    if value.tzinfo:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def canonical_digest(obj):
    # Frozen dataclasses of str/Decimal/datetime/tuples have a stable repr.
    return hashlib.sha256(repr(obj).encode()).hexdigest()


class OmniImporter(models.AbstractModel):
    _name = "omni.importer"
    _description = "Omnichannel Importer (canonical -> Odoo)"

    # ------------------------------------------------------------------------------------
    # Orders
    # ------------------------------------------------------------------------------------

    @api.model
    def import_order(self, backend, order):
        """Create or update the sale order of a canonical order; returns the links to put on
        the event. Idempotent: importing the same order again changes nothing; an order older
        than the stored one is refused as stale."""
        self._lock(backend, "order", order.external_id)
        omni_order = self.env["omni.order"].search(
            [("backend_id", "=", backend.id), ("external_id", "=", order.external_id)]
        )
        links = {"omni_order_id": omni_order.id}
        if (
            omni_order.channel_updated_at
            and _naive(order.updated_at) < omni_order.channel_updated_at
        ):
            links["result_note"] = _(
                "Stale: the channel sent version %(old)s, version %(new)s is already stored.",
                old=order.updated_at,
                new=omni_order.channel_updated_at,
            )
            return links
        digest = canonical_digest(order)
        if omni_order and omni_order.content_digest == digest:
            links["result_note"] = _("Unchanged: this version is already applied.")
            return links

        currency = self._currency(order.currency)
        if not omni_order:
            omni_order = self._create_order(backend, order, currency)
        else:
            self._update_order(backend, omni_order, order)
        omni_order.content_digest = digest
        self._apply_status(backend, omni_order, order)
        for refund in order.refunds:
            self.import_refund(backend, refund, omni_order=omni_order)
        if order.payments:
            self.import_payments(backend, order.payments)
        return {"omni_order_id": omni_order.id}

    def _create_order(self, backend, order, currency):
        partner = self._match_partner(backend, order.customer)
        products = self._match_products(backend, order.lines)
        pricelist = self._pricelist(backend, currency)
        order_lines, omni_lines = [], []  # order_lines: (vals, index in omni_lines or None)
        for line in order.lines:
            product = products[line]
            taxes = self._map_taxes(backend, line, order.taxes_included)
            line_vals = {
                "product_id": product.id,
                "name": line.name or product.display_name,
                "product_uom_qty": float(line.quantity),
                "price_unit": float(line.price_unit),
                "tax_id": [fields.Command.set(taxes.ids)],
            }
            discount_line = self._apply_discount(backend, line, line_vals, currency, taxes)
            order_lines.append((line_vals, len(omni_lines)))
            omni_lines.append(
                {
                    "external_id": line.external_id,
                    "name": line.name,
                    "line_type": line.line_type,
                    "sku": line.sku,
                    "product_id": product.id,
                    "quantity": float(line.quantity),
                    "price_unit": float(line.price_unit),
                    "discount_amount": float(line.discount_amount),
                    "tax_amount": float(sum(t.amount for t in line.taxes)),
                }
            )
            if discount_line:
                order_lines.append((discount_line, None))
        shipping_partner = self._shipping_partner(partner, order.customer)
        location = self.env["omni.location"]._find(backend, order.location_external_id)
        warehouse = location and location._effective_warehouse() or backend.warehouse_id
        sale_order = (
            self.env["sale.order"]
            .with_company(backend.company_id)
            .create(
                {
                    "partner_id": partner.id,
                    "partner_shipping_id": shipping_partner.id,
                    "company_id": backend.company_id.id,
                    "pricelist_id": pricelist.id,
                    "warehouse_id": warehouse.id or False,
                    "analytic_account_id": (
                        location.analytic_account_id or location.parent_id.analytic_account_id
                    ).id
                    or False,
                    "team_id": backend.team_id.id or False,
                    "client_order_ref": order.name,
                    "origin": f"{backend.channel} {order.name}",
                    "date_order": _naive(order.created_at) or fields.Datetime.now(),
                    "omni_backend_id": backend.id,
                    "omni_external_ref": order.external_id,
                    "note": order.note or False,
                    "order_line": [fields.Command.create(vals) for vals, __ in order_lines],
                }
            )
        )
        self._check_currency(sale_order, currency)
        # Sale lines come back in creation order (sequence, id).
        for (__, index), sale_line in zip(order_lines, sale_order.order_line, strict=True):
            if index is not None:
                omni_lines[index]["sale_line_id"] = sale_line.id
        omni_order = self.env["omni.order"].create(
            {
                **self._omni_order_vals(backend, order, currency),
                "external_id": order.external_id,
                "partner_id": partner.id,
                "sale_order_id": sale_order.id,
                "line_ids": [fields.Command.create(vals) for vals in omni_lines],
            }
        )
        binding = self.env["omni.external.id"]
        binding._bind(backend, "order", order.external_id, sale_order)
        return omni_order

    def _update_order(self, backend, omni_order, order):
        omni_order.write(self._omni_order_vals(backend, order, omni_order.currency_id))

    def _omni_order_vals(self, backend, order, currency):
        presentment = (
            self._currency(order.presentment_currency) if order.presentment_currency else currency
        )
        return {
            "backend_id": backend.id,
            "name": order.name,
            "currency_id": currency.id,
            "presentment_currency_id": presentment.id,
            "amount_total": float(order.amount_total),
            "amount_tax": float(order.amount_tax),
            "amount_discount": float(order.amount_discount),
            "amount_total_presentment": float(
                order.amount_total
                if order.amount_total_presentment is None
                else order.amount_total_presentment
            ),
            "taxes_included": order.taxes_included,
            "financial_status": order.financial_status,
            "fulfillment_status": order.fulfillment_status,
            "cancelled_at": _naive(order.cancelled_at),
            "cancel_reason": order.cancel_reason,
            "channel_created_at": _naive(order.created_at),
            "channel_updated_at": _naive(order.updated_at),
            "location_external_id": order.location_external_id,
        }

    def _apply_discount(self, backend, line, line_vals, currency, taxes):
        """A line discount as Odoo's percentage when that is exact to the cent, otherwise as
        a separate negative line with the same taxes (so totals stay exact)."""
        if not line.discount_amount:
            return None
        gross = line.quantity * line.price_unit
        if gross:
            pct = round(line.discount_amount / gross * 100, 2)
            net = float(gross) * (1 - float(pct) / 100)
            if (
                float_compare(
                    net, float(gross - line.discount_amount), precision_rounding=currency.rounding
                )
                == 0
            ):
                line_vals["discount"] = float(pct)
                return None
        if not backend.discount_product_id:
            raise MappingError(_("Backend %s has no discount product.", backend.name), "product")
        return {
            "product_id": backend.discount_product_id.id,
            "name": _("Discount on %s", line.name),
            "product_uom_qty": 1.0,
            "price_unit": -float(line.discount_amount),
            "tax_id": [fields.Command.set(taxes.ids)],
        }

    # ------------------------------------------------------------------------------------
    # Status map actions
    # ------------------------------------------------------------------------------------

    def _apply_status(self, backend, omni_order, order):
        status_map = self.env["omni.status.map"]
        rows = status_map.browse()
        for kind, state in (
            ("financial", order.financial_status),
            ("fulfillment", order.fulfillment_status),
            ("cancel", "cancelled" if order.cancelled_at else ""),
        ):
            if not state:
                continue
            row = status_map._resolve(backend, kind, state)
            if not row:
                raise MappingError(
                    _(
                        "The %(kind)s status %(state)r of %(channel)s has no status mapping; add "
                        "it to the backend's status map.",
                        kind=kind,
                        state=state,
                        channel=backend.channel,
                    ),
                    "status",
                    state,
                )
            rows |= row
        financial = rows.filtered(lambda r: r.kind == "financial")[:1]
        fulfillment = rows.filtered(lambda r: r.kind == "fulfillment")[:1]
        omni_order.write(
            {
                "financial_state": financial.canonical_state or False,
                "fulfillment_state": fulfillment.canonical_state or False,
            }
        )
        action = max(rows.mapped("action") or ["none"], key=_ACTION_RANK.__getitem__)
        self._run_action(omni_order.sale_order_id, action)

    def _run_action(self, sale_order, action):
        if not sale_order or action == "none":
            return
        if action == "cancel":
            if sale_order.state != "cancel":
                sale_order._action_cancel()
            return
        if sale_order.state in ("draft", "sent"):
            sale_order.action_confirm()
            sale_order.order_line.move_ids.write(
                {
                    "omni_backend_id": sale_order.omni_backend_id.id,
                    "omni_external_ref": sale_order.omni_external_ref,
                }
            )
        if action == "lock" and not sale_order.locked:
            sale_order.action_lock()
        if action == "deliver":
            self._deliver(sale_order)

    def _deliver(self, sale_order):
        pickings = sale_order.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel") and p.picking_type_code == "outgoing"
        )
        for move in pickings.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        if pickings:
            pickings.with_context(
                skip_backorder=True, skip_sms=True, skip_immediate=True
            ).button_validate()

    # ------------------------------------------------------------------------------------
    # Refunds -> credit notes and returns
    # ------------------------------------------------------------------------------------

    @api.model
    def import_refund(self, backend, refund, omni_order=None):
        """Book a channel refund once: a posted credit note for the refunded lines, shipping
        and adjustments, and a validated return for the lines the channel restocked."""
        omni_order = omni_order or self.env["omni.order"].search(
            [("backend_id", "=", backend.id), ("external_id", "=", refund.order_external_id)]
        )
        if not omni_order:
            raise MappingError(
                _(
                    "Refund %(refund)s is for order %(order)s, which was never imported.",
                    refund=refund.external_id,
                    order=refund.order_external_id,
                ),
                "order",
                refund.order_external_id,
            )
        booked = set(filter(None, (omni_order.refunded_external_ids or "").split(",")))
        if refund.external_id in booked:
            return omni_order
        sale_order = omni_order.sale_order_id
        if refund.currency and refund.currency != omni_order.currency_id.name:
            raise CurrencyError(
                _(
                    "Refund %(refund)s is in %(refund_cur)s but order %(order)s is in %(cur)s.",
                    refund=refund.external_id,
                    refund_cur=refund.currency,
                    order=omni_order.name,
                    cur=omni_order.currency_id.name,
                )
            )
        lines_by_ext = {line.external_id: line for line in omni_order.line_ids}
        invoice_lines, restock = [], []
        for refund_line in refund.lines:
            omni_line = lines_by_ext.get(refund_line.order_line_external_id)
            if not omni_line or not omni_line.sale_line_id:
                raise MappingError(
                    _(
                        "Refund %(refund)s names line %(line)s, not in order %(order)s.",
                        refund=refund.external_id,
                        line=refund_line.order_line_external_id,
                        order=omni_order.name,
                    ),
                    "order_line",
                )
            sale_line = omni_line.sale_line_id
            invoice_lines.append(
                {
                    "product_id": sale_line.product_id.id,
                    "name": sale_line.name,
                    "quantity": float(refund_line.quantity),
                    "price_unit": sale_line.price_unit,
                    "discount": sale_line.discount,
                    "tax_ids": [fields.Command.set(sale_line.tax_id.ids)],
                    "sale_line_ids": [fields.Command.link(sale_line.id)],
                }
            )
            omni_line.quantity_refunded += float(refund_line.quantity)
            if refund_line.restock:
                restock.append((sale_line, refund_line.quantity))
        for product, amount, label in (
            (backend.shipping_product_id, refund.shipping_amount, _("Shipping refund")),
            (backend.adjustment_product_id, refund.adjustment_amount, _("Refund adjustment")),
        ):
            if amount:
                invoice_lines.append(
                    {
                        "product_id": product.id,
                        "name": label,
                        "quantity": 1.0,
                        "price_unit": float(amount),
                        "tax_ids": [fields.Command.clear()],
                    }
                )
        if invoice_lines:
            credit_note = (
                self.env["account.move"]
                .with_company(backend.company_id)
                .create(
                    {
                        "move_type": "out_refund",
                        "partner_id": sale_order.partner_invoice_id.id,
                        "currency_id": omni_order.currency_id.id,
                        "invoice_origin": sale_order.name,
                        "ref": _(
                            "%(channel)s refund %(refund)s",
                            channel=backend.channel,
                            refund=refund.external_id,
                        ),
                        "invoice_date": (refund.created_at or fields.Datetime.now()).date(),
                        "omni_backend_id": backend.id,
                        "omni_external_ref": refund.external_id,
                        "invoice_line_ids": [fields.Command.create(vals) for vals in invoice_lines],
                    }
                )
            )
            credit_note.action_post()
            omni_order.credit_note_ids = [fields.Command.link(credit_note.id)]
        if restock:
            self._return_goods(sale_order, restock, refund.external_id)
        booked.add(refund.external_id)
        omni_order.write(
            {
                "refunded_external_ids": ",".join(sorted(booked)),
                "amount_refunded": omni_order.amount_refunded + float(refund.amount),
            }
        )
        return omni_order

    def _return_goods(self, sale_order, restock, refund_ref):
        """Validated return of restocked quantities against the done deliveries."""
        delivered = sale_order.picking_ids.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing"
        )
        if not delivered:
            return  # nothing left the warehouse: the quantities are simply not delivered
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=delivered[0].id, active_model="stock.picking")
            .create({})
        )
        wanted = {sale_line.id: float(qty) for sale_line, qty in restock}
        for return_line in wizard.product_return_moves:
            sale_line = return_line.move_id.sale_line_id
            return_line.quantity = wanted.pop(sale_line.id, 0.0)
            return_line.to_refund = True
        return_id, __ = wizard._create_returns()
        return_picking = self.env["stock.picking"].browse(return_id)
        return_picking.origin = f"{sale_order.name} {refund_ref}"
        for move in return_picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
            move.omni_backend_id = sale_order.omni_backend_id
            move.omni_external_ref = refund_ref
        return_picking.move_ids.filtered(
            lambda m: float_is_zero(m.product_uom_qty, precision_rounding=m.product_uom.rounding)
        ).unlink()
        return_picking.with_context(skip_backorder=True, skip_sms=True).button_validate()

    # ------------------------------------------------------------------------------------
    # Payments and payouts
    # ------------------------------------------------------------------------------------

    @api.model
    def import_payments(self, backend, payments, payout=None):
        """Upsert processor movements by (backend, external id) and link them to their order
        and payout when those are known."""
        Payment = self.env["omni.payment"]
        existing = {
            p.external_id: p
            for p in Payment.search(
                [
                    ("backend_id", "=", backend.id),
                    ("external_id", "in", [p.external_id for p in payments]),
                ]
            )
        }
        order_of = self._payment_order_matcher(backend, payments)
        result = Payment.browse()
        create_vals = []
        for payment in payments:
            digest = canonical_digest(payment)
            record = existing.get(payment.external_id)
            if record and record.content_digest == digest:
                # Unchanged at the processor; only links may be new (its order or its payout
                # arrived since).
                links = {}
                if not record.order_id and order_of(payment):
                    links["order_id"] = order_of(payment).id
                if payout and record.payout_id != payout:
                    links.update(payout_id=payout.id, payout_external_ref=payout.external_id)
                if links:
                    record.write(links)
                result |= record
                continue
            currency = self._currency(payment.currency)
            vals = {
                "backend_id": backend.id,
                "external_id": payment.external_id,
                "payment_type": payment.payment_type,
                "status": payment.status,
                "currency_id": currency.id,
                "amount": float(payment.amount),
                "fee_amount": float(payment.fee),
                "net_amount": float(
                    payment.amount - payment.fee if payment.net is None else payment.net
                ),
                "exchange_rate": float(payment.exchange_rate or 0),
                "processor": payment.processor,
                "processor_reference": payment.processor_reference,
                "order_external_ref": payment.order_external_id,
                "order_id": order_of(payment).id,
                "payout_external_ref": payment.payout_external_id
                or (payout and payout.external_id),
                "payout_id": payout.id if payout else False,
                "channel_created_at": _naive(payment.created_at),
                "available_on": _naive(payment.available_on),
                "description": payment.description,
                "content_digest": digest,
            }
            if not payout:  # seen outside a payout: never unlink the payout it belongs to
                vals.pop("payout_id")
                if not payment.payout_external_id:
                    vals.pop("payout_external_ref")
            if record:
                record.write(vals)
                result |= record
            else:
                create_vals.append(vals)
        return result | Payment.create(create_vals)

    def _payment_order_matcher(self, backend, payments):
        """How a processor movement finds its channel order, in one query each:
        the order id or name it carries (metadata), else another channel's record of the same
        processor transaction (a Shopify transaction carrying the Stripe charge id)."""
        Order = self.env["omni.order"]
        refs = list({p.order_external_id for p in payments if p.order_external_id})
        by_ref = {}
        if refs:
            for order in Order.search(
                [
                    ("company_id", "=", backend.company_id.id),
                    "|",
                    ("external_id", "in", refs),
                    ("name", "in", refs),
                ],
                order="id",
            ):
                by_ref.setdefault(order.external_id, order)
                by_ref.setdefault(order.name, order)
        processor_refs = list({p.processor_reference for p in payments if p.processor_reference})
        by_processor_ref = {}
        if processor_refs:
            for known in self.env["omni.payment"].search(
                [
                    ("company_id", "=", backend.company_id.id),
                    ("processor_reference", "in", processor_refs),
                    ("order_id", "!=", False),
                ]
            ):
                by_processor_ref.setdefault(known.processor_reference, known.order_id)

        def order_of(payment):
            return (
                by_ref.get(payment.order_external_id)
                or by_processor_ref.get(payment.processor_reference)
                or Order
            )

        return order_of

    @api.model
    def import_payout(self, backend, payout):
        self._lock(backend, "payout", payout.external_id)
        currency = self._currency(payout.currency)
        vals = {
            "backend_id": backend.id,
            "external_id": payout.external_id,
            "currency_id": currency.id,
            "amount": float(payout.amount),
            "fee_amount": float(payout.fee),
            "status": payout.status,
            "channel_created_at": _naive(payout.created_at),
            "arrival_date": _naive(payout.arrival_date),
            "trace": payout.trace,
        }
        record = self.env["omni.payout"].search(
            [("backend_id", "=", backend.id), ("external_id", "=", payout.external_id)]
        )
        if record:
            record.write(vals)
        else:
            record = self.env["omni.payout"].create(vals)
        if payout.payments:
            self.import_payments(backend, payout.payments, payout=record)
        return record

    # ------------------------------------------------------------------------------------
    # Master data governance
    # ------------------------------------------------------------------------------------

    def _match_partner(self, backend, customer):
        """mapping -> normalized email -> normalized phone -> create if allowed -> error."""
        if not customer or not (customer.external_id or customer.email or customer.phone):
            if backend.default_partner_id:
                return backend.default_partner_id
            raise MappingError(
                _(
                    "The order has no customer and backend %s has no walk-in customer.",
                    backend.name,
                ),
                "customer",
            )
        Binding = self.env["omni.external.id"]
        partner = Binding._lookup(backend, "customer", [customer.external_id]).get(
            customer.external_id
        )
        if partner and partner.exists():
            return partner
        company_domain = [("company_id", "in", [False, backend.company_id.id])]
        Partner = self.env["res.partner"].with_context(active_test=False)
        partner = Partner.browse()
        email = normalize_email(customer.email)
        if email:
            partner = Partner.search(
                company_domain + [("email_normalized", "=", email)], order="id", limit=1
            )
        phone = normalize_phone(customer.phone)
        if not partner and len(phone) >= 6:
            self.env["res.partner"].flush_model(["phone", "mobile", "company_id"])
            self.env.cr.execute(
                """
                SELECT id FROM res_partner
                 WHERE (company_id IS NULL OR company_id = %s)
                   AND %s IN (regexp_replace(regexp_replace(coalesce(phone, ''), '^\\s*00', ''),
                                             '\\D', '', 'g'),
                              regexp_replace(regexp_replace(coalesce(mobile, ''), '^\\s*00', ''),
                                             '\\D', '', 'g'))
              ORDER BY id LIMIT 1
                """,
                [backend.company_id.id, phone],
            )
            row = self.env.cr.fetchone()
            partner = Partner.browse(row[0]) if row else partner
        if not partner:
            if not backend.create_customers:
                raise MappingError(
                    _(
                        "Customer %(ref)s (%(email)s) matches no contact and backend %(backend)s "
                        "may not create customers.",
                        ref=customer.external_id,
                        email=customer.email or customer.phone or "-",
                        backend=backend.name,
                    ),
                    "customer",
                    customer.external_id,
                )
            partner = self.env["res.partner"].create(self._partner_vals(customer))
        Binding._bind(backend, "customer", customer.external_id, partner)
        return partner

    def _partner_vals(self, customer):
        vals = {
            "name": customer.name or customer.email or customer.phone,
            "email": customer.email or False,
            "phone": customer.phone or False,
            "customer_rank": 1,
        }
        if customer.billing_address:
            vals.update(self._address_vals(customer.billing_address))
            vals["name"] = customer.name or customer.billing_address.name or vals["name"]
        return vals

    def _address_vals(self, address):
        country = (
            self.env["res.country"].search(
                [("code", "=", (address.country_code or "").upper())], limit=1
            )
            if address.country_code
            else self.env["res.country"]
        )
        state = (
            self.env["res.country.state"].search(
                [("country_id", "=", country.id), ("code", "=", address.state_code)], limit=1
            )
            if country and address.state_code
            else self.env["res.country.state"]
        )
        return {
            "street": address.street or False,
            "street2": address.street2 or False,
            "city": address.city or False,
            "zip": address.zip or False,
            "country_id": country.id or False,
            "state_id": state.id or False,
        }

    def _shipping_partner(self, partner, customer):
        address = customer and customer.shipping_address
        if not address or address == customer.billing_address:
            return partner
        vals = self._address_vals(address)
        existing = partner.child_ids.filtered(
            lambda c: (
                c.type == "delivery"
                and (c.street or False, c.zip or False, c.city or False)
                == (vals["street"], vals["zip"], vals["city"])
            )
        )[:1]
        return existing or self.env["res.partner"].create(
            {
                **vals,
                "parent_id": partner.id,
                "type": "delivery",
                "name": address.name or partner.name,
                "phone": address.phone or False,
            }
        )

    def _match_products(self, backend, lines):
        """{line: product}; mapping -> SKU -> barcode -> create if allowed. Every unknown or
        ambiguous product is named in one MappingError."""
        service_products = {
            "shipping": backend.shipping_product_id,
            "tip": backend.adjustment_product_id,
            "duty": backend.adjustment_product_id,
            "adjustment": backend.adjustment_product_id,
        }
        product_lines = [line for line in lines if line.line_type == "product"]
        Binding = self.env["omni.external.id"]
        bound = Binding._lookup(
            backend,
            "product",
            {line.product_external_id for line in product_lines if line.product_external_id},
        )
        Product = self.env["product.product"].with_context(active_test=False)
        company_domain = [("company_id", "in", [False, backend.company_id.id])]
        skus = {line.sku for line in product_lines if line.sku}
        barcodes = {line.barcode for line in product_lines if line.barcode}
        by_sku, by_barcode = {}, {}
        for product in Product.search(company_domain + [("default_code", "in", list(skus))]):
            by_sku.setdefault(product.default_code, Product.browse())
            by_sku[product.default_code] |= product
        for product in Product.search(company_domain + [("barcode", "in", list(barcodes))]):
            by_barcode[product.barcode] = product
        result, problems, to_create = {}, [], []
        for line in lines:
            if line.line_type != "product":
                product = service_products.get(line.line_type)
                if not product:
                    problems.append(_("no %s product configured on the backend", line.line_type))
                result[line] = product
                continue
            product = bound.get(line.product_external_id)
            if not product and line.sku and line.sku in by_sku:
                if len(by_sku[line.sku]) > 1:
                    problems.append(_("SKU %s is used by several products", line.sku))
                    continue
                product = by_sku[line.sku]
            if not product and line.barcode:
                product = by_barcode.get(line.barcode)
            if product:
                result[line] = product
                Binding._bind(backend, "product", line.product_external_id, product)
            elif backend.create_products and (line.sku or line.barcode):
                to_create.append(line)
            else:
                problems.append(
                    _(
                        "unknown product %(name)r (SKU %(sku)s, barcode %(barcode)s)",
                        name=line.name,
                        sku=line.sku or "-",
                        barcode=line.barcode or "-",
                    )
                )
        if problems:
            raise MappingError(
                _("Cannot map the order's products: %s.", "; ".join(problems)), "product"
            )
        created = {}
        for line in to_create:
            key = line.sku or line.barcode
            if key not in created:
                created[key] = self.env["product.product"].create(
                    {
                        "name": line.name or key,
                        "default_code": line.sku or False,
                        "barcode": line.barcode or False,
                        "detailed_type": "product",
                        "list_price": float(line.price_unit),
                        "company_id": False,
                    }
                )
            result[line] = created[key]
            Binding._bind(backend, "product", line.product_external_id, created[key])
        return result

    def _map_taxes(self, backend, line, taxes_included):
        taxes = self.env["account.tax"]
        for tax_line in line.taxes:
            mapping = self.env["omni.tax.map"]._find(backend, tax_line.title, tax_line.rate)
            if not mapping:
                raise MappingError(
                    _(
                        "Tax %(title)s at %(rate)s%% has no tax mapping on backend %(backend)s.",
                        title=tax_line.title,
                        rate=tax_line.rate * 100,
                        backend=backend.name,
                    ),
                    "tax",
                    tax_line.title,
                )
            if mapping.tax_id.price_include != taxes_included:
                raise MappingError(
                    _(
                        "Tax %(title)s is mapped to %(tax)s, which is %(incl)s, but the order's "
                        "prices are %(order_incl)s.",
                        title=tax_line.title,
                        tax=mapping.tax_id.display_name,
                        incl=_("tax-included")
                        if mapping.tax_id.price_include
                        else _("tax-excluded"),
                        order_incl=_("tax-included") if taxes_included else _("tax-excluded"),
                    ),
                    "tax",
                    tax_line.title,
                )
            taxes |= mapping.tax_id
        return taxes

    # ------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------

    def _currency(self, code):
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", (code or "").upper())], limit=1)
        )
        if not currency:
            raise CurrencyError(_("Unknown currency %r.", code))
        if not currency.active:
            raise CurrencyError(_("Currency %s is not active in this database.", currency.name))
        return currency

    def _pricelist(self, backend, currency):
        if backend.pricelist_id.currency_id == currency:
            return backend.pricelist_id
        pricelist = self.env["product.pricelist"].search(
            [
                ("currency_id", "=", currency.id),
                ("company_id", "in", [False, backend.company_id.id]),
            ],
            limit=1,
        )
        if not pricelist:
            raise CurrencyError(
                _(
                    "No pricelist in %(currency)s for backend %(backend)s: create one or map the "
                    "backend's pricelist.",
                    currency=currency.name,
                    backend=backend.name,
                )
            )
        return pricelist

    def _check_currency(self, sale_order, currency):
        if sale_order.currency_id != currency:
            raise CurrencyError(
                _(
                    "Sale order currency %(so)s does not match the channel currency %(ch)s.",
                    so=sale_order.currency_id.name,
                    ch=currency.name,
                )
            )

    def _lock(self, backend, kind, external_id):
        """Serialize work on one external record across jobs (advisory, transaction-scoped);
        a busy record is retried shortly rather than waited for."""
        self.env.cr.execute(
            "SELECT pg_try_advisory_xact_lock(hashtext(%s))",
            [f"omni:{backend.id}:{kind}:{external_id}"],
        )
        if not self.env.cr.fetchone()[0]:
            raise RetryableJobError(
                f"{kind} {external_id} is being processed by another job", seconds=5
            )
