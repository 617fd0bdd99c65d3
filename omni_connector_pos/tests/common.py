from decimal import Decimal

from omni_sandboxes.pos_sandbox import CATALOG, PosSandbox, generate_store_days

from odoo.addons.omni_connector_base.tests.common import OmniCommon, cents

API_KEY = "pos_key_omni_test"
WEBHOOK_SECRET = "pos_whsec_omni_test"


class PosCase(OmniCommon):
    """External store chains (contract v1) wired to a sandbox serving generated store-days."""

    channel = "pos"
    currency_code = "USD"
    channel_tax = "VAT20"
    tax_included = True
    world_kwargs = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.world = generate_store_days(**cls.world_kwargs)
        cls.sandbox = cls.serve(PosSandbox(cls.world, api_key=API_KEY))
        cls.products = cls.make_products(
            (sku, name, price, barcode) for sku, barcode, name, price in CATALOG
        )
        cls.backend = cls.make_backend("Sandbox stores")

    @classmethod
    def _backend_vals(cls):
        return dict(
            super()._backend_vals(),
            webhook_secret=WEBHOOK_SECRET,
            pos_api_url=cls.sandbox.url,
            pos_api_key=API_KEY,
            pos_api_timeout=1,
        )

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.sandbox.requests.clear()
        self.sandbox.timeout_seconds = 3.0

    # ------------------------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------------------------

    def receive(self, records, backend=None, source="manual"):
        """Store contract records as the webhook / file / pull do, without HTTP."""
        backend = backend or self.backend
        new, __ = self.env["omni.event"]._receive(
            backend, backend._pos_event_vals(records), source=source
        )
        return new

    def process_until_settled(self, backend=None, rounds=6):
        """Process, then play the retries the queue would run later (in event order)."""
        for __ in range(rounds):
            events = self.env["omni.event"].search(
                [
                    ("backend_id", "=", (backend or self.backend).id),
                    ("state", "in", ("received", "waiting")),
                ],
                order="id",
            )
            if not events:
                return
            events._process_job()

    def store_day_facts(self, backend=None):
        """{(location, date, tender): (z, transactions, gap, count)} as stored, exact."""
        backend = backend or self.backend
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT l.external_id, d.business_date::text, t.tender, t.z_amount::text,
                   t.transactions_amount::text, t.gap_amount::text, t.transaction_count
              FROM omni_store_day_tender t
              JOIN omni_store_day d ON d.id = t.store_day_id
              JOIN omni_location l ON l.id = d.location_id
             WHERE d.backend_id = %s
            """,
            [backend.id],
        )
        return {
            (loc, day, tender): (Decimal(z or 0), Decimal(txn or 0), Decimal(gap or 0), count)
            for loc, day, tender, z, txn, gap, count in self.env.cr.fetchall()
        }

    def order_facts(self, backend=None):
        """What a channel's transactions became, comparable across backends."""
        backend = backend or self.backend
        orders = self.env["omni.order"].search([("backend_id", "=", backend.id)])
        facts = {}
        for order in orders:
            sale = order.sale_order_id
            facts[order.external_id] = (
                cents(order.amount_total),
                cents(order.amount_refunded),
                order.partner_id.name,
                order.financial_state,
                sale.state,
                cents(sale.amount_total),
                tuple(
                    sorted(
                        (
                            line.product_id.default_code or "",
                            line.product_uom_qty,
                            cents(line.price_unit),
                        )
                        for line in sale.order_line
                    )
                ),
                tuple(sorted(cents(a) for a in order.credit_note_ids.mapped("amount_total"))),
            )
        payments = self.env["omni.payment"].search([("backend_id", "=", backend.id)])
        payment_facts = {
            p.external_id: (
                p.payment_type,
                cents(p.amount),
                p.processor_reference or "",
                p.order_id.external_id,
                p.pos_tender,
                p.status,
            )
            for p in payments
        }
        return facts, payment_facts

    def comparable(self, backend):
        """order_facts and store_day_facts with the backend's own walk-in named alike."""
        orders, payments = self.order_facts(backend)
        walk_in = backend.default_partner_id.name
        orders = {
            ext: tuple("walk-in" if value == walk_in else value for value in facts)
            for ext, facts in orders.items()
        }
        return orders, payments, self.store_day_facts(backend)

    def expected_tenders(self):
        """{(register, date, tender): Decimal} computed from the world alone: every tender
        of every transaction not voided."""
        voided = {
            t["original_transaction_id"] for t in self.world.transactions if t["kind"] == "void"
        }
        totals = {}
        for txn in self.world.transactions:
            if txn["kind"] == "void" or txn["transaction_id"] in voided:
                continue
            for tender in txn["tenders"]:
                key = (txn["register_id"], txn["business_date"], tender["type"])
                totals[key] = totals.get(key, Decimal(0)) + Decimal(tender["amount"])
        return totals
