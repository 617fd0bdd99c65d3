"""Payment registration: the customer's money a channel or processor reports (charges,
refunds, gift cards, cash) is registered once as an ``account.payment`` in its gateway's
journal, for the order's customer, and reconciled with the order's invoices and credit
notes. A charge the channel and its processor both report (a Shopify transaction and the
Stripe balance transaction of the same charge, a Shopify order transaction and its Shopify
Payments balance transaction) is one registration."""

from collections import defaultdict

from odoo import _, fields, models

from ..const import CUSTOMER_MONEY_TYPES, FAILED_PAYMENT_STATES


def _twins(payment, other):
    """Whether two movements are the same money seen twice: the same direction, and one
    names the other (a balance transaction naming its order transaction), or two channels
    name the same processor charge (refunds: of the same amount too). Two backends of one
    channel are never twins: the same shop imported twice is a duplicate to report."""
    if payment == other or (payment.amount > 0) != (other.amount > 0):
        return False
    if payment.processor_reference and payment.processor_reference == other.external_id:
        return True
    if other.processor_reference and other.processor_reference == payment.external_id:
        return True
    return bool(
        payment.backend_id.channel != other.backend_id.channel
        and payment.processor_reference
        and payment.processor_reference == other.processor_reference
        and (payment.payment_type != "refund" or payment.amount == other.amount)
    )


class OmniImporter(models.AbstractModel):
    _inherit = "omni.importer"  # pylint: disable=consider-merging-classes-inherited

    def _flush_registrations(self, batch):
        pending, batch.registrations = batch.registrations, []
        # a movement sighted twice in the batch is registered once
        payments = self._union("omni.payment", pending)
        self._register_payments(payments)
        batch.touched.extend(payments.order_id)

    def _registrable(self, payment):
        """Customer money that moved: not failed, and not a channel transaction still
        pending (a bank deposit not received yet; its success follows). A processor's
        pending balance is money (it has an availability date or a payout)."""
        status = (payment.status or "").lower()
        moved = status not in FAILED_PAYMENT_STATES and (
            status != "pending" or payment.available_on or payment.payout_external_ref
        )
        return (
            payment.payment_type in CUSTOMER_MONEY_TYPES
            and payment.amount
            and moved
            and not payment.order_id.booked_in_odoo
            and payment.backend_id._omni_registers_payments()
        )

    def _register_payments(self, payments):
        """Register the customer money among ``payments`` not registered yet (a twin's
        registration is shared), and give a registration made before its order was known
        the order's customer. Returns the movements registered or re-assigned."""
        payments = payments.exists().filtered(self._registrable)
        if not payments:
            return payments
        groups = self._twin_groups(payments)
        AccountPayment = self.env["account.payment"]
        to_create, done = [], payments.browse()
        for group in groups:
            registration = group.account_payment_id[:1]
            if registration:
                group.filtered(lambda p: not p.account_payment_id).account_payment_id = registration
                if self._reassign(registration, self._group_partner(group)):
                    done |= group
                continue
            to_create.append(group)
        for company in payments.company_id:
            items = [group for group in to_create if group[:1].company_id == company]
            if not items:
                continue
            created = AccountPayment.with_company(company).create(
                [self._registration_vals(group) for group in items]
            )
            created.action_post()
            for group, registration in zip(items, created, strict=True):
                group.account_payment_id = registration
                done |= group
        return done

    def _twin_groups(self, payments):
        """The movements as groups of twins, each group with the registered twins already
        stored (so a registration found there is reused)."""
        Payment = self.env["omni.payment"]
        tokens = {t for p in payments for t in (p.processor_reference, p.external_id) if t}
        known = Payment.search(
            [
                ("company_id", "in", payments.company_id.ids),
                ("account_payment_id", "!=", False),
                ("id", "not in", payments.ids),
                "|",
                ("processor_reference", "in", list(tokens)),
                ("external_id", "in", list(tokens)),
            ]
        )
        groups = []
        for payment in payments:
            for index, group in enumerate(groups):
                if any(_twins(payment, other) for other in group):
                    groups[index] = group | payment
                    break
            else:
                groups.append(payment)
        result = []
        for group in groups:
            twins = known.filtered(
                lambda k, g=group: k.company_id == g[:1].company_id and any(_twins(k, p) for p in g)
            )
            result.append(twins + group)
        return result

    def _group_partner(self, group):
        return group.order_id[:1].partner_id.commercial_partner_id

    def _reassign(self, registration, partner):
        """A registration made before its order was imported gets the order's customer
        (re-posted) while nothing is reconciled with it yet."""
        if not partner or registration.partner_id == partner:
            return False
        if registration.move_id.line_ids.filtered("reconciled"):
            return False
        registration.action_draft()
        registration.partner_id = partner
        registration.action_post()
        return True

    def _registration_vals(self, group):
        """The money of a group of twins, as its first movement with a processor's net
        (its balance transaction: the processor's amount is the money) or its first."""
        payment = group.filtered(lambda p: p.available_on or p.payout_external_ref)[:1] or group[:1]
        gateway = payment.backend_id._omni_gateway(payment.processor or "manual")
        partner = self._group_partner(group)
        order = group.order_id[:1]
        when = min(group.mapped(lambda p: p.channel_created_at or fields.Datetime.now()))
        return {
            "payment_type": "inbound" if payment.amount > 0 else "outbound",
            "partner_type": "customer",
            "partner_id": partner.id or False,
            "amount": abs(payment.amount),
            "currency_id": payment.currency_id.id,
            "journal_id": gateway.journal_id.id,
            "date": self._channel_time(when).date(),
            "ref": _(
                "%(gateway)s %(movement)s%(order)s",
                gateway=gateway.name,
                movement=payment.external_id,
                order=f" ({order.name})" if order else "",
            ),
            "omni_backend_id": payment.backend_id.id,
            "omni_external_ref": payment.external_id,
        }

    def _reconcile_orders(self, omni_orders):
        """Reconcile each order's receivables: its invoices, credit notes and registered
        payments (partially where they do not match)."""
        for omni_order in omni_orders:
            sale_order = omni_order.sale_order_id
            moves = sale_order.invoice_ids | omni_order.invoice_id | omni_order.credit_note_ids
            moves |= omni_order.payment_ids.account_payment_id.move_id
            lines = moves.filtered(lambda m: m.state == "posted").line_ids.filtered(
                lambda line: (
                    line.account_id.account_type == "asset_receivable" and not line.reconciled
                )
            )
            by_account = defaultdict(self.env["account.move.line"].browse)
            for line in lines:
                by_account[line.account_id] |= line
            for account_lines in by_account.values():
                if any(line.balance > 0 for line in account_lines) and any(
                    line.balance < 0 for line in account_lines
                ):
                    account_lines.reconcile()
