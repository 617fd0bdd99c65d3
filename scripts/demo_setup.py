"""Wire the demo database to the channel sandboxes (run through `odoo shell`, idempotent).

The Stripe demo backend gets the sandbox's address and key, a Stripe journal and accounts,
then the pull is enqueued: the queue_job runner of the served instance does the rest.
"""

# ruff: noqa: F821  (env is given by odoo shell)
import os

stripe_url = os.environ["OMNI_STRIPE_SANDBOX_URL"]
company = env.ref("base.main_company")
backend = env.ref("omni_connector_stripe.omni_backend_demo_stripe")
Journal = env["account.journal"].with_company(company)
journal = Journal.search([("code", "=", "STRP"), ("company_id", "=", company.id)], limit=1)
if not journal:
    journal = Journal.create({"name": "Stripe", "code": "STRP", "type": "bank"})


def account(code, name):
    found = env["account.account"].search(
        [("code", "=", code), ("company_id", "=", company.id)], limit=1
    )
    return found or env["account.account"].create(
        {"code": code, "name": name, "account_type": "expense", "company_id": company.id}
    )


for code in ("EUR", "JPY"):
    env.ref(f"base.{code}").active = True
backend.write(
    {
        "stripe_api_base": stripe_url,
        "stripe_secret_key": "sk_test_omni_demo",
        "webhook_secret": "whsec_omni_demo",
        "stripe_journal_id": journal.id,
        "settlement_fee_account_id": account("627100", "Stripe fees").id,
        "settlement_dispute_account_id": account("658100", "Dispute losses").id,
        "settlement_adjustment_account_id": account("658200", "Stripe adjustments").id,
    }
)
# The company's bank receives the Stripe payouts: a statement line for most paid payouts of
# the demo month (every seventh is missing on purpose: "payout not banked"); once imported,
# the payouts are matched to their line and reconciled (the job below, before the
# reconciliation run).
from datetime import datetime, timezone  # noqa: E402

from omni_sandboxes.stripe_sandbox import generate_month  # noqa: E402

from odoo.addons.omni_connector_stripe.tools.currency import stripe_amount  # noqa: E402

# A bank account of its own: the demo's other bank journal holds Odoo's demo statement
# lines, which no payout explains.
bank = Journal.search([("code", "=", "PAYB"), ("company_id", "=", company.id)], limit=1)
if not bank:
    bank = Journal.create({"name": "Payouts Bank", "code": "PAYB", "type": "bank"})
backend.payout_journal_id = bank
Line = env["account.bank.statement.line"].with_company(company)
paid = [p for p in generate_month(seed=7).payouts if p["status"] == "paid"]
for index, payout in enumerate(paid):
    label = f"STRIPE PAYOUT {payout['id']}"
    if index % 7 == 3 or Line.search_count([("payment_ref", "=", label)]):
        continue
    currency = env.ref(f"base.{payout['currency'].upper()}")
    currency.active = True
    amount = float(stripe_amount(payout["amount"], payout["currency"], "payout", payout=True))
    day = datetime.fromtimestamp(payout["arrival_date"], tz=timezone.utc).date()
    vals = {"journal_id": bank.id, "date": day, "payment_ref": label, "amount": amount}
    if currency != bank.currency_id and currency != company.currency_id:
        vals.update(
            foreign_currency_id=currency.id,
            amount_currency=amount,
            amount=currency._convert(amount, company.currency_id, company, day),
        )
    Line.create(vals)
backend.action_test_connection()
env["omni.backend"]._cron_stripe_pull()
env["omni.payout"].with_delay(
    channel="root.omni", eta=540, description="Demo: payouts matched to the bank"
)._cron_match_bank_statement()
env.cr.commit()
print(f"demo: {backend.name} {backend.state}: {backend.connection_message}")

