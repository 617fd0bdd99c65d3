"""Shopify import benchmark: N seeded orders from the GraphQL sandbox through the real pipeline
(the initial backfill's bulk operation, or with --paginated the page-by-page pull jobs ->
omni.event -> batch jobs of 50 events -> shared importer -> confirmed sale
orders, credit notes for refunds, payments), beside two baselines measured in the same run:

- ceiling: bare ORM, the same Odoo documents as the pipeline makes (the same sale orders:
  partners, products, lines, prices, discounts, taxes, shipping lines; confirmed; the
  deliveries of the fulfilled orders validated; a posted credit note per refund) in batches of
  50 orders per transaction, with no fetching, parsing, mapping, events or canonical objects:
  what the database and the ORM allow at best. The issue's narrower ceiling (create + confirm
  only, no deliveries or credit notes) is measured and reported too, as
  ``create_confirm_orders_per_s`` and ``create_confirm_ratio``;
- naive: what typical connectors do, one order per database transaction (fetch a page, then
  parse and import each order in its own transaction, no events), on the first --naive-n
  orders (it is the slow path; rates compare).

The sandbox runs in this process (a thread) with an unlimited cost bucket, so the figures
measure Omni, not Shopify's rate limit; its HTTP and GraphQL validation time is inside the
pipeline and naive figures, not in the ceiling's. The last line printed is one JSON object.
"""

import argparse
import cProfile
import json
import resource
import sys
import time
from decimal import Decimal

from omni_sandboxes.shopify_sandbox import ShopifySandbox, generate_shop, has_shopify_schema

import odoo
from odoo import SUPERUSER_ID, api
from odoo.fields import Command

TOKEN = "shpat_omni_bench"
BATCH = 50  # PROCESS_BATCH_SIZE of omni.event._enqueue: one job per batch


def peak_rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})


def setup_masterdata(registry, world):
    """Currency, pricelist, 20 % tax and the shop's products (matched by SKU)."""
    with registry.cursor() as cr:
        env = _env(cr)
        currency = env.ref(f"base.{world.currency}")
        for code in {world.currency} | {o["presentmentCurrencyCode"] for o in world.orders}:
            env.ref(f"base.{code}").active = True
        pricelist = env["product.pricelist"].create(
            {"name": f"Shopify bench {world.currency}", "currency_id": currency.id}
        )
        tax = env["account.tax"].create(
            {
                "name": f"VAT 20% (shopify bench {time.time_ns()})",
                "amount": 20.0,
                "type_tax_use": "sale",
            }
        )
        products = env["product.product"].create(
            [
                {
                    "name": product["title"],
                    "default_code": variants[0]["sku"],
                    "detailed_type": "consu",
                    "list_price": 1.0,
                }
                for product, variants in world.products
            ]
        )
        shipping, discount = env["product.product"].create(
            [
                {"name": "Shipping (bench)", "detailed_type": "service", "list_price": 0.0},
                {"name": "Discount (bench)", "detailed_type": "service", "list_price": 0.0},
            ]
        )
        return {
            "pricelist": pricelist.id,
            "tax": tax.id,
            "products": {p.default_code: p.id for p in products},
            "shipping": shipping.id,
            "discount": discount.id,
            "warehouse": env["stock.warehouse"]
            .search([("company_id", "=", env.company.id)], limit=1)
            .id,
        }


def make_backend(registry, name, url, master):
    with registry.cursor() as cr:
        env = _env(cr)
        company = env.company
        return (
            env["omni.backend"]
            .create(
                {
                    "name": name,
                    "channel": "shopify",
                    "company_id": company.id,
                    "shopify_shop_url": url,
                    "shopify_access_token": TOKEN,
                    "webhook_secret": "shpss_bench",
                    "pricelist_id": master["pricelist"],
                    "warehouse_id": master["warehouse"],
                    # the ceiling's service products, so both make the very same lines
                    "shipping_product_id": master["shipping"],
                    "discount_product_id": master["discount"],
                    "tax_map_ids": [
                        Command.create({"channel_tax": "VAT", "rate": 0.2, "tax_id": master["tax"]})
                    ],
                }
            )
            .id
        )


