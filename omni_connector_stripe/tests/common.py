from collections import defaultdict
from decimal import Decimal

from omni_sandboxes.stripe_sandbox import StripeSandbox, event_payload, generate_month, sign_payload

from odoo.tests import HttpCase

from odoo.addons.omni_connector_base.tests.common import OmniCommon
from odoo.addons.omni_connector_base.tools.money import from_minor_units

from ..tools.currency import stripe_exponent

API_KEY = "sk_test_omni"
WEBHOOK_SECRET = "whsec_omni_test"


def major_units(value, currency):
    """A Stripe amount in major units, as Stripe's API counts the currency (ISK 500 -> 5)."""
    return from_minor_units(value, currency, exponent=stripe_exponent(currency))


class StripeCase(OmniCommon):
    """A Stripe backend wired to a sandbox serving a generated month."""

    channel = "stripe"
    world_kwargs = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.world = generate_month(**cls.world_kwargs)
        cls.sandbox = cls.serve(StripeSandbox(cls.world, api_key=API_KEY))
        cls.activate_currency("EUR", rate=0.92)
        cls.activate_currency("JPY", rate=150.0)
        Account = cls.env["account.account"]
        cls.fee_account = Account.create(
            {"name": "Stripe fees", "code": "627100", "account_type": "expense"}
        )
        cls.dispute_account = Account.create(
            {"name": "Dispute losses", "code": "658100", "account_type": "expense"}
        )
        cls.adjustment_account = Account.create(
            {"name": "Stripe adjustments", "code": "658200", "account_type": "expense"}
        )
        cls.stripe_journal = cls.env["account.journal"].create(
            {"name": "Stripe", "code": "STRP", "type": "bank", "company_id": cls.company.id}
        )
        cls.backend = cls.make_backend(
            "Stripe test account",
            stripe_secret_key=API_KEY,
            stripe_api_base=cls.sandbox.url,
            webhook_secret=WEBHOOK_SECRET,
            stripe_journal_id=cls.stripe_journal.id,
            settlement_fee_account_id=cls.fee_account.id,
            settlement_dispute_account_id=cls.dispute_account.id,
            settlement_adjustment_account_id=cls.adjustment_account.id,
        )
        # Channel orders some charges point at through metadata.order_ref ("#1001", ...).
        cls.shop = cls.env["omni.backend"].create({"name": "Shop", "channel": "stripe"})
        cls.customer = cls.env["res.partner"].create({"name": "Stripe customer"})
        usd = cls.env.ref("base.USD")
        cls.orders = cls.env["omni.order"].create(
            [
                {
                    "backend_id": cls.shop.id,
                    "name": f"#{1001 + n}",
                    "external_id": str(9000 + n),
                    "currency_id": usd.id,
                    "partner_id": cls.customer.id,
                }
                for n in range(5)
            ]
        )

    def pull_and_process(self, backend=None):
        """What the cron and the job runner do, synchronously."""
        (backend or self.backend)._stripe_pull()
        return self.process(backend)

    def journal_balance(self, journal=None):
        """{currency code: Decimal} of the Stripe journal's account, in each currency, summed
        by PostgreSQL over the stored numeric amounts (no float in between)."""
        journal = journal or self.stripe_journal
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT c.name, SUM(l.amount_currency)::text
              FROM account_move_line l
              JOIN res_currency c ON c.id = l.currency_id
             WHERE l.account_id = %s AND l.parent_state = 'posted'
          GROUP BY c.name
            """,
            [journal.default_account_id.id],
        )
        totals = {code: Decimal(total) for code, total in self.env.cr.fetchall()}
        return {code: total.normalize() for code, total in totals.items() if total}

    def stored_amounts(self, model, field_names):
        """{external_id: (Decimal, ...)} as stored in PostgreSQL."""
        self.env.flush_all()
        table = self.env[model]._table
        self.env.cr.execute(
            f"SELECT external_id, {', '.join(f'{f}::text' for f in field_names)} "
            f"FROM {table} WHERE backend_id = %s",
            [self.backend.id],
        )
        return {row[0]: tuple(Decimal(v) for v in row[1:]) for row in self.env.cr.fetchall()}

    def sandbox_balance(self):
        balance = self.world.balance()
        totals = defaultdict(Decimal)
        for kind in ("available", "pending"):
            for entry in balance[kind]:
                code = entry["currency"].upper()
                totals[code] += major_units(entry["amount"], code)
        return {code: total.normalize() for code, total in totals.items() if total}


class StripeWebhookCase(StripeCase, HttpCase):
    """Signed deliveries to the backend's webhook endpoint, processed as the job runner does."""

    def post(self, body, signature):
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["Stripe-Signature"] = signature
        return self.url_open(
            f"/omni/webhook/stripe/{self.backend.id}", data=body, headers=headers, timeout=20
        )

    def first_event(self, event_type):
        return next(e for e in self.world.events if e["type"] == event_type)

    def deliver(self, event):
        body = event_payload(event)
        response = self.post(body, sign_payload(body, WEBHOOK_SECRET))
        self.assertEqual(response.status_code, 200, response.text)
        stored = self.events().filtered(lambda e: e.idempotency_key.endswith(event["id"]))
        stored._process_job()
        return stored
