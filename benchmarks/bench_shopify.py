"""Shopify import benchmark: N seeded orders from the GraphQL sandbox through the real pipeline
(pull jobs -> omni.event -> batch jobs of 50 events -> shared importer -> confirmed sale
orders, credit notes for refunds, payments), beside two baselines measured in the same run:

- ceiling: bare ORM, the same sale orders (same partners, products, prices, discounts, taxes,
  shipping) created and confirmed in batches of 50 per transaction, with no fetching, parsing,
  mapping, events or canonical objects: what the database and the ORM allow at best;
- naive: what typical connectors do, one order per database transaction (fetch a page, then
  parse and import each order in its own transaction, no events), on the first --naive-n
  orders (it is the slow path; rates compare).

The sandbox runs in this process (a thread) with an unlimited cost bucket, so the figures
measure Omni, not Shopify's rate limit; its HTTP and GraphQL validation time is inside the
pipeline and naive figures, not in the ceiling's. The last line printed is one JSON object.
"""

import argparse
import json
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, api
from odoo.fields import Command

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from omni_sandboxes.shopify_sandbox import ShopifySandbox, generate_shop, has_shopify_schema

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
        shipping = env["product.product"].create(
            {"name": "Shipping (bench)", "detailed_type": "service", "list_price": 0.0}
        )
        return {
            "pricelist": pricelist.id,
            "tax": tax.id,
            "products": {p.default_code: p.id for p in products},
            "shipping": shipping.id,
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
                    "warehouse_id": env["stock.warehouse"]
                    .search([("company_id", "=", company.id)], limit=1)
                    .id,
                    "tax_map_ids": [
                        Command.create(
                            {"channel_tax": "VAT", "rate": 0.2, "tax_id": master["tax"]}
                        )
                    ],
                }
            )
            .id
        )


def run_pipeline(registry, url, master):
    backend_id = make_backend(registry, "Bench pipeline", url, master)
    start = time.perf_counter()
    cursor, since, pulls = None, None, 0
    while True:  # the pull job and its continuations (one transaction each)
        with registry.cursor() as cr:
            env = _env(cr)
            backend = env["omni.backend"].browse(backend_id)
            backend._shopify_pull_orders(cursor=cursor, since=since)
            pulls += 1
            cursor = backend._stream("orders").cursor or None
            since = since if since is not None else ""
        if not cursor:
            break
    with registry.cursor() as cr:
        event_ids = _env(cr)["omni.event"].search([("backend_id", "=", backend_id)], order="id").ids
    pull_seconds = time.perf_counter() - start
    for first in range(0, len(event_ids), BATCH):  # one job per batch, as the runner does
        with registry.cursor() as cr:
            _env(cr)["omni.event"].browse(event_ids[first : first + BATCH])._process_job()
    seconds = time.perf_counter() - start
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
    from odoo.addons.omni_connector_shopify.tools.parser import (
        parse_order_graphql,
        parse_transaction_graphql,
    )

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
                order = parse_order_graphql(node)
                env["omni.importer"].import_order(backend, order)
                payments = [
                    parse_transaction_graphql(txn, order.external_id)
                    for txn in node.get("transactions") or []
                ]
                if payments:
                    env["omni.importer"].import_payments(backend, payments)
            done += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = page["pageInfo"]["endCursor"]
    return done, time.perf_counter() - start


def _shop_amount(bag):
    return Decimal(bag["shopMoney"]["amount"])


def ceiling_vals(world, master, partner_ids):
    """The sale orders of the shop as plain ORM values (no parsing, no mapping)."""
    tax = [Command.set([master["tax"]])]
    vals_list = []
    for node in world.orders:
        lines = []
        for item in node["lineItems"]:
            gross = _shop_amount(item["originalUnitPriceSet"]) * item["quantity"]
            discount = _shop_amount(item["totalDiscountSet"])
            lines.append(
                Command.create(
                    {
                        "product_id": master["products"][item["sku"]],
                        "product_uom_qty": item["quantity"],
                        "price_unit": float(_shop_amount(item["originalUnitPriceSet"])),
                        "discount": float(discount / gross * 100) if discount else 0.0,
                        "tax_id": tax,
                    }
                )
            )
        for ship in node["shippingLines"]:
            price = _shop_amount(ship["discountedPriceSet"])
            if price:
                lines.append(
                    Command.create(
                        {
                            "product_id": master["shipping"],
                            "name": ship["title"],
                            "product_uom_qty": 1,
                            "price_unit": float(price),
                            "tax_id": tax,
                        }
                    )
                )
        vals_list.append(
            {
                "partner_id": partner_ids[node["email"]],
                "pricelist_id": master["pricelist"],
                "client_order_ref": node["name"],
                "order_line": lines,
            }
        )
    return vals_list


def run_ceiling(registry, world, master):
    with registry.cursor() as cr:  # the customers exist, as they do for the pipeline
        env = _env(cr)
        emails = sorted({o["email"] for o in world.orders})
        partners = env["res.partner"].create(
            [{"name": f"Ceiling {email}", "email": email} for email in emails]
        )
        partner_ids = dict(zip(emails, partners.ids))
    vals_list = ceiling_vals(world, master, partner_ids)
    start = time.perf_counter()
    for first in range(0, len(vals_list), BATCH):
        with registry.cursor() as cr:
            orders = _env(cr)["sale.order"].create(vals_list[first : first + BATCH])
            orders.action_confirm()
    return len(vals_list), time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--n", type=int, default=2000, help="orders to import")
    parser.add_argument("--naive-n", type=int, default=500, help="orders of the naive baseline")
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
            registry, sandbox.url, master
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
        f"ceiling (bare ORM create+confirm, {BATCH} per transaction): {ceil_n} orders in "
        f"{ceil_seconds:.1f}s = {ceil_rate:.1f} orders/s",
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
                "naive_orders_per_s": round(naive_rate, 1),
                "naive_n": naive_n,
            }
        )
    )


if __name__ == "__main__":
    main()