def _pull_paginated(registry, backend_id):
    """The pull job and its continuations (one transaction each); returns the job count."""
    cursor, since, pulls = None, None, 0
    while True:
        with registry.cursor() as cr:
            backend = _env(cr)["omni.backend"].browse(backend_id)
            backend._shopify_pull_orders(cursor=cursor, since=since)
            pulls += 1
            cursor = backend._stream("orders").cursor or None
            since = since if since is not None else ""
        if not cursor:
            return pulls


def _pull_bulk(registry, backend_id):
    """The backfill jobs: start the bulk operation, then poll it (the queue would come back
    after its delay; here the poll is simply run again) and store its JSONL as events."""
    from odoo.addons.omni_connector_shopify.const import BULK_STREAM
    from odoo.addons.queue_job.exception import RetryableJobError

    with registry.cursor() as cr:
        backend = _env(cr)["omni.backend"].browse(backend_id)
        backend._shopify_bulk_start()
        operation_id = backend._stream(BULK_STREAM).cursor
    jobs = 1
    while True:
        jobs += 1
        try:
            with registry.cursor() as cr:
                _env(cr)["omni.backend"].browse(backend_id)._shopify_bulk_poll(operation_id)
            return jobs
        except RetryableJobError:
            time.sleep(0.2)


def run_pipeline(registry, url, master, bulk=True, profile=None):
    """The pipeline; ``profile``: a path where the cProfile stats of the event processing
    (the pull excluded) are written, with the SQL query count printed."""
    backend_id = make_backend(registry, "Bench pipeline", url, master)
    start = time.perf_counter()
    pulls = (_pull_bulk if bulk else _pull_paginated)(registry, backend_id)
    with registry.cursor() as cr:
        event_ids = _env(cr)["omni.event"].search([("backend_id", "=", backend_id)], order="id").ids
    pull_seconds = time.perf_counter() - start
    profiler, queries = (cProfile.Profile() if profile else None), 0
    for first in range(0, len(event_ids), BATCH):  # one job per batch, as the runner does
        with registry.cursor() as cr:
            if profiler:
                profiler.enable()
            _env(cr)["omni.event"].browse(event_ids[first : first + BATCH])._process_job()
            if profiler:
                profiler.disable()
            queries += cr.sql_log_count
    seconds = time.perf_counter() - start
    if profiler:
        profiler.dump_stats(profile)
        print(
            f"profile written to {profile}; {queries} SQL queries for {len(event_ids)} events "
            f"({queries / max(len(event_ids), 1):.1f} per event)",
            flush=True,
        )
    with registry.cursor() as cr:
        env = _env(cr)
        events = env["omni.event"].search([("backend_id", "=", backend_id)])
        not_done = events.filtered(lambda e: e.state != "done")
        errors = sorted(set(not_done.mapped("error_message")))[:3]
        orders = env["sale.order"].search_count(
            [("omni_backend_id", "=", backend_id), ("state", "=", "sale")]
        )
    return orders, seconds, pull_seconds, pulls, len(not_done), errors


def run_naive(registry, url, master, limit):
    backend_id = make_backend(registry, "Bench naive", url, master)
    from odoo.addons.omni_connector_shopify.tools import queries
    from odoo.addons.omni_connector_shopify.tools.parser import parse_order_graphql

    start = time.perf_counter()
    done, cursor = 0, None
    while done < limit:
        with registry.cursor() as cr:  # fetch one page
            backend = _env(cr)["omni.backend"].browse(backend_id)
            adapter = backend._shopify_adapter()
            first = backend.shopify_page_size or 2
        page = adapter.execute(queries.ORDERS_QUERY, {"first": first, "after": cursor})["orders"]
        for node in page["nodes"][: limit - done]:
            with registry.cursor() as cr:  # one database transaction per order
                env = _env(cr)
                backend = env["omni.backend"].browse(backend_id)
                # the order's transactions travel on it (order.payments)
                env["omni.importer"].import_order(backend, parse_order_graphql(node))
            done += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = page["pageInfo"]["endCursor"]
    return done, time.perf_counter() - start


def _shop_amount(bag):
    return Decimal(bag["shopMoney"]["amount"])


