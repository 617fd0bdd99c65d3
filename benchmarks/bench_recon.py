#!/usr/bin/env python3
"""Benchmark of the reconciliation engine (omni_reconciliation).

Creates (or reuses) the database ``omni_bench_recon`` with omni_reconciliation and the
test-only channel installed, generates N channel orders with their sale orders, charges,
refunds, orphan charges and payouts directly in SQL (generate_series, no ORM), then runs the
set-based engine at each size, and a naive ORM-loop baseline at the small size, each in a
child process so that its peak RSS is its own.

    .venv/bin/python benchmarks/bench_recon.py [--sizes 10000,100000] [--naive 10000]
                                               [--million] [--fresh]
    scripts/bench.sh recon [--million]   (--conf/--db given: the database is already prepared)

The last line of output is one JSON object:
    {"sizes": {"10000": {"seconds": .., "peak_rss_mb": ..}, ...}, "naive_seconds": {...}}
"""

import argparse
import datetime
import hashlib
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
ODOO_SRC = Path(os.environ.get("ODOO_SRC", "/opt/odoo17"))
DB = os.environ.get("OMNI_BENCH_RECON_DB", "omni_bench_recon")
PG = {
    "host": os.environ.get("PGHOST", "127.0.0.1"),
    "port": os.environ.get("PGPORT", "5432"),
    "user": os.environ.get("PGUSER", "odoo"),
}
CONF = Path(os.environ.get("OMNI_BENCH_RECON_CONF", HERE / "var" / "odoo-bench-recon.conf"))
STOCKED_PRODUCTS = 50  # stock levels: one per stocked product and channel location


def write_conf():
    CONF.parent.mkdir(parents=True, exist_ok=True)
    addons = [str(ODOO_SRC / "odoo" / "addons"), str(HERE), str(HERE / "tests" / "addons")]
    if (ODOO_SRC / "addons").is_dir():
        addons.insert(0, str(ODOO_SRC / "addons"))
    CONF.write_text(
        "[options]\n"
        f"addons_path = {','.join(addons)}\n"
        f"data_dir = {HERE / 'var' / 'data'}\n"
        f"db_host = {PG['host']}\ndb_port = {PG['port']}\ndb_user = {PG['user']}\n"
        f"db_name = {DB}\nlist_db = False\n"
    )


def psql(sql, db=DB):
    out = subprocess.run(
        [
            "psql",
            "-h",
            PG["host"],
            "-p",
            PG["port"],
            "-U",
            PG["user"],
            "-d",
            db,
            "-Atq",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ],
        capture_output=True,
        text=True,
    )
    if out.returncode:
        sys.exit(f"[bench] SQL failed: {out.stderr.strip()}")
    return out.stdout.strip()


def ensure_db(fresh):
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB}'", db="postgres")
    if exists and not fresh:
        installed = psql("SELECT state FROM ir_module_module WHERE name = 'omni_reconciliation'")
        if installed == "installed":
            print(f"[bench] reusing database {DB}")
            return
    subprocess.run(
        ["dropdb", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "--if-exists", DB],
        check=True,
    )
    print(f"[bench] creating {DB} and installing omni_reconciliation (about a minute)")
    start = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            str(ODOO_SRC / "odoo-bin"),
            "-c",
            str(CONF),
            "-d",
            DB,
            "-i",
            "omni_reconciliation,omni_test_channel",
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=warn",
        ],
        check=True,
    )
    print(f"[bench] installed in {time.monotonic() - start:.0f}s")


# ------------------------------------------------------------------------------------------
# Child side: runs inside Odoo
# ------------------------------------------------------------------------------------------


def odoo_env():
    sys.path.insert(0, str(ODOO_SRC))
    import odoo
    from odoo.tools import config

    config.parse_config(["-c", str(CONF), "-d", DB, "--log-level=warn"])
    registry = odoo.registry(DB)
    return odoo, registry


