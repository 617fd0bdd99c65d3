"""3PL dispatch latency: from ShipBob's signed ``order.shipped`` webhook to the validated Odoo
delivery, webhook by webhook, through the real pipeline.

N deliveries of a 3PL warehouse are confirmed and sent to the ShipBob sandbox (real HTTP);
ShipBob ships each (every other one in two partial shipments). Each shipment's webhook, signed
the Standard Webhooks way, then goes through what the route does — verification, the event
stored, committed — and the job the runner would start — the event processed, the delivery
validated (backorder, dates, tracking), committed — each in its own transaction, as in
production. The figure per webhook is that wall time; the HTTP transport and the job runner's
pick-up delay are not in it (they are the deployment's). The last line printed is one JSON
object with ``p50_ms``, ``p95_ms``, ``max_ms``, ``webhooks`` and ``deliveries``.
"""

import argparse
import json
import logging
import resource
import statistics
import time

from omni_sandboxes.shipbob_sandbox import CATALOG, PAT, ShipBobSandbox, new_secret

import odoo
from odoo import SUPERUSER_ID, api

SECRET = new_secret("bench")


def peak_rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def setup(registry, url, n):
    """The 3PL warehouse, its backend and N confirmed deliveries sent to ShipBob."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        warehouse = env["stock.warehouse"].create({"name": "ShipBob Bench", "code": "SBB"})
        backend = env["omni.backend"].create(
            {
                "name": "ShipBob bench",
                "channel": "3pl",
                "shipbob_token": PAT,
                "shipbob_endpoint": url,
                "webhook_secret": SECRET,
                "warehouse_id": warehouse.id,
            }
        )
        env["omni.location"].create(
            {
                "backend_id": backend.id,
                "external_id": "10",
                "name": "Cicero (IL)",
                "warehouse_id": warehouse.id,
                "tpl_send_deliveries": True,
            }
        )
        products = env["product.product"].create(
            [
                {"name": name, "default_code": sku, "detailed_type": "consu"}
                for sku, name, __, __ in CATALOG[:2]
            ]
        )
        partner = env["res.partner"].create(
            {
                "name": "Bench Buyer",
                "street": "1 Main St",
                "city": "Chicago",
                "country_id": env.ref("base.us").id,
            }
        )
        orders = env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "warehouse_id": warehouse.id,
                    "order_line": [
                        (0, 0, {"product_id": p.id, "product_uom_qty": 2}) for p in products
                    ],
                }
                for __ in range(n)
            ]
        )
        orders.action_confirm()
        dispatch_ids = orders.picking_ids.omni_dispatch_id.ids
        backend_id = backend.id
    for first in range(0, len(dispatch_ids), 50):  # the send jobs
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            backend = env["omni.backend"].browse(backend_id)
            for dispatch in env["omni.dispatch"].browse(dispatch_ids[first : first + 50]):
                backend._tpl_send_dispatch(dispatch)
    return backend_id, dispatch_ids


def receive_and_process(registry, backend_id, raw, headers):
    with registry.cursor() as cr:  # the webhook route
        env = api.Environment(cr, SUPERUSER_ID, {})
        backend = env["omni.backend"].browse(backend_id)
        backend._omni_webhook_verify(raw, headers)
        vals = backend._omni_webhook_events(raw, headers)
        events, __ = env["omni.event"]._receive(backend, vals, source="webhook")
        event_ids = events.ids
    with registry.cursor() as cr:  # the job
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["omni.event"].browse(event_ids)._process_job()
        return env["omni.event"].browse(event_ids).mapped("state")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--n", type=int, default=400, help="deliveries (1.5 webhooks each)")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.conf, "-d", args.db, "--log-level=warn"])
    logging.getLogger("odoo.addons.omni_connector_base").setLevel(logging.WARNING)
    registry = odoo.modules.registry.Registry(args.db)
    with ShipBobSandbox() as sandbox:
        start = time.perf_counter()
        backend_id, dispatch_ids = setup(registry, sandbox.url, args.n)
        print(
            f"{len(dispatch_ids)} deliveries sent in {time.perf_counter() - start:.1f}s", flush=True
        )
        webhooks = []
        for n, order in enumerate(sandbox.world.orders.values()):
            parts = (
                [{"SB-MUG": 2, "SB-TEE": 2}]
                if n % 2
                else [{"SB-MUG": 1}, {"SB-MUG": 1, "SB-TEE": 2}]
            )
            for quantities in parts:
                webhooks.append(sandbox.ship(order["id"], quantities))
        latencies = []
        for shipment in webhooks:
            raw, headers = sandbox.signed("order.shipped", shipment, secret=SECRET)
            started = time.perf_counter()
            states = receive_and_process(registry, backend_id, raw, headers)
            latencies.append((time.perf_counter() - started) * 1000)
            assert states == ["done"], states
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        dispatches = env["omni.dispatch"].browse(dispatch_ids)
        assert set(dispatches.mapped("state")) == {"shipped"}, set(dispatches.mapped("state"))
        pickings = dispatches.mapped(lambda d: d._pickings())
        assert all(p.state == "done" for p in pickings)
    quantiles = statistics.quantiles(latencies, n=100)
    result = {
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(quantiles[94], 1),
        "max_ms": round(max(latencies), 1),
        "webhooks": len(latencies),
        "deliveries": len(dispatch_ids),
        "validated_pickings": len(pickings),
        "peak_rss_mb": peak_rss_mb(),
    }
    print(
        f"{len(latencies)} shipped webhooks: p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms",
        flush=True,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