def _discount(gross, discount):
    """The importer's rule: Odoo's percentage when exact to the cent, else a discount line."""
    if not discount:
        return 0.0, None
    pct = round(discount / gross * 100, 2)
    if abs(float(gross) * (1 - float(pct) / 100) - float(gross - discount)) < 0.005:
        return float(pct), None
    return 0.0, -float(discount)


def ceiling_vals(world, master, partner_ids):
    """The sale orders of the shop as plain ORM values (no parsing, no mapping): the same
    lines, prices, discounts and taxes as the importer makes."""
    tax = [Command.set([master["tax"]])]
    vals_list = []
    for node in world.orders:
        lines = []
        for item in node["lineItems"]:
            unit = _shop_amount(item["originalUnitPriceSet"])
            discount = sum(
                (_shop_amount(a["allocatedAmountSet"]) for a in item["discountAllocations"]),
                Decimal(0),
            )
            pct, discount_line = _discount(unit * item["quantity"], discount)
            lines.append(
                Command.create(
                    {
                        "product_id": master["products"][item["sku"]],
                        "name": item["name"],
                        "product_uom_qty": item["quantity"],
                        "price_unit": float(unit),
                        "discount": pct,
                        "tax_id": tax,
                    }
                )
            )
            if discount_line:
                lines.append(
                    Command.create(
                        {
                            "product_id": master["discount"],
                            "name": f"Discount on {item['name']}",
                            "product_uom_qty": 1,
                            "price_unit": discount_line,
                            "tax_id": tax,
                        }
                    )
                )
        for ship in node["shippingLines"]:
            lines.append(
                Command.create(
                    {
                        "product_id": master["shipping"],
                        "name": ship["title"],
                        "product_uom_qty": 1,
                        "price_unit": float(_shop_amount(ship["originalPriceSet"])),
                        "tax_id": tax if ship["taxLines"] else [Command.clear()],
                    }
                )
            )
        vals_list.append(
            {
                "partner_id": partner_ids[node["email"]],
                "pricelist_id": master["pricelist"],
                "warehouse_id": master["warehouse"],
                "client_order_ref": node["name"],
                "origin": f"shopify {node['name']}",
                "order_line": lines,
            }
        )
    return vals_list


def _credit_notes(env, nodes, orders):
    """One posted credit note per refund, lines priced as their sale lines."""
    vals_list = []
    for node, order in zip(nodes, orders, strict=True):
        sale_lines = {
            item["name"]: line
            for item, line in zip(
                node["lineItems"],
                order.order_line.filtered(lambda sol: sol.product_id.default_code),
                strict=False,
            )
        }
        for refund in node["refunds"]:
            lines = []
            for item in refund["refundLineItems"]:
                sale_line = sale_lines[item["lineItem"]["name"]]
                lines.append(
                    Command.create(
                        {
                            "product_id": sale_line.product_id.id,
                            "name": sale_line.name,
                            "quantity": item["quantity"],
                            "price_unit": sale_line.price_unit,
                            "discount": sale_line.discount,
                            "tax_ids": [Command.set(sale_line.tax_id.ids)],
                            "sale_line_ids": [Command.link(sale_line.id)],
                        }
                    )
                )
            vals_list.append(
                {
                    "move_type": "out_refund",
                    "partner_id": order.partner_invoice_id.id,
                    "currency_id": order.currency_id.id,
                    "invoice_origin": order.name,
                    "invoice_line_ids": lines,
                }
            )
    if vals_list:
        env["account.move"].create(vals_list).action_post()