def child_setup():
    odoo, registry = odoo_env()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        backend = env["omni.backend"].search([("name", "=", "Bench")], limit=1)
        if not backend:
            # the test-only channel when installed, else any installed connector's channel
            field = env["omni.backend"]._fields["channel"]
            channels = [key for key, _label in field._description_selection(env)]
            channel = next((c for c in ("omnitest", "pos") if c in channels), channels[0])
            backend = env["omni.backend"].create({"name": "Bench", "channel": channel})
        partner = env["res.partner"].search([("name", "=", "Bench Customer")], limit=1)
        partner = partner or env["res.partner"].create({"name": "Bench Customer"})
        product = env["product.product"].search([("default_code", "=", "BENCH-SVC")], limit=1)
        product = product or env["product.product"].create(
            {"name": "Bench Service", "default_code": "BENCH-SVC", "detailed_type": "service"}
        )
        warehouse = env["stock.warehouse"].search([], limit=1)
        # stockable products with a cost and 100 units on hand, for the stock-drift check
        stocked = env["product.product"].search([("default_code", "=like", "BENCH-STK-%")])
        if not stocked:
            stocked = env["product.product"].create(
                [
                    {
                        "name": f"Bench Stock {k}",
                        "default_code": f"BENCH-STK-{k:03d}",
                        "detailed_type": "product",
                        "standard_price": 2.0 + k,
                    }
                    for k in range(STOCKED_PRODUCTS)
                ]
            )
            for stock_product in stocked:
                env["stock.quant"]._update_available_quantity(
                    stock_product, warehouse.lot_stock_id, 100
                )
        result = {
            "company": env.company.id,
            "currency": env.company.currency_id.id,
            "backend": backend.id,
            "channel": backend.channel,
            "partner": partner.id,
            "product": product.id,
            "uom": product.uom_id.id,
            "warehouse": warehouse.id,
            "stocked": "ARRAY[" + ",".join(str(i) for i in stocked.ids) + "]::int[]",
            "sale_journal": env["account.journal"]
            .search([("type", "=", "sale"), ("company_id", "=", env.company.id)], limit=1)
            .id,
            "income_account": env["account.account"]
            .search([("account_type", "=", "income"), ("company_id", "=", env.company.id)], limit=1)
            .id,
        }
    print(json.dumps(result))


def child_engine():
    odoo, registry = odoo_env()
    from odoo import fields

    with registry.cursor() as cr:
        # the books as they stood a minute after the time the facts are dated from (ANCHOR):
        # the same exceptions whatever the time the engine runs, so that two engines' results
        # compare exactly
        cr.execute(
            "SELECT date_trunc('day', MAX(create_date)) - interval '12 hours' "
            "+ interval '1 minute' FROM omni_order"
        )
        as_of = cr.fetchone()[0]
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"omni_recon_as_of": as_of})
        today = fields.Date.context_today(env["omni.recon.run"])
        timings, first, digest = [], None, None
        for _i in range(2):  # first run raises everything; the second is the idempotent re-run
            run = env["omni.recon.run"].create(
                {"date_from": today.replace(year=today.year - 1), "date_to": today}
            )
            start = time.monotonic()
            counts = run._run()
            timings.append(time.monotonic() - start)
            first = first or counts
            digest = digest or exceptions_digest(cr, as_of)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": timings[0],
                "rerun_seconds": timings[1],
                "peak_rss_mb": rss,
                "first": first,
                "rerun": counts,
                "digest": digest,
            }
        )
    )


def exceptions_digest(cr, as_of):
    """What the run raised, independent of record ids and of the day it ran: each open
    exception's type, amount, title and details (they name the orders, payments and payouts),
    every date in them written as its distance in days to the run's clock, hashed."""
    cr.execute(
        """SELECT concat_ws('|', exception_type, amount, name, explanation)
             FROM omni_recon_exception WHERE state = 'open'"""
    )

    def relative(match):
        day = datetime.date.fromisoformat(match.group(0))
        return f"D{(as_of.date() - day).days}"

    rows = sorted(re.sub(r"\d{4}-\d{2}-\d{2}", relative, row) for (row,) in cr.fetchall())
    return f"{len(rows)}:{hashlib.md5(chr(10).join(rows).encode()).hexdigest()}"


