"""Payments and payouts: processor movements upserted by (backend, external id) and linked
to their order and payout. A movement is stored when it is imported (the event links to it,
channels book or tender it); an order imported in the batch brings its own payments
(``Order.payments``) and collects the movements that waited for it at the flush."""

from collections import defaultdict

from odoo import api, models

from ..tools.dates import to_odoo
from .omni_importer import SettlementPlan, batched, canonical_digest


def last_sightings(payments):
    """One movement per external id: its last version, in the order of last sightings (a
    payout's transaction list may repeat a movement; the unique key stores it once)."""
    latest = {}
    for payment in payments:
        latest.pop(payment.external_id, None)
        latest[payment.external_id] = payment
    return list(latest.values())


class OmniImporter(models.AbstractModel):
    _inherit = "omni.importer"  # pylint: disable=consider-merging-classes-inherited

    def _flush_payments(self, batch):
        """The payments of the batch's orders, a movement seen several times stored as its
        last version, and the movements stored before their order linked to it: one call
        per backend."""
        deferred, batch.payments = batch.payments, []
        batch.touched.extend(item.omni_order for item in deferred)
        for backend in self._backends(deferred):
            items = [item for item in deferred if item.backend == backend]
            payments = last_sightings(p for item in items for p in item.payments)
            if payments:
                self.import_payments(backend, payments)
            self._link_waiting_payments(
                backend, self.env["omni.order"].concat(*(item.omni_order for item in items))
            )

    def _link_waiting_payments(self, backend, omni_orders):
        """Movements that name one of these orders but were stored before it was imported
        get their order now: this backend's or another channel's of the company (a Stripe
        charge paying a shop's order), by the order's id, or by its name when no other order
        of the company has it; in the order's or its presentment currency only."""
        by_ref = {order.external_id: order for order in omni_orders if order.external_id}
        by_name = {order.name: order for order in omni_orders if order.name}
        if not by_ref:
            return
        Order = self.env["omni.order"]
        waiting = self.env["omni.payment"].search(
            [
                ("company_id", "=", backend.company_id.id),
                ("order_external_ref", "in", list(by_ref.keys() | by_name.keys())),
                ("order_id", "=", False),
            ]
        )
        names = set(waiting.mapped("order_external_ref")) & by_name.keys()
        shared = {
            name
            for name, count in Order._read_group(
                [("company_id", "=", backend.company_id.id), ("name", "in", list(names))],
                ["name"],
                ["__count"],
            )
            if count > 1
        }
        linked = waiting.browse()
        for payment in waiting:
            ref = payment.order_external_ref
            order = by_ref.get(ref) or (by_name.get(ref) if ref not in shared else None)
            if order and payment.currency_id in order.currency_id | order.presentment_currency_id:
                payment.order_id = order
                linked |= payment
        self._batch().registrations.append(linked)

    @api.model
    @batched
    def import_payments(self, backend, payments, payout=None, settle=False):
        """Upsert movements by (backend, external id) and link them to their order and
        payout when those are known; a movement listed twice is stored once, as its last
        version. The customer's money among them is registered in accounting at the flush;
        ``settle``: they are the processor's balance movements, booked in its settlement
        journal too. Returns their records."""
        payments = last_sightings(payments)
        batch = self._batch()
        seen = {payment.external_id for payment in payments}
        for item in batch.payments:  # sighted again now: this version is the last one
            item.payments = tuple(p for p in item.payments if p.external_id not in seen)
        currencies = {payment.currency: self._currency(payment.currency) for payment in payments}
        Payment = self.env["omni.payment"]
        existing = {
            p.external_id: p
            for p in Payment.search(
                [("backend_id", "=", backend.id), ("external_id", "in", list(seen))]
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
            vals = self._payment_vals(backend, payment, currencies[payment.currency], payout)
            vals.update(order_id=order_of(payment).id, content_digest=digest)
            if record:
                record.write(vals)
                result |= record
            else:
                create_vals.append(vals)
        result |= Payment.create(create_vals)
        batch.registrations.append(result)
        if settle:
            batch.settlements.append(SettlementPlan(backend, result, payout))
        return result

    def _payment_vals(self, backend, payment, currency, payout):
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
            "payout_external_ref": payment.payout_external_id or (payout and payout.external_id),
            "payout_id": payout.id if payout else False,
            "channel_created_at": to_odoo(payment.created_at),
            "available_on": to_odoo(payment.available_on),
            "description": payment.description,
        }
        if not payout:  # seen outside a payout: never unlink the payout it belongs to
            vals.pop("payout_id")
            if not payment.payout_external_id:
                vals.pop("payout_external_ref")
        return vals

    def _payment_order_matcher(self, backend, payments):
        """How a processor movement finds its channel order, in one query each: the order id
        it carries (metadata; this backend's order first), an order name it carries when one
        order of the company has that name (a name shared by two shops links nothing), else
        another channel's record of the same processor transaction (a Shopify transaction
        carrying the Stripe charge id). A movement is linked only in the order's currency or
        its presentment currency: money in a third currency never adds to an order."""
        Order = self.env["omni.order"]
        refs = list({p.order_external_id for p in payments if p.order_external_id})
        by_id, by_name = {}, defaultdict(lambda: Order)
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
                if order.external_id in refs and (
                    order.external_id not in by_id or order.backend_id == backend
                ):
                    by_id[order.external_id] = order
                if order.name in refs:
                    by_name[order.name] |= order
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
            named = by_name.get(payment.order_external_id, Order)
            order = (
                by_id.get(payment.order_external_id)
                or (named if len(named) == 1 else Order)
                or by_processor_ref.get(payment.processor_reference)
                or Order
            )
            currencies = {order.currency_id.name, order.presentment_currency_id.name}
            return order if order and payment.currency.upper() in currencies else Order

        return order_of

    @api.model
    @batched
    def import_payout(self, backend, payout):
        """Upsert a payout and its movements; returns its record."""
        self._lock(backend, "payout", payout.external_id)
        currency = self._currency(payout.currency)
        vals = {
            "backend_id": backend.id,
            "external_id": payout.external_id,
            "currency_id": currency.id,
            "amount": float(payout.amount),
            "fee_amount": float(payout.fee),
            "status": payout.status,
            "channel_created_at": to_odoo(payout.created_at),
            "arrival_date": to_odoo(payout.arrival_date),
            "trace": payout.trace,
        }
        record = self.env["omni.payout"].search(
            [("backend_id", "=", backend.id), ("external_id", "=", payout.external_id)]
        )
        if record:
            record.write(vals)
        else:
            record = self.env["omni.payout"].create(vals)
        self.import_payments(backend, payout.payments, payout=record, settle=True)
        return record
