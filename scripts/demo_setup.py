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
        "stripe_fee_account_id": account("627100", "Stripe fees").id,
        "stripe_dispute_account_id": account("658100", "Dispute losses").id,
        "stripe_adjustment_account_id": account("658200", "Stripe adjustments").id,
    }
)
backend.action_test_connection()
env["omni.backend"]._cron_stripe_pull()
env.cr.commit()
print(f"demo: {backend.name} {backend.state}: {backend.connection_message}")