def child_naive():
    """The naive baseline: an ORM loop over the population, one record at a time."""
    odoo, registry = odoo_env()
    from datetime import timedelta

    from odoo import fields

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        start = time.monotonic()
        now = fields.Datetime.now()
        found = []
        for order in env["omni.order"].search([]):
            so = order.sale_order_id
            if not so:
                if not order.cancelled_at:
                    found.append(("missing_in_odoo", order.amount_total))
                continue
            if abs(so.amount_total - order.amount_total) > 0.005:
                found.append(("amount_mismatch", abs(so.amount_total - order.amount_total)))
            paid = sum(
                p.amount
                for p in order.payment_ids
                if p.payment_type in ("charge", "refund", "cash", "gift_card")
            )
            owed = order.amount_total - order.amount_refunded
            if order.payment_ids or order.financial_state == "paid":
                if owed - paid > 0.005:
                    found.append(("underpaid", owed - paid))
                elif paid - owed > 0.005:
                    found.append(("overpaid", paid - owed))
        for payment in env["omni.payment"].search([("payment_type", "=", "charge")]):
            if not payment.order_id:
                found.append(("orphan_payment", payment.amount))
            if (
                not payment.payout_id
                and payment.available_on
                and (payment.available_on < now - timedelta(days=2))
            ):
                found.append(("unsettled_payment", payment.net_amount))
        for payout in env["omni.payout"].search([]):
            net = sum(payout.payment_ids.mapped("net_amount"))
            if payout.payment_ids and abs(payout.amount - net) > 0.005:
                found.append(("payout_mismatch", abs(payout.amount - net)))
        # ... and raises its exceptions one ORM create at a time, as a naive loop would
        Exc = env["omni.recon.exception"]
        for etype, amount in found:
            Exc.create({"name": etype, "exception_type": etype, "amount": amount})
        env.flush_all()
        seconds = time.monotonic() - start
        cr.rollback()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_rss_mb": rss, "found": len(found)}))


# ------------------------------------------------------------------------------------------
# Parent side: data generation in SQL
# ------------------------------------------------------------------------------------------

