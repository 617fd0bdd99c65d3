"""A seeded reconciliation scenario built through the ORM: canonical channel records
(omni.order / omni.payment / omni.payout / omni.event) and real Odoo documents (confirmed sale
orders, validated deliveries and returns, posted invoices, bank statement lines)."""

from datetime import timedelta

from odoo import Command, fields

from odoo.addons.omni_connector_base.tests.common import OmniCommon

USER_GROUP = "omni_connector_base.group_omni_user"


class ReconScenarioCase(OmniCommon):
    channel = "omnitest"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.now = fields.Datetime.now()
        cls.partner = cls.env["res.partner"].create({"name": "Recon Customer"})
        untaxed = {"invoice_policy": "order", "taxes_id": [Command.clear()]}
        cls.service = cls.env["product.product"].create(
            dict(untaxed, name="Recon Service", detailed_type="service")
        )
        cls.goods = cls.env["product.product"].create(
            dict(untaxed, name="Recon Goods", detailed_type="product")
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.goods, cls.warehouse.lot_stock_id, 1000
        )
        cls.bank_journal = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.company.id)], limit=1
        )
        cls.backend = cls.make_backend("Recon channel")
        cls._seq = 0

    # ------------------------------------------------------------------ builders
    @classmethod
    def _next(cls, prefix):
        cls._seq += 1
        return f"{prefix}-{cls._seq}"

    @classmethod
    def omni_order(cls, total, ref=None, backend=None, days_ago=1, **vals):
        backend = backend or cls.backend
        ref = ref or cls._next("O")
        return cls.env["omni.order"].create(
            dict(
                {
                    "name": f"#{ref}",
                    "backend_id": backend.id,
                    "external_id": ref,
                    "currency_id": backend.company_id.currency_id.id,
                    "amount_total": total,
                    "channel_created_at": cls.now - timedelta(days=days_ago),
                },
                **vals,
            )
        )

    @classmethod
    def sale_order(cls, order, price, qty=1, product=None, confirm=True, link=True, age_days=0):
        product = product or cls.service
        so = cls.env["sale.order"].create(
            {
                "partner_id": cls.partner.id,
                "company_id": order.company_id.id,
                "warehouse_id": cls.warehouse.id,
                "omni_backend_id": order.backend_id.id,
                "omni_external_ref": order.external_id,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "price_unit": price,
                            "tax_id": [(6, 0, [])],
                        },
                    )
                ],
            }
        )
        if confirm:
            so.action_confirm()
            if age_days:
                so.date_order = cls.now - timedelta(days=age_days)
        if link:
            order.sale_order_id = so
        return so

    @classmethod
    def invoice(cls, so, price=None):
        move = so._create_invoices()
        if price is not None:
            move.invoice_line_ids[0].price_unit = price
        move.action_post()
        return move

    @classmethod
    def deliver(cls, so, qty=None):
        picking = so.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = qty if qty is not None else move.product_uom_qty
            move.picked = True
        picking._action_done()
        return picking

    @classmethod
    def return_goods(cls, so, qty):
        picking = so.picking_ids.filtered(lambda p: p.state == "done")[:1]
        wizard = (
            cls.env["stock.return.picking"]
            .with_context(active_id=picking.id, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.write({"quantity": qty, "to_refund": True})
        new_picking_id, _type = wizard._create_returns()
        back = cls.env["stock.picking"].browse(new_picking_id)
        for move in back.move_ids:
            move.quantity = qty
            move.picked = True
        back._action_done()
        return back

    @classmethod
    def payment(
        cls,
        amount,
        order=None,
        ptype="charge",
        fee=0.0,
        net=None,
        payout=None,
        available_days_ago=0,
        backend=None,
        currency=None,
        **vals,
    ):
        backend = backend or cls.backend
        return cls.env["omni.payment"].create(
            dict(
                {
                    "backend_id": backend.id,
                    "external_id": cls._next("P"),
                    "payment_type": ptype,
                    "status": "succeeded",
                    "currency_id": (currency or backend.company_id.currency_id).id,
                    "amount": amount,
                    "fee_amount": fee,
                    "net_amount": amount - fee if net is None else net,
                    "order_id": order.id if order else False,
                    "order_external_ref": order.external_id if order else False,
                    "payout_id": payout.id if payout else False,
                    "channel_created_at": cls.now - timedelta(days=1),
                    "available_on": cls.now - timedelta(days=available_days_ago),
                },
                **vals,
            )
        )

    @classmethod
    def payout(cls, amount, banked=True, days_ago=1, status="paid", fee=0.0):
        payout = cls.env["omni.payout"].create(
            {
                "backend_id": cls.backend.id,
                "external_id": cls._next("PO"),
                "currency_id": cls.currency.id,
                "amount": amount,
                "fee_amount": fee,
                "status": status,
                "arrival_date": cls.now - timedelta(days=days_ago),
            }
        )
        if banked:
            cls.bank(payout)
        return payout

    @classmethod
    def bank(cls, payout):
        line = cls.env["account.bank.statement.line"].create(
            {
                "journal_id": cls.bank_journal.id,
                "amount": payout.amount,
                "payment_ref": payout.external_id,
                "date": fields.Date.today(),
            }
        )
        payout.statement_line_id = line
        return line

    @classmethod
    def event(cls, error_class, backend=None):
        backend = backend or cls.backend
        ref = cls._next("E")
        return cls.env["omni.event"].create(
            {
                "backend_id": backend.id,
                "topic": "order",
                "external_id": ref,
                "idempotency_key": f"{backend.id}:order:{ref}",
                "state": "failed",
                "error_class": error_class,
                "error_message": f"Unknown SKU X-{ref}",
            }
        )

    @classmethod
    def location(cls, name, warehouse=None, kind="store", parent=None, backend=None):
        backend = backend or cls.backend
        return cls.env["omni.location"].create(
            {
                "name": name,
                "backend_id": backend.id,
                "external_id": cls._next("L"),
                "kind": kind,
                "warehouse_id": warehouse.id if warehouse else False,
                "parent_id": parent.id if parent else False,
            }
        )

    @classmethod
    def store_day(cls, location, days_ago, tenders, z_reported=True, currency=None):
        """``tenders``: {tender: (z amount, transactions amount)}."""
        return cls.env["omni.store.day"].create(
            {
                "backend_id": location.backend_id.id,
                "location_id": location.id,
                "business_date": (cls.now - timedelta(days=days_ago)).date(),
                "currency_id": (currency or location.company_id.currency_id).id,
                "z_reported": z_reported,
                "tender_ids": [
                    (0, 0, {"tender": tender, "z_amount": z, "transactions_amount": tx})
                    for tender, (z, tx) in tenders.items()
                ],
            }
        )

    @classmethod
    def stocked_product(cls, name, qty=0.0, cost=0.0, location=None):
        product = cls.env["product.product"].create(
            {"name": name, "detailed_type": "product", "standard_price": cost}
        )
        if qty:
            cls.env["stock.quant"]._update_available_quantity(
                product, location or cls.warehouse.lot_stock_id, qty
            )
        return product

    @classmethod
    def stock_level(cls, location, product, channel_qty):
        return cls.env["omni.stock.level"].create(
            {
                "backend_id": location.backend_id.id,
                "location_id": location.id,
                "product_id": product.id,
                "channel_quantity": channel_qty,
                "channel_updated_at": cls.now - timedelta(hours=1),
            }
        )

    # ------------------------------------------------------------------ running
    def run_recon(self, company=None, backend=None, **vals):
        company = company or self.company
        today = fields.Date.context_today(self.env["omni.recon.run"])
        run = self.env["omni.recon.run"].create(
            dict(
                {
                    "company_id": company.id,
                    "backend_id": backend.id if backend else False,
                    "date_from": today - timedelta(days=30),
                    "date_to": today,
                },
                **vals,
            )
        )
        run.with_context(omni_recon_no_action=True).action_run()
        return run

    @classmethod
    def seed_money_gaps(cls, expect):
        """Two of each gap between the money recorded and the money moved: a manual gateway's
        payment never received, a processor capturing another amount, a payout's bank line of
        another amount, a payout journal's line no payout explains. ``expect(type, link field,
        record, amount)`` records each."""
        # a manual gateway's payments, neither settled nor banked after the grace
        for total in (40.0, 65.0):
            order = cls.omni_order(total)
            cls.sale_order(order, total, confirm=False)
            pay = cls.payment(
                total, order, processor="manual", channel_created_at=cls.now - timedelta(days=10)
            )
            expect("payment_not_received", "omni_payment_id", pay, total)
        # the processor captured another amount than the channel recorded
        for total, captured in ((100.0, 96.0), (30.0, 31.5)):
            order = cls.omni_order(total)
            cls.sale_order(order, total, confirm=False)
            own = cls.payment(total, order, available_on=False)
            twin = cls.payment(captured, order, processor_reference=own.external_id)
            expect("processor_amount_mismatch", "omni_payment_id", twin, abs(captured - total))
        # a payout's bank line of another amount; payout journal lines no payout explains
        cls.backend.payout_journal_id = cls.bank_journal
        for amount, banked in ((400.0, 390.0), (120.0, 120.4)):
            payout = cls.payout(amount, banked=False, days_ago=10)
            payout.statement_line_id = cls.env["account.bank.statement.line"].create(
                {"journal_id": cls.bank_journal.id, "amount": banked, "payment_ref": "Transfer"}
            )
            expect("payout_bank_mismatch", "omni_payout_id", payout, abs(amount - banked))
        for amount in (77.0, -9.5):
            line = cls.env["account.bank.statement.line"].create(
                {"journal_id": cls.bank_journal.id, "amount": amount, "payment_ref": "Deposit"}
            )
            expect("bank_line_unmatched", "move_id", line.move_id, abs(amount))
