from datetime import datetime, timezone

from omni_sandboxes.refdata import refdata_path
from omni_sandboxes.shipbob_sandbox import (
    CATALOG,
    PAT,
    SPEC,
    ShipBobSandbox,
    ShipBobWorld,
    shipbob_validator,
)

from odoo.tests import HttpCase

from odoo.addons.queue_job.tests.common import trap_jobs

from odoo.addons.omni_connector_base.tests.common import OmniCommon

CICERO, MORENO = "10", "20"
SHIPPED_AT = datetime(2026, 11, 3, 15, 30, tzinfo=timezone.utc)


class ShipBobCase(OmniCommon):
    """A company whose warehouse "ShipBob Cicero" is ShipBob's Cicero fulfilment centre, wired
    to a ShipBob sandbox validating everything against ShipBob's OpenAPI when the reference
    data is there (the conformance itself is tests/test_shipbob_sandbox.py)."""

    channel = "3pl"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        validator = shipbob_validator() if refdata_path(*SPEC).is_file() else None
        cls.sandbox = cls.serve(ShipBobSandbox(ShipBobWorld(), validator=validator))
        cls.products = cls.make_products([(sku, name, 10) for sku, name, __, __ in CATALOG])
        cls.mug, cls.tee, cls.cap = cls.products
        cls.tpl_warehouse = cls.env["stock.warehouse"].create(
            {"name": "ShipBob Cicero", "code": "SBC", "company_id": cls.company.id}
        )
        cls.backend = cls.make_backend("ShipBob test")
        cls.cicero = cls.env["omni.location"].create(
            {
                "backend_id": cls.backend.id,
                "external_id": CICERO,
                "name": "Cicero (IL)",
                "warehouse_id": cls.tpl_warehouse.id,
                "tpl_send_deliveries": True,
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Ann Buyer",
                "street": "1 Main St",
                "city": "Chicago",
                "zip": "60601",
                "country_id": cls.env.ref("base.us").id,
                "state_id": cls.env.ref("base.state_us_14").id,
                "email": "ann@example.com",
            }
        )

    def setUp(self):
        super().setUp()
        self.sandbox.world = ShipBobWorld()  # Odoo's side is rolled back after each test
        self.sandbox.clear_faults()
        self.sandbox.requests.clear()
        self.sandbox.schema_errors.clear()
        self.addCleanup(self._assert_conformant)

    def _assert_conformant(self):
        self.assertEqual(self.sandbox.schema_errors, [], "the sandbox left ShipBob's spec")

    @classmethod
    def _backend_vals(cls):
        return {
            **super()._backend_vals(),
            "shipbob_token": PAT,
            "shipbob_endpoint": cls.sandbox.url,
        }

    # ------------------------------------------------------------------ helpers
    def sell(self, quantities, warehouse=None):
        """A sale order of ``quantities`` ({product: units}) confirmed in the 3PL warehouse
        (or ``warehouse``), with the jobs its confirmation queued: (sale order, trap)."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "warehouse_id": (warehouse or self.tpl_warehouse).id,
                "order_line": [
                    (0, 0, {"product_id": product.id, "product_uom_qty": qty})
                    for product, qty in quantities.items()
                ],
            }
        )
        with trap_jobs() as trap:
            order.action_confirm()
        return order, trap

    def send(self, quantities):
        """Sell and send the delivery to ShipBob (the job run): (picking, ShipBob order)."""
        order, trap = self.sell(quantities)
        trap.perform_enqueued_jobs()
        picking = order.picking_ids
        dispatch = picking.omni_dispatch_id
        self.assertEqual(dispatch.state, "sent", dispatch.error_message)
        return picking, self.sandbox.world.orders[int(dispatch.external_id)]


class ShipBobWebhookCase(ShipBobCase, HttpCase):
    """ShipBob's webhooks posted by the sandbox to the backend's URL over HTTP, signed with
    the secret the backend registered; processed as the job runner does."""

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())
        self.backend.action_tpl_register_webhooks()

    def deliver(self, topic, shipment, **options):
        self.env.flush_all()  # the request reads the database (url_open flushes the same way)
        responses = self.sandbox.deliver(topic, shipment, **options)
        self.assertEqual(len(responses), 1, "one subscription per topic")
        self.assertEqual(responses[0].status_code, 200, responses[0].text)
        return responses[0].json()

    def ship(self, order, quantities, **options):
        """ShipBob ships ``quantities`` ({product: units}) of ``order`` and says so: the
        processed events, and the shipment."""
        shipment = self.sandbox.ship(
            order["id"],
            {p.default_code: q for p, q in quantities.items()},
            at=options.pop("at", SHIPPED_AT),
            **options,
        )
        self.deliver("order.shipped", shipment)
        return self.process(), shipment