GENERATE = """
BEGIN;
DELETE FROM omni_recon_exception;
DELETE FROM omni_store_day_tender;
DELETE FROM omni_store_day;
DELETE FROM omni_stock_level;
DELETE FROM omni_location WHERE backend_id = {backend};
DELETE FROM omni_payment;
DELETE FROM omni_payout;
DELETE FROM omni_order;
DELETE FROM sale_order_line_invoice_rel;
DELETE FROM account_move WHERE journal_id = {sale_journal} AND name LIKE 'INV/B/%%';
DELETE FROM sale_order_line;
DELETE FROM sale_order;
-- channel orders: 2%% missing in Odoo, 1%% price mismatch, 2.5%% partially refunded
INSERT INTO omni_order (name, backend_id, company_id, channel, external_id, currency_id,
                        amount_total, amount_refunded, financial_state, channel_created_at,
                        create_date, write_date, create_uid, write_uid)
SELECT '#B' || i, {backend}, {company}, '{channel}', 'B' || i, {currency},
       10.99 + (i %% 200), CASE WHEN i %% 40 = 0 THEN 5 ELSE 0 END, 'paid',
       {anchor} - make_interval(days => i %% 60, secs => i %% 86400),
       now() at time zone 'utc', now() at time zone 'utc', 1, 1
  FROM generate_series(1, {n}) i;
INSERT INTO sale_order (name, partner_id, partner_invoice_id, partner_shipping_id, company_id,
                        currency_id, date_order, picking_policy, warehouse_id, state,
                        amount_untaxed, amount_total, invoice_status, omni_backend_id,
                        omni_channel, omni_external_ref, create_date, write_date,
                        create_uid, write_uid)
SELECT 'SB' || o.external_id, {partner}, {partner}, {partner}, {company}, {currency},
       o.channel_created_at, 'direct', {warehouse}, 'sale',
       o.amount_total - CASE WHEN substr(o.external_id, 2)::int %% 97 = 0 THEN 1 ELSE 0 END,
       o.amount_total - CASE WHEN substr(o.external_id, 2)::int %% 97 = 0 THEN 1 ELSE 0 END,
       'invoiced', {backend}, '{channel}', o.external_id,
       now() at time zone 'utc', now() at time zone 'utc', 1, 1
  FROM omni_order o
 WHERE substr(o.external_id, 2)::int %% 50 <> 0;
UPDATE omni_order o SET sale_order_id = so.id
  FROM sale_order so
 WHERE so.omni_backend_id = o.backend_id AND so.omni_external_ref = o.external_id;
INSERT INTO sale_order_line (order_id, name, product_id, product_uom, product_uom_qty,
                             price_unit, price_subtotal, price_total, qty_delivered,
                             qty_invoiced, customer_lead, company_id, currency_id, state,
                             create_date, write_date, create_uid, write_uid)
SELECT so.id, 'Bench Service', {product}, {uom}, 1, so.amount_total, so.amount_total,
       so.amount_total, 0, 1, 0, {company}, {currency}, 'sale',
       now() at time zone 'utc', now() at time zone 'utc', 1, 1
  FROM sale_order so;
-- invoices: each sale order's, posted, its line billing the sale line (as Odoo's invoicing
-- links them)
INSERT INTO account_move (name, move_type, state, auto_post, date, invoice_date, journal_id,
                          company_id, currency_id, partner_id, amount_untaxed, amount_total,
                          invoice_origin, create_date, write_date, create_uid, write_uid)
SELECT 'INV/B/' || so.id, 'out_invoice', 'posted', 'no', so.date_order::date,
       so.date_order::date, {sale_journal}, {company}, {currency}, {partner}, so.amount_total,
       so.amount_total, so.name, now() at time zone 'utc', now() at time zone 'utc', 1, 1
  FROM sale_order so;
INSERT INTO account_move_line (move_id, display_type, account_id, currency_id, company_id,
                               partner_id, product_id, name, quantity, price_unit,
                               price_subtotal, price_total, create_date, write_date,
                               create_uid, write_uid)
SELECT am.id, 'product', {income_account}, {currency}, {company}, {partner}, sol.product_id,
       sol.name, 1,
       sol.price_unit, sol.price_subtotal, sol.price_total,
       now() at time zone 'utc', now() at time zone 'utc', 1, 1
  FROM account_move am
  JOIN sale_order so ON so.name = am.invoice_origin
  JOIN sale_order_line sol ON sol.order_id = so.id
 WHERE am.journal_id = {sale_journal} AND am.name LIKE 'INV/B/%%';
INSERT INTO sale_order_line_invoice_rel (invoice_line_id, order_line_id)
SELECT aml.id, sol.id
  FROM account_move_line aml
  JOIN account_move am ON am.id = aml.move_id
  JOIN sale_order so ON so.name = am.invoice_origin
  JOIN sale_order_line sol ON sol.order_id = so.id
 WHERE am.journal_id = {sale_journal} AND am.name LIKE 'INV/B/%%';
-- payouts: one per 100 orders, paid ones are 10%% of them (none is in the bank)
INSERT INTO omni_payout (backend_id, company_id, channel, external_id, currency_id, amount,
                         status, arrival_date, create_date, write_date, create_uid, write_uid)
SELECT {backend}, {company}, '{channel}', 'po_' || k, {currency}, 0,
       CASE WHEN k %% 10 = 0 THEN 'paid' ELSE 'in_transit' END,
       {anchor} - make_interval(days => k %% 60),
       now() at time zone 'utc', now() at time zone 'utc', 1, 1
  FROM generate_series(0, {n} / 100) k;
-- charges: 2%% of paid orders have none, 1.4%% are overcharged by 5
INSERT INTO omni_payment (backend_id, company_id, channel, external_id, payment_type, status,
                          currency_id, amount, fee_amount, net_amount, order_id,
                          order_external_ref, payout_id, channel_created_at, available_on,
                          create_date, write_date, create_uid, write_uid)
SELECT {backend}, {company}, '{channel}', 'ch_' || o.external_id, 'charge', 'succeeded',
       {currency}, x.amount, ROUND(x.amount * 0.029 + 0.30, 2),
       x.amount - ROUND(x.amount * 0.029 + 0.30, 2), o.id, o.external_id,
       CASE WHEN x.i %% 333 <> 0 THEN po.id END,
       o.channel_created_at, o.channel_created_at + interval '2 days',
       now() at time zone 'utc', now() at time zone 'utc', 1, 1
  FROM omni_order o
 CROSS JOIN LATERAL (SELECT substr(o.external_id, 2)::int AS i,
                            o.amount_total + CASE WHEN substr(o.external_id, 2)::int %% 71 = 0
                                                  THEN 5 ELSE 0 END AS amount) x
  LEFT JOIN omni_payout po ON po.external_id = 'po_' || (x.i / 100)
 WHERE x.i %% 53 <> 0;
INSERT INTO omni_payment (backend_id, company_id, channel, external_id, payment_type, status,
                          currency_id, amount, fee_amount, net_amount, order_id,
                          order_external_ref, channel_created_at, available_on,
                          create_date, write_date, create_uid, write_uid)
SELECT {backend}, {company}, '{channel}', 're_' || o.external_id, 'refund', 'succeeded',
       {currency}, -5, 0, -5, o.id, o.external_id, o.channel_created_at,
       o.channel_created_at + interval '2 days',
       now() at time zone 'utc', now() at time zone 'utc', 1, 1
  FROM omni_order o WHERE o.amount_refunded = 5;
-- orphan charges: 1 per 100 orders
INSERT INTO omni_payment (backend_id, company_id, channel, external_id, payment_type, status,
                          currency_id, amount, fee_amount, net_amount, order_external_ref,
                          channel_created_at, available_on,
                          create_date, write_date, create_uid, write_uid)
SELECT {backend}, {company}, '{channel}', 'orphan_' || k, 'charge', 'succeeded', {currency},
       25, 1.03, 23.97, 'UNKNOWN-' || k,
       {anchor} - make_interval(days => k %% 60),
       now() at time zone 'utc', now() at time zone 'utc', now() at time zone 'utc', 1, 1
  FROM generate_series(1, {n} / 100) k;
-- payout amount = net of its movements, except every 20th (off by 1.00)
UPDATE omni_payout po SET amount = t.net + CASE WHEN substr(po.external_id, 4)::int %% 20 = 0
                                               THEN 1 ELSE 0 END
  FROM (SELECT payout_id, SUM(net_amount) AS net FROM omni_payment
         WHERE payout_id IS NOT NULL GROUP BY payout_id) t
 WHERE t.payout_id = po.id;
-- stores: 10 stores, one Z report a day each for n / 500 days (capped at a year), cash and
-- card; every 9th tender is off by 2.50. Channel locations: one per 500 orders, each
-- reporting every stocked product; every 7th level is off by 3 units.
INSERT INTO omni_location (name, backend_id, company_id, channel, external_id, kind,
                           warehouse_id, active, create_date, write_date, create_uid, write_uid)
SELECT CASE WHEN k <= 10 THEN 'Bench store ' ELSE 'Bench location ' END || k, {backend},
       {company}, '{channel}', 'bloc_' || k, CASE WHEN k <= 10 THEN 'store' ELSE 'location' END,
       {warehouse}, true, now() at time zone 'utc', now() at time zone 'utc', 1, 1
  FROM generate_series(1, 10 + GREATEST({n} / 500, 1)) k;
INSERT INTO omni_store_day (backend_id, company_id, channel, location_id, business_date,
                            currency_id, z_reported, create_date, write_date, create_uid,
                            write_uid)
SELECT {backend}, {company}, '{channel}', l.id, ({anchor})::date - d, {currency}, true,
       now() at time zone 'utc', now() at time zone 'utc', 1, 1
  FROM omni_location l
 CROSS JOIN generate_series(1, LEAST(GREATEST({n} / 500, 1), 365)) d
 WHERE l.backend_id = {backend} AND l.kind = 'store';
INSERT INTO omni_store_day_tender (store_day_id, company_id, currency_id, tender, z_amount,
                                   transactions_amount, gap_amount, transaction_count,
                                   create_date, write_date, create_uid, write_uid)
SELECT sd.id, {company}, {currency}, t.tender, 500 + sd.id %% 300,
       500 + sd.id %% 300 - CASE WHEN (sd.id * 2 + t.k) %% 9 = 0 THEN 2.5 ELSE 0 END,
       CASE WHEN (sd.id * 2 + t.k) %% 9 = 0 THEN 2.5 ELSE 0 END, 40,
       now() at time zone 'utc', now() at time zone 'utc', 1, 1
  FROM omni_store_day sd
 CROSS JOIN (VALUES (0, 'cash'), (1, 'card')) t(k, tender);
UPDATE omni_store_day sd SET z_total = t.z, transactions_total = t.tx, gap_total = t.z - t.tx
  FROM (SELECT store_day_id, SUM(z_amount) AS z, SUM(transactions_amount) AS tx
          FROM omni_store_day_tender GROUP BY store_day_id) t
 WHERE t.store_day_id = sd.id;
INSERT INTO omni_stock_level (backend_id, company_id, channel, location_id, warehouse_id,
                              product_id, channel_quantity, channel_updated_at,
                              create_date, write_date, create_uid, write_uid)
SELECT {backend}, {company}, '{channel}', l.id, {warehouse}, p.product_id,
       CASE WHEN (l.id + p.product_id) %% 7 = 0 THEN 103 ELSE 100 END,
       {anchor} - interval '1 hour',
       now() at time zone 'utc', now() at time zone 'utc', 1, 1
  FROM omni_location l
 CROSS JOIN unnest({stocked}) p(product_id)
 WHERE l.backend_id = {backend} AND l.kind = 'location';
COMMIT;
ANALYZE omni_order; ANALYZE omni_payment; ANALYZE omni_payout;
ANALYZE omni_store_day; ANALYZE omni_store_day_tender; ANALYZE omni_stock_level;
ANALYZE sale_order; ANALYZE sale_order_line; ANALYZE omni_recon_exception;
"""