def run_ceiling(registry, world, master, full=True):
    """Bare ORM, BATCH orders per transaction; ``full``: also the deliveries and the credit
    notes the pipeline makes, else create + confirm only."""
    with registry.cursor() as cr:  # the customers exist, as the pipeline makes them
        env = _env(cr)
        countries = {c.code: c.id for c in env["res.country"].search([])}
        vals_list = []
        for customer in world.customers:
            address = customer["defaultAddress"]
            vals_list.append(
                {
                    "name": f"Ceiling {customer['displayName']}",
                    "email": customer["defaultEmailAddress"]["emailAddress"],
                    "phone": customer["defaultPhoneNumber"]["phoneNumber"],
                    "customer_rank": 1,
                    "street": address["address1"],
                    "city": address["city"],
                    "zip": address["zip"],
                    "country_id": countries.get(address["countryCodeV2"], False),
                }
            )
        partners = env["res.partner"].create(vals_list)
        partner_ids = dict(zip(partners.mapped("email"), partners.ids))
    vals_list = ceiling_vals(world, master, partner_ids)
    start = time.perf_counter()
    for first in range(0, len(vals_list), BATCH):
        with registry.cursor() as cr:
            env = _env(cr)
            orders = env["sale.order"].create(vals_list[first : first + BATCH])
            orders.action_confirm()
            if full:
                nodes = world.orders[first : first + BATCH]
                # the ORM's own validation of the deliveries, as the importer does it
                env["omni.importer"]._deliver(
                    orders.browse(
                        [
                            order.id
                            for node, order in zip(nodes, orders, strict=True)
                            if node["displayFulfillmentStatus"] == "FULFILLED"
                        ]
                    )
                )
                _credit_notes(env, nodes, orders)
    return len(vals_list), time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--n", type=int, default=2000, help="orders to import")
    parser.add_argument("--naive-n", type=int, default=500, help="orders of the naive baseline")
    parser.add_argument(
        "--paginated",
        action="store_true",
        help="pull the orders page by page instead of the initial backfill's bulk operation",
    )
    parser.add_argument(
        "--profile",
        metavar="PATH",
        help="write the cProfile stats of the pipeline's event processing to PATH "
        "(the pipeline's rate then includes the profiler's overhead)",
    )
    args = parser.parse_args()
    if not has_shopify_schema():
        sys.exit("the Shopify Admin schema (reference data) is needed: see tests/omni_sandboxes")
    odoo.tools.config.parse_config(["-c", args.conf, "-d", args.db, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.db)
    world = generate_shop(n_orders=args.n, seed=11)
    print(f"generated {len(world.orders)} orders, {len(world.products)} products", flush=True)
    master = setup_masterdata(registry, world)
    sandbox = ShopifySandbox(world, access_token=TOKEN, restore_rate=1e9).start()
    try:
        n, seconds, pull_seconds, pulls, not_done, errors = run_pipeline(
            registry, sandbox.url, master, bulk=not args.paginated, profile=args.profile
        )
        rss = peak_rss_mb()
        assert n == args.n and not not_done, (n, not_done, errors)
        rate = n / seconds
        print(
            f"pipeline: {n} orders in {seconds:.1f}s (pull {pull_seconds:.1f}s in {pulls} "
            f"job(s)) = {rate:.1f} orders/s, peak RSS {rss} MB",
            flush=True,
        )
        naive_n, naive_seconds = run_naive(registry, sandbox.url, master, args.naive_n)
        naive_rate = naive_n / naive_seconds
        print(
            f"naive (1 order per transaction): {naive_n} orders in {naive_seconds:.1f}s = "
            f"{naive_rate:.1f} orders/s",
            flush=True,
        )
    finally:
        sandbox.stop()
    ceil_n, ceil_seconds = run_ceiling(registry, world, master)
    ceil_rate = ceil_n / ceil_seconds
    print(
        f"ceiling (bare ORM, same documents: create+confirm, deliveries, credit notes; "
        f"{BATCH} orders per transaction): {ceil_n} orders in {ceil_seconds:.1f}s = "
        f"{ceil_rate:.1f} orders/s",
        flush=True,
    )
    cc_n, cc_seconds = run_ceiling(registry, world, master, full=False)
    cc_rate = cc_n / cc_seconds
    print(
        f"create+confirm only (bare ORM, {BATCH} per transaction): {cc_n} orders in "
        f"{cc_seconds:.1f}s = {cc_rate:.1f} orders/s",
        flush=True,
    )
    print(
        json.dumps(
            {
                "orders_per_s": round(rate, 1),
                "ceiling_ratio": round(rate / ceil_rate, 2),
                "naive_ratio": round(rate / naive_rate, 2),
                "peak_rss_mb": rss,
                "n": n,
                "ceiling_orders_per_s": round(ceil_rate, 1),
                "create_confirm_orders_per_s": round(cc_rate, 1),
                "create_confirm_ratio": round(rate / cc_rate, 2),
                "naive_orders_per_s": round(naive_rate, 1),
                "naive_n": naive_n,
            }
        )
    )


if __name__ == "__main__":
    main()
