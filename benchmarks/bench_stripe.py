"""Stripe import benchmark: N balance transactions from the sandbox through the real pipeline
(pull -> events -> batch jobs -> importer -> accounting), beside a baseline measured in the same
run: one balance transaction per database transaction, as typical connectors do.

The baseline runs on the first --baseline-n transactions (it is the slow path); both figures
are rates, so they compare. The last line printed is one JSON object with the figures.
"""

import argparse
import itertools
import json
import logging
import math
import resource
import time

from omni_sandboxes.stripe_sandbox import StripeSandbox, generate_month

import odoo
from odoo import SUPERUSER_ID, api

KEY = "sk_test_bench"


def peak_rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def make_backend(env, name, url, journal_code):
    company = env.company
    for code in ("EUR", "JPY"):
        env.ref(f"base.{code}").active = True
    journal = env["account.journal"].create({"name": name, "code": journal_code, "type": "bank"})
    accounts = {
        field: env["account.account"].create(
            {"name": f"{name} {field}", "code": f"{journal_code}{n}", "account_type": "expense"}
        )
        for n, field in enumerate(
            (
                "settlement_fee_account_id",
                "settlement_dispute_account_id",
                "settlement_adjustment_account_id",
            )
        )
    }
    return env["omni.backend"].create(
        {
            "name": name,
            "channel": "stripe",
            "company_id": company.id,
            "stripe_api_base": url,
            "stripe_secret_key": KEY,
            "stripe_journal_id": journal.id,
            **{field: account.id for field, account in accounts.items()},
        }
    )


def run_pipeline(registry, url):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        backend_id = make_backend(env, "Bench pipeline", url, "BNP").id
    start = time.perf_counter()
    with registry.cursor() as cr:  # the pull job
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["omni.backend"].browse(backend_id)._stripe_pull()
        event_ids = env["omni.event"].search([("backend_id", "=", backend_id)], order="id").ids
    batch = 50  # PROCESS_BATCH_SIZE of omni.event._enqueue
    for first in range(0, len(event_ids), batch):  # one job per batch, as the runner does
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["omni.event"].browse(event_ids[first : first + batch])._process_job()
    seconds = time.perf_counter() - start
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        payments = env["omni.payment"].search([("backend_id", "=", backend_id)])
        # each movement is in the ledger: registered (customer money) or in a settlement entry
        unbooked = len(payments.filtered(lambda p: not p.move_id and not p.account_payment_id))
        return len(payments), seconds, unbooked


def run_baseline(registry, url, limit):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        backend_id = make_backend(env, "Bench baseline", url, "BNB").id
    from odoo.addons.omni_connector_stripe.tools.parser import parse_balance_transaction

    start = time.perf_counter()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        adapter = env["omni.backend"].browse(backend_id)._stripe_adapter()
        txns = list(itertools.islice(adapter.balance_transactions(), limit))  # only its pages
    for txn in txns:  # one database transaction per balance transaction
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            backend = env["omni.backend"].browse(backend_id)
            env["omni.importer"].import_payments(
                backend, [parse_balance_transaction(txn)], settle=True
            )
    return len(txns), time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--n", type=int, default=20000, help="balance transactions to import")
    parser.add_argument("--baseline-n", type=int, default=2000)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.conf, "-d", args.db, "--log-level=warn"])
    logging.getLogger("stripe").setLevel(logging.WARNING)  # one INFO line per HTTP call
    registry = odoo.modules.registry.Registry(args.db)
    # About 1.17 balance transactions per charge in a generated month.
    world = generate_month(seed=11, charges_per_day=max(1, math.ceil(args.n / 30 / 1.17)))
    print(
        f"generated {len(world.balance_transactions)} balance transactions, "
        f"{len(world.payouts)} payouts",
        flush=True,
    )
    with StripeSandbox(world, api_key=KEY) as sandbox:
        n, seconds, unbooked = run_pipeline(registry, sandbox.url)
        rss = peak_rss_mb()
        assert n == len(world.balance_transactions) and not unbooked, (n, unbooked)
        rate = n / seconds
        print(
            f"pipeline: {n} txns in {seconds:.1f}s = {rate:.0f} txn/s, peak RSS {rss} MB",
            flush=True,
        )
        base_n, base_seconds = run_baseline(registry, sandbox.url, args.baseline_n)
        base_rate = base_n / base_seconds
        print(
            f"baseline (1 txn per transaction): {base_n} txns in {base_seconds:.1f}s = "
            f"{base_rate:.0f} txn/s",
            flush=True,
        )
    print(
        json.dumps(
            {
                "txn_per_s": round(rate, 1),
                "baseline_ratio": round(rate / base_rate, 2),
                "peak_rss_mb": rss,
                "n": n,
                "baseline_txn_per_s": round(base_rate, 1),
                "baseline_n": base_n,
            }
        )
    )


if __name__ == "__main__":
    main()