# What the generated facts are dated from: noon of the day before, whatever the time the bench
# runs, so that two runs (two engines) date every fact alike and raise the same exceptions.
ANCHOR = "(date_trunc('day', now() at time zone 'utc') - interval '12 hours')"


def child(kind, **extra):
    args = [sys.executable, __file__, "--child", kind]
    out = subprocess.run(args, check=True, capture_output=True, text=True, **extra)
    return json.loads(out.stdout.strip().splitlines()[-1])


def generate(ids, n):
    start = time.monotonic()
    psql(GENERATE.format(n=n, anchor=ANCHOR, **ids).replace("%%", "%"))
    psql(  # the previous size's rows are dead tuples: reclaim them before measuring
        "VACUUM ANALYZE omni_order, omni_payment, omni_payout, sale_order, sale_order_line, "
        "account_move, account_move_line, sale_order_line_invoice_rel, omni_recon_exception"
    )
    count = psql("SELECT COUNT(*) FROM omni_payment")
    print(f"[bench] generated {n} orders ({count} payments) in {time.monotonic() - start:.1f}s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--naive", default="10000", help="sizes of the naive baseline")
    parser.add_argument("--million", action="store_true", help="also run 1,000,000 orders")
    parser.add_argument("--fresh", action="store_true", help="recreate the database")
    parser.add_argument("--conf", help="Odoo config of a prepared database (scripts/bench.sh)")
    parser.add_argument("--db", help="prepared database with the suite installed")
    parser.add_argument(
        "--same-as",
        help="a previous run's JSON output (file): fail unless every size raised exactly the "
        "same exceptions (an optimisation must not change what the engine finds)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    global DB, CONF  # children inherit them through the environment
    if args.conf:
        CONF = Path(args.conf)
        os.environ["OMNI_BENCH_RECON_CONF"] = str(CONF)
    if args.db:
        DB = args.db
        os.environ["OMNI_BENCH_RECON_DB"] = DB
    if args.child:
        {"setup": child_setup, "engine": child_engine, "naive": child_naive}[args.child]()
        return
    if not args.conf:
        write_conf()
        ensure_db(args.fresh)
    ids = child("setup")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.million and 1_000_000 not in sizes:
        sizes.append(1_000_000)
    naive_sizes = {int(s) for s in args.naive.split(",") if s}
    result = {"sizes": {}, "naive_seconds": {}}
    for n in sizes:
        generate(ids, n)
        res = child("engine")
        print(
            f"[bench] engine {n:>9} orders: {res['seconds']:.2f}s "
            f"(re-run {res['rerun_seconds']:.2f}s), peak RSS {res['peak_rss_mb']:.0f} MB, "
            f"first run {res['first']}"
        )
        result["sizes"][str(n)] = {
            "seconds": round(res["seconds"], 3),
            "rerun_seconds": round(res["rerun_seconds"], 3),
            "peak_rss_mb": round(res["peak_rss_mb"], 1),
            "exceptions": res["first"]["created_count"],
            "digest": res["digest"],
        }
        if n in naive_sizes:
            psql("DELETE FROM omni_recon_exception")
            naive = child("naive")
            print(
                f"[bench] naive  {n:>9} orders: {naive['seconds']:.2f}s, "
                f"peak RSS {naive['peak_rss_mb']:.0f} MB, {naive['found']} variance(s)"
            )
            result["naive_seconds"][str(n)] = round(naive["seconds"], 3)
    print(json.dumps(result))
    if args.same_as:
        lines = Path(args.same_as).read_text().splitlines()
        reference = json.loads(next(line for line in reversed(lines) if line.startswith("{")))
        for size, res in result["sizes"].items():
            ref = reference["sizes"].get(size)
            if ref and ref.get("digest") != res["digest"]:
                sys.exit(f"[bench] {size} orders: other exceptions than {args.same_as}")
            if ref:
                print(
                    f"[bench] {size} orders: same exceptions as {args.same_as} "
                    f"({ref['seconds']:.2f}s then, {res['seconds']:.2f}s now)"
                )


if __name__ == "__main__":
    main()
