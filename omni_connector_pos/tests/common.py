import sys
from decimal import Decimal
from pathlib import Path

from odoo.tests import TransactionCase

# The channel sandboxes live in the repository's tests/ folder (never shipped with the addon).
_SANDBOXES = Path(__file__).resolve().parents[2] / "tests"
if str(_SANDBOXES) not in sys.path:
    sys.path.insert(0, str(_SANDBOXES))

from omni_sandboxes.pos_sandbox import (  # noqa: E402
    CATALOG,
    PosSandbox,
    generate_store_days,
)

API_KEY = "pos_key_omni_test"
WEBHOOK_SECRET = "pos_whsec_omni_test"


def cents(value):
    """An ORM float amount as the exact Decimal PostgreSQL stores (2 decimals)."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


class PosCase(TransactionCase):
    """External store chains (contract v1) wired to a sandbox serving generated store-days."""

    world_kwargs = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.world = generate_store_days(**cls.world_kwargs)
        cls.sandbox = PosSandbox(cls.world, api_key=API_KEY).start()
        cls.addClassCleanup(cls.sandbox.stop)
        company = cls.env.company
        cls.usd = cls.env.ref("base.USD")
        cls.usd.active = True
        cls.pricelist = cls.env["product.pricelist"].create(
            {"name": "Stores USD", "currency_id": cls.usd.id, "company_id": company.id}
        )
        cls.vat20 = cls.env["account.tax"].create(
            {
                "name": "VAT 20% included (pos test)",
                "amount": 20.0,
                "price_include": True,
                "type_tax_use": "sale",
                "company_id": company.id,
            }
        )
        cls.products = cls.env["product.product"].create(
            [
                {
                    "name": name,
                    "default_code": sku,
                    "barcode": barcode,
                    "detailed_type": "consu",
                    "list_price": float(price),
                }
                for sku, barcode, name, price in CATALOG
            ]
        )
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", company.id)], limit=1
        )
        cls.backend = cls.make_backend("Sandbox stores")

    @classmethod
    def make_backend(cls, name, **vals):
        return cls.env["omni.backend"].create(
            {
                "name": name,
                "channel": "pos",
                "webhook_secret": WEBHOOK_SECRET,
                "pos_api_url": cls.sandbox.url,
                "pos_api_key": API_KEY,
                "pos_api_timeout": 1,
                "pricelist_id": cls.pricelist.id,
                "warehouse_id": cls.warehouse.id,
                "tax_map_ids": [
                    (0, 0, {"channel_tax": "VAT20", "rate": 0.2, "tax_id": cls.vat20.id})
                ],
                **vals,
            }
        )

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.sandbox.requests.clear()
        self.sandbox.timeout_seconds = 3.0

    # ------------------------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------------------------

    def events(self, backend=None, **domain):
        return self.env["omni.event"].search(
            [("backend_id", "=", (backend or self.backend).id)]
            + [(k, "=", v) for k, v in domain.items()],
            order="id",
        )

    def receive(self, records, backend=None, source="manual"):
        """Store contract records as the webhook / file / pull do, without HTTP."""
        backend = backend or self.backend
        new, __ = self.env["omni.event"]._receive(
            backend, backend._pos_event_vals(records), source=source
        )
        return new

    def process(self, backend=None):
        """What the job runner does: every received event of the backend, in one job."""
        events = self.events(backend, state="received")
        events._process_job()
        return events

    def process_until_settled(self, backend=None, rounds=6):
        """Process, then play the retries the queue would run later (in event order)."""
        for __ in range(rounds):
            events = self.env["omni.event"].search(
                [
                    ("backend_id", "=", (backend or self.backend).id),
                    "|",
                    ("state", "=", "received"),
                    "&",
                    ("state", "=", "failed"),
                    ("next_retry_at", "!=", False),
                ],
                order="id",
            )
            if not events:
                return
            events._process_job()

    def assert_all_done(self, events):
        bad = events.filtered(lambda e: e.state != "done")
        self.assertFalse(
            bad, "\n".join(f"{e.topic} {e.external_id}: {e.error_message}" for e in bad)
        )

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