# Shopify: the demo shop served by tests/omni_sandboxes/serve.py (same generator, same seed).
shopify_url = os.environ.get("OMNI_SHOPIFY_SANDBOX_URL")
if shopify_url:
    from omni_sandboxes.serve import SHOPIFY_TOKEN, SHOPIFY_WEBHOOK_SECRET, demo_shop

    shop = demo_shop()
    shopify = env.ref("omni_connector_shopify.omni_backend_demo_shopify")
    shop_currency = env.ref(f"base.{shop.currency}")
    # The shop's currency and its customers' (presentment) currencies must be active.
    for code in {shop.currency} | {o["presentmentCurrencyCode"] for o in shop.orders}:
        env.ref(f"base.{code}").active = True
    Pricelist = env["product.pricelist"]
    pricelist = Pricelist.search(
        [("currency_id", "=", shop_currency.id), ("company_id", "in", (company.id, False))],
        limit=1,
    ) or Pricelist.create(
        {
            "name": f"Shopify {shop.currency}",
            "currency_id": shop_currency.id,
            "company_id": company.id,
        }
    )
    # One tax mapping per tax line the shop uses (title, rate) -> a sale tax of that rate.
    shop_taxes = {
        (tax["title"], tax["rate"])
        for order in shop.orders
        for line in order["lineItems"] + order["shippingLines"]
        for tax in line["taxLines"]
    }
    tax_maps = []
    for title, rate in sorted(shop_taxes):
        percent = round(rate * 100, 4)
        tax = env["account.tax"].search(
            [
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
                ("amount", "=", percent),
                ("price_include", "=", shop.taxes_included),
                ("company_id", "=", company.id),
            ],
            limit=1,
        ) or env["account.tax"].create(
            {
                "name": f"{title} {percent:g}% (Shopify)",
                "amount": percent,
                "type_tax_use": "sale",
                "price_include": shop.taxes_included,
                "company_id": company.id,
            }
        )
        mapped = shopify.tax_map_ids.filtered(
            lambda m, t=title, r=rate: m.channel_tax == t and abs(m.rate - r) < 1e-6
        )
        if mapped:
            mapped.tax_id = tax
        else:
            tax_maps.append((0, 0, {"channel_tax": title, "rate": rate, "tax_id": tax.id}))
    # The shop's products, matched by SKU (created here when the demo database lacks them).
    Product = env["product.product"].with_company(company)
    for product, variants in shop.products:
        for variant in variants:
            if not Product.search([("default_code", "=", variant["sku"])], limit=1):
                Product.create(
                    {
                        "name": product["title"],
                        "default_code": variant["sku"],
                        "barcode": variant["barcode"],
                        "detailed_type": "product",
                        "list_price": float(variant["price"]),
                    }
                )
    shopify.write(
        {
            "shopify_shop_url": shopify_url,
            "shopify_access_token": SHOPIFY_TOKEN,
            "webhook_secret": SHOPIFY_WEBHOOK_SECRET,
            "pricelist_id": pricelist.id,
            "warehouse_id": env["stock.warehouse"]
            .search([("company_id", "=", company.id)], limit=1)
            .id,
            "tax_map_ids": tax_maps,
        }
    )
    shopify.action_test_connection()
    # Events that failed on an earlier, incomplete setup are processed again; then the pull.
    env["omni.event"].search(
        [("backend_id", "=", shopify.id), ("state", "in", ("failed", "dead"))]
    ).action_retry()
    shopify.action_shopify_pull_orders()
    env.cr.commit()
    print(f"demo: {shopify.name} {shopify.state}: {shopify.connection_message}")

# POS: the demo store chain's API served by tests/omni_sandboxes/serve.py (same seed).
pos_url = os.environ.get("OMNI_POS_SANDBOX_URL") or (
    f"http://127.0.0.1:{os.environ.get('OMNI_POS_SANDBOX_PORT', '8073')}"
)
pos = env.ref("omni_connector_pos.omni_backend_demo_pos", raise_if_not_found=False)
if pos:
    from omni_sandboxes.pos_sandbox import CATALOG, VAT
    from omni_sandboxes.serve import POS_API_KEY, POS_WEBHOOK_SECRET, demo_store_days

    stores = demo_store_days()
    pos_currency = env.ref(f"base.{stores.currency}")
    pos_currency.active = True
    pos_pricelist = env["product.pricelist"].search(
        [("currency_id", "=", pos_currency.id), ("company_id", "in", (company.id, False))],
        limit=1,
    ) or env["product.pricelist"].create(
        {"name": f"Stores {stores.currency}", "currency_id": pos_currency.id}
    )
    vat_code, vat_rate = VAT
    pos_tax = env["account.tax"].search(
        [
            ("type_tax_use", "=", "sale"),
            ("amount", "=", float(vat_rate) * 100),
            ("price_include", "=", True),
            ("company_id", "=", company.id),
        ],
        limit=1,
    ) or env["account.tax"].create(
        {
            "name": f"{vat_code} included (stores)",
            "amount": float(vat_rate) * 100,
            "price_include": True,
            "type_tax_use": "sale",
            "company_id": company.id,
        }
    )
    Product = env["product.product"].with_company(company)
    for sku, barcode, name, price in CATALOG:
        if not Product.search([("default_code", "=", sku)], limit=1):
            Product.create(
                {
                    "name": name,
                    "default_code": sku,
                    "barcode": barcode,
                    "detailed_type": "product",
                    "list_price": float(price),
                }
            )
    pos.write(
        {
            "pos_source": "external",
            "pos_api_url": pos_url,
            "pos_api_key": POS_API_KEY,
            "webhook_secret": POS_WEBHOOK_SECRET,
            "pricelist_id": pos_pricelist.id,
            "warehouse_id": env["stock.warehouse"]
            .search([("company_id", "=", company.id)], limit=1)
            .id,
        }
    )
    if not pos.tax_map_ids.filtered(lambda m: m.channel_tax == vat_code):
        pos.tax_map_ids = [
            (0, 0, {"channel_tax": vat_code, "rate": float(vat_rate), "tax_id": pos_tax.id})
        ]
    pos.action_test_connection()
    env["omni.event"].search(
        [("backend_id", "=", pos.id), ("state", "in", ("failed", "dead"))]
    ).action_retry()
    pos._pos_enqueue_sync()
    env.cr.commit()
    print(f"demo: {pos.name} {pos.state}: {pos.connection_message}")

# Reconciliation: once the job runner has imported the channels (a few minutes), a run over the
# demo period raises the gaps (Invoicing ▸ Omnichannel ▸ Dashboard); the nightly cron and the
# wizard run it again whenever wanted.
if "omni.recon.run" in env:
    from datetime import timedelta

    from odoo import fields

    today = fields.Date.context_today(env["omni.recon.run"])
    run = env["omni.recon.run"].create(
        {"company_id": company.id, "date_from": today - timedelta(days=400), "date_to": today}
    )
    run.with_delay(
        channel="root.omni", eta=600, description=f"Demo reconciliation ({run.name})"
    )._job_run()
    env.cr.commit()
    print(f"demo: reconciliation {run.name} enqueued, runs in 10 minutes")
