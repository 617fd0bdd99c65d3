"""A Stripe API sandbox: deterministic account data served over real HTTP to the real SDK.

- :func:`generate_month` builds a :class:`StripeWorld`: a month of card charges in several
  currencies with their payment intents, balance transactions, partial refunds, one won and one
  lost dispute, daily automatic payouts (one of which fails and is re-paid the next day) and
  the events Stripe would have sent. Every object starts as a deep copy of Stripe's own example
  object (``fixtures3.json``) with the sandbox's values written over it, so every field Stripe
  has is present; without the reference data a small built-in skeleton is used instead.
- :class:`StripeSandbox` serves a world on ``http://127.0.0.1:<port>`` the way api.stripe.com
  does for the read endpoints a settlement connector uses (lists with cursors, filters,
  ``expand``, errors), with switchable faults (429, 500, timeout, dropped connection).
- :func:`sign_payload` / :func:`send_event` sign and deliver webhook events exactly as Stripe
  does (``Stripe-Signature: t=...,v1=...``).

Amounts are integers in the currency's minor unit as Stripe counts it (docs.stripe.com/currencies):
JPY is zero-decimal (3500 means ¥3500); ISK and UGX are zero-decimal currencies Stripe still
counts in hundredths, always whole (500 means ISK 5); HUF and TWD charge with decimals but
pay out whole units only.
No Odoo import here: this module is usable from plain pytest and from Odoo tests alike.
"""

import base64
import calendar
import copy
import hashlib
import hmac
import json
import random
import re
import string
import time
from collections import namedtuple
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qsl, urlsplit

import requests

from .httpserver import JsonHandler, Sandbox
from .refdata import has_stripe_refdata, load_stripe_fixtures

API_VERSION = "2023-08-16"
DAY = 86400
DEFAULT_START = calendar.timegm((2026, 10, 1, 0, 0, 0))  # 2026-10-01T00:00:00Z
ZERO_DECIMAL_CURRENCIES = frozenset(
    "bif clp djf gnf jpy kmf krw mga pyg rwf vnd vuv xaf xof xpf".split()
)
# Stripe's "special cases": whole units stated in hundredths, and whole-unit payouts.
WHOLE_UNIT_CURRENCIES = frozenset({"isk", "ugx"})
WHOLE_UNIT_PAYOUT_CURRENCIES = frozenset({"huf", "twd"}) | WHOLE_UNIT_CURRENCIES
DISPUTE_FEE = 1500  # minor units of the charge currency
PAYOUT_FAILURE_CODE = "account_closed"
PAYOUT_FAILURE_MESSAGE = "The bank account has been closed."

# URL segment -> Stripe object name
RESOURCES = {
    "balance_transactions": "balance_transaction",
    "charges": "charge",
    "refunds": "refund",
    "disputes": "dispute",
    "payment_intents": "payment_intent",
    "payouts": "payout",
    "events": "event",
}
OBJECT_RESOURCE = {obj: res for res, obj in RESOURCES.items()}
ID_PREFIX = {
    "balance_transaction": "txn",
    "charge": "ch",
    "refund": "re",
    "dispute": "dp",
    "payment_intent": "pi",
    "payout": "po",
    "event": "evt",
    "payment_method": "pm",
    "bank_account": "ba",
}
# Fields that hold the id of another object of the world and may be expanded.
EXPANDABLE = {
    "balance_transaction": {"source"},
    "charge": {"balance_transaction", "payment_intent", "failure_balance_transaction"},
    "refund": {"balance_transaction", "charge", "payment_intent", "failure_balance_transaction"},
    "dispute": {"charge", "payment_intent"},
    "payment_intent": {"latest_charge"},
    "payout": {"balance_transaction", "failure_balance_transaction"},
}

# Used only when the reference fixtures are absent: the generator writes every field it relies
# on, so these skeletons only carry constants.
_SKELETONS = {
    "balance_transaction": {"object": "balance_transaction", "exchange_rate": None},
    "charge": {
        "object": "charge",
        "livemode": False,
        "billing_details": {"address": None, "email": None, "name": None, "phone": None},
        "outcome": {},
        "payment_method_details": {"type": "card", "card": {}},
    },
    "refund": {"object": "refund", "destination_details": {"type": "card", "card": {}}},
    "dispute": {"object": "dispute", "livemode": False, "evidence": {}, "evidence_details": {}},
    "payment_intent": {
        "object": "payment_intent",
        "livemode": False,
        "capture_method": "automatic",
        "confirmation_method": "automatic",
    },
    "payout": {"object": "payout", "livemode": False},
    "event": {"object": "event", "livemode": False},
    "balance": {"object": "balance", "livemode": False},
}

_NAMES = ["Jenny Rosen", "Ana Ruiz", "Kenji Sato", "Marie Curie", "Otto Lang", "Yuki Mori"]
_CARDS = [("visa", "4242"), ("mastercard", "4444"), ("amex", "8431"), ("visa", "1881")]
_COUNTRY = {"usd": "US", "eur": "DE", "jpy": "JP", "gbp": "GB"}


def is_zero_decimal(currency):
    return currency.lower() in ZERO_DECIMAL_CURRENCIES


def stripe_fee(amount, currency):
    """Processing fee in minor units: 2.9% + 30, or 3.6% for zero-decimal currencies (JPY),
    rounded half-up (ISK and UGX: to whole units)."""
    if currency.lower() in WHOLE_UNIT_CURRENCIES:
        return stripe_fee(amount // 100, "jpy") * 100
    if is_zero_decimal(currency):
        rate, fixed = Decimal("0.036"), 0
    else:
        rate, fixed = Decimal("0.029"), 30
    return int((Decimal(amount) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)) + fixed


def _sort_key(obj):
    return (obj["created"], obj["id"])


# --------------------------------------------------------------------------- the world


class StripeWorld:
    """The state of one Stripe account: plain JSON-able dicts, as the API returns them.

    Collections (lists of objects in creation order): ``balance_transactions``, ``charges``,
    ``refunds``, ``disputes``, ``payment_intents``, ``payouts``, ``events``. Objects reference
    each other by id. ``now`` is the account's "current time" (the end of the generated period).

    Stripe objects do not say which payout paid a balance transaction out (the API filters by
    ``payout=``); the world keeps that link: :meth:`payout_of`, :meth:`transactions_of_payout`.
    """

    def __init__(self, now, currencies=(), seed=None, templates=None):
        self.now = int(now)
        self.seed = seed
        self.currencies = tuple(currencies)
        self.balance_transactions = []
        self.charges = []
        self.refunds = []
        self.disputes = []
        self.payment_intents = []
        self.payouts = []
        self.events = []
        self.failed_payout_id = None
        self.won_dispute_id = None
        self.lost_dispute_id = None
        self._payout_of_txn = {}
        self._templates = templates or {}
        self._index = None
        self._later_ids = None

    # -- access
    def collection(self, resource):
        """The list behind a URL segment (``"charges"``) or an object name (``"charge"``)."""
        resource = OBJECT_RESOURCE.get(resource, resource)
        if resource not in RESOURCES:
            raise KeyError(resource)
        return getattr(self, resource)

    def _reindex(self):
        index = {}
        for resource in RESOURCES:
            for obj in getattr(self, resource):
                index[obj["id"]] = obj
        self._index = index
        return index

    def get(self, object_id):
        """Any object of the world by id, or None."""
        index = self._index
        if index is None or object_id not in index:
            index = self._reindex()
        return index.get(object_id)

    def find(self, resource, object_id):
        """The object of that resource with that id, or None."""
        obj = self.get(object_id)
        if obj is None or obj.get("object") != RESOURCES.get(resource, resource):
            return None
        return obj

    def add(self, resource, obj, payout_id=None):
        """Append an object (e.g. a charge made after a first sync); ``payout_id`` links a
        balance transaction to a payout."""
        self.collection(resource).append(obj)
        if payout_id:
            self._payout_of_txn[obj["id"]] = payout_id
        self._index = None
        return obj

    def payout_of(self, txn_id):
        """Id of the payout that paid this balance transaction out (or None)."""
        return self._payout_of_txn.get(txn_id)

    def transactions_of_payout(self, payout_id):
        """The balance transactions ``GET /v1/balance_transactions?payout=<id>`` returns,
        including the payout's own transaction, in creation order."""
        return [
            t for t in self.balance_transactions if self._payout_of_txn.get(t["id"]) == payout_id
        ]

    # -- later changes: failures after the month, Connect earnings, older API versions' shapes
    def _new_id(self, kind):
        if self._later_ids is None:
            self._later_ids = _Ids(f"{self.seed}:later")
        return self._later_ids.new(kind)

    def _later_txn(self, currency, amount, type_, category, source, created, description):
        txn = copy.deepcopy(self.balance_transactions[0])
        txn.update(
            id=self._new_id("balance_transaction"),
            amount=amount,
            available_on=created,
            created=created,
            currency=currency,
            description=description,
            exchange_rate=None,
            fee=0,
            fee_details=[],
            net=amount,
            reporting_category=category,
            source=source,
            status="available",
            type=type_,
        )
        return self.add("balance_transactions", txn)

    def make_event(self, event_type, obj, created=None):
        """An event about ``obj`` (a copy) as Stripe sends it; not stored in the world."""
        event = copy.deepcopy(self.events[0])
        event.update(
            id=self._new_id("event"),
            created=self.now if created is None else created,
            data={"object": copy.deepcopy(obj)},
            type=event_type,
        )
        return event

    def fail_refund(self, refund_id, at=None):
        """The refund fails (the card was closed): a ``refund_failure`` movement gives its
        money back to the balance."""
        refund = self.find("refunds", refund_id)
        txn = self._later_txn(
            refund["currency"],
            refund["amount"],
            "refund_failure",
            "refund_failure",
            refund_id,
            self.now if at is None else at,
            "REFUND FAILURE",
        )
        refund.update(
            status="failed",
            failure_reason="expired_or_canceled_card",
            failure_balance_transaction=txn["id"],
        )
        return refund

    def add_application_fee(self, currency, amount, refund=False, at=None):
        """A Connect platform's earning on a connected account's charge (or, ``refund``, its
        refund): the balance transaction Stripe books on the platform's balance."""
        kind = ("application_fee_refund", "platform_earning_refund", "fr", -amount)
        if not refund:
            kind = ("application_fee", "platform_earning", "fee", amount)
        type_, category, prefix, signed = kind
        return self._later_txn(
            currency,
            signed,
            type_,
            category,
            self._new_id(prefix),
            self.now if at is None else at,
            "Application fee" if not refund else "Application fee refund",
        )

    def legacy_payment_intent(self, intent_id):
        """A copy of the payment intent as API versions before 2022-11-15 sent it: its charges
        listed under ``charges``, no ``latest_charge``."""
        intent = copy.deepcopy(self.find("payment_intents", intent_id))
        charges = [copy.deepcopy(c) for c in self.charges if c["payment_intent"] == intent_id]
        intent.pop("latest_charge", None)
        intent["charges"] = {
            "object": "list",
            "data": charges,
            "has_more": False,
            "total_count": len(charges),
            "url": f"/v1/charges?payment_intent={intent_id}",
        }
        return intent

    def serve_legacy_dispute(self, dispute_id):
        """Serve the dispute as older API versions do: ``balance_transaction`` (its first
        movement) besides ``balance_transactions``."""
        dispute = self.find("disputes", dispute_id)
        dispute["balance_transaction"] = dispute["balance_transactions"][0]["id"]
        return dispute

    # -- derived
    def balance(self, at=None):
        """Stripe's balance object at ``at`` (default ``now``): per currency, ``available`` is
        the net of transactions with ``available_on <= at``, ``pending`` the net of the rest."""
        at = self.now if at is None else at
        currencies = list(self.currencies)
        available, pending = {}, {}
        for txn in self.balance_transactions:
            if txn["created"] > at:
                continue
            cur = txn["currency"]
            if cur not in currencies:
                currencies.append(cur)
            bucket = available if txn["available_on"] <= at else pending
            bucket[cur] = bucket.get(cur, 0) + txn["net"]
        obj = copy.deepcopy(self._templates.get("balance") or _SKELETONS["balance"])
        obj["object"] = "balance"
        obj["livemode"] = False
        obj["available"] = [
            {
                "amount": available.get(c, 0),
                "currency": c,
                "source_types": {"card": available.get(c, 0)},
            }
            for c in currencies
        ]
        obj["pending"] = [
            {
                "amount": pending.get(c, 0),
                "currency": c,
                "source_types": {"card": pending.get(c, 0)},
            }
            for c in currencies
        ]
        obj["connect_reserved"] = [{"amount": 0, "currency": c} for c in currencies]
        obj.pop("instant_available", None)
        obj.pop("issuing", None)
        return obj

    def events_for_delivery(self, shuffle_seed=None, duplicates=0):
        """Deep copies of the events for webhook delivery: in ``created`` order, or shuffled
        (out of order) with ``random.Random(shuffle_seed)``; ``duplicates`` events are delivered
        a second time, somewhere after their first delivery."""
        out = [copy.deepcopy(e) for e in sorted(self.events, key=lambda e: e["created"])]
        rng = random.Random(0 if shuffle_seed is None else shuffle_seed)
        if shuffle_seed is not None:
            rng.shuffle(out)
        for _ in range(min(duplicates, len(out))):
            src = rng.randrange(len(out))
            out.insert(rng.randrange(src + 1, len(out) + 1), copy.deepcopy(out[src]))
        return out

    def to_dict(self):
        data = {res: getattr(self, res) for res in RESOURCES}
        data.update(
            now=self.now,
            currencies=list(self.currencies),
            payout_of_txn=dict(sorted(self._payout_of_txn.items())),
            failed_payout_id=self.failed_payout_id,
            won_dispute_id=self.won_dispute_id,
            lost_dispute_id=self.lost_dispute_id,
        )
        return data

    def to_json(self):
        """Canonical JSON of the whole world (sorted keys): equal worlds give equal strings."""
        return json.dumps(self.to_dict(), sort_keys=True)

    def summary(self):
        """Counts for humans and tests: objects per resource, balance transactions per
        (type, reporting_category, currency), payouts per (status, currency), special ids."""
        txns = {}
        for t in self.balance_transactions:
            key = f"{t['type']}/{t['reporting_category']}/{t['currency']}"
            txns[key] = txns.get(key, 0) + 1
        payouts = {}
        for p in self.payouts:
            key = f"{p['status']}/{p['currency']}"
            payouts[key] = payouts.get(key, 0) + 1
        events = {}
        for e in self.events:
            events[e["type"]] = events.get(e["type"], 0) + 1
        return {
            "counts": {res: len(getattr(self, res)) for res in RESOURCES},
            "balance_transactions": dict(sorted(txns.items())),
            "payouts": dict(sorted(payouts.items())),
            "events": dict(sorted(events.items())),
            "failed_payout_id": self.failed_payout_id,
            "won_dispute_id": self.won_dispute_id,
            "lost_dispute_id": self.lost_dispute_id,
            "now": self.now,
        }


# --------------------------------------------------------------------------- generator


class _Ids:
    """Stripe-looking ids (``ch_`` + 24 alphanumerics), deterministic per seed, unique."""

    ALPHABET = string.ascii_letters + string.digits

    def __init__(self, seed):
        self._rng = random.Random(f"omni-stripe-ids:{seed}")
        self._seen = set()

    def new(self, kind):
        prefix = ID_PREFIX.get(kind, kind)
        while True:
            value = f"{prefix}_3Q" + "".join(self._rng.choices(self.ALPHABET, k=22))
            if value not in self._seen:
                self._seen.add(value)
                return value

    def token(self, k=24):
        return "".join(self._rng.choices(self.ALPHABET, k=k))


class _MonthGenerator:
    def __init__(self, seed, start, days, charges_per_day, currencies, fixtures):
        if fixtures is None:
            fixtures = load_stripe_fixtures() if has_stripe_refdata() else {}
        self.resources = (fixtures or {}).get("resources", {})
        self.rng = random.Random(seed)
        self.ids = _Ids(seed)
        self.start = int(start)
        self.days = int(days)
        self.charges_per_day = int(charges_per_day)
        self.currencies = tuple(c.lower() for c in currencies)
        templates = {"balance": self.resources.get("balance")}
        self.world = StripeWorld(
            self.start + self.days * DAY, self.currencies, seed=seed, templates=templates
        )
        self._queued_events = []  # (created, seq, type, snapshot)
        self._destinations = {c: self.ids.new("bank_account") for c in self.currencies}

    # -- helpers
    def _template(self, name):
        return copy.deepcopy(self.resources.get(name) or _SKELETONS[name])

    def _event(self, created, event_type, obj):
        self._queued_events.append(
            (created, len(self._queued_events), event_type, copy.deepcopy(obj))
        )

    def _txn(
        self,
        *,
        created,
        available_on,
        amount,
        fee,
        currency,
        type_,
        category,
        source,
        description=None,
        fee_details=None,
    ):
        txn = self._template("balance_transaction")
        txn.update(
            id=self.ids.new("balance_transaction"),
            object="balance_transaction",
            amount=amount,
            available_on=available_on,
            created=created,
            currency=currency,
            description=description,
            exchange_rate=None,
            fee=fee,
            fee_details=fee_details if fee_details is not None else [],
            net=amount - fee,
            reporting_category=category,
            source=source,
            status="available" if available_on <= created else "pending",
            type=type_,
        )
        self.world.balance_transactions.append(txn)
        return txn

    def _amount(self, currency):
        if is_zero_decimal(currency):
            return self.rng.randint(8, 300) * 100  # ¥800 .. ¥30000
        if currency in WHOLE_UNIT_CURRENCIES:
            return self.rng.randint(10, 400) * 10000  # ISK 1000 .. 40000, in hundredths
        return self.rng.randint(900, 30000)  # 9.00 .. 300.00

    # -- steps
    def run(self):
        self._charges()
        disputed = self._disputes()
        self._refunds(disputed)
        self._payouts()
        self._finish()
        return self.world

    def _charges(self):
        rng = self.rng
        order_no = 1000
        for day in range(self.days):
            day_start = self.start + day * DAY
            # all charges of a day happen before that day's payout run (23:59 UTC)
            moments = sorted(rng.randrange(60, DAY - 3600) for _ in range(self.charges_per_day))
            for moment in moments:
                order_no += 1
                created = day_start + moment
                currency = rng.choice(self.currencies)
                amount = self._amount(currency)
                roll = rng.random()
                if roll < 0.75:
                    metadata = {"order_ref": f"#{order_no}"}
                elif roll < 0.92:
                    metadata = {"shopify_order_id": str(rng.randint(5 * 10**12, 7 * 10**12 - 1))}
                else:
                    metadata = {}
                brand, last4 = rng.choice(_CARDS)
                name = rng.choice(_NAMES)
                self._charge(created, currency, amount, metadata, brand, last4, name)

    def _charge(self, created, currency, amount, metadata, brand, last4, name):
        ids = self.ids
        pi_id, ch_id = ids.new("payment_intent"), ids.new("charge")
        pm_id = ids.new("payment_method")
        fee = stripe_fee(amount, currency)
        txn = self._txn(
            created=created,
            available_on=created + 2 * DAY,
            amount=amount,
            fee=fee,
            currency=currency,
            type_="charge",
            category="charge",
            source=ch_id,
            description=None,
            fee_details=[
                {
                    "amount": fee,
                    "application": None,
                    "currency": currency,
                    "description": "Stripe processing fees",
                    "type": "stripe_fee",
                }
            ],
        )

        pi = self._template("payment_intent")
        pi.update(
            id=pi_id,
            object="payment_intent",
            amount=amount,
            amount_capturable=0,
            amount_received=amount,
            application=None,
            application_fee_amount=None,
            canceled_at=None,
            cancellation_reason=None,
            capture_method="automatic",
            client_secret=f"{pi_id}_secret_{ids.token(25)}",
            confirmation_method="automatic",
            created=created - 1,
            currency=currency,
            customer=None,
            description=None,
            last_payment_error=None,
            latest_charge=ch_id,
            livemode=False,
            metadata=dict(metadata),
            next_action=None,
            on_behalf_of=None,
            payment_method=pm_id,
            payment_method_types=["card"],
            processing=None,
            receipt_email=None,
            review=None,
            setup_future_usage=None,
            shipping=None,
            statement_descriptor=None,
            statement_descriptor_suffix=None,
            status="succeeded",
            transfer_data=None,
            transfer_group=None,
        )

        ch = self._template("charge")
        ch.update(
            id=ch_id,
            object="charge",
            amount=amount,
            amount_captured=amount,
            amount_refunded=0,
            application=None,
            application_fee=None,
            application_fee_amount=None,
            balance_transaction=txn["id"],
            calculated_statement_descriptor="OMNI SHOP",
            captured=True,
            created=created,
            currency=currency,
            customer=None,
            description=None,
            disputed=False,
            failure_balance_transaction=None,
            failure_code=None,
            failure_message=None,
            fraud_details={},
            livemode=False,
            metadata=dict(metadata),
            on_behalf_of=None,
            paid=True,
            payment_intent=pi_id,
            payment_method=pm_id,
            receipt_email=None,
            receipt_number=None,
            receipt_url=f"https://pay.stripe.com/receipts/payment/{ids.token(40)}",
            refunded=False,
            refunds={
                "object": "list",
                "data": [],
                "has_more": False,
                "url": f"/v1/charges/{ch_id}/refunds",
            },
            review=None,
            shipping=None,
            source=None,
            source_transfer=None,
            statement_descriptor=None,
            statement_descriptor_suffix=None,
            status="succeeded",
            transfer_data=None,
            transfer_group=None,
        )
        billing = ch.get("billing_details") or {}
        billing["name"] = name
        ch["billing_details"] = billing
        outcome = ch.get("outcome") or {}
        outcome.update(
            network_status="approved_by_network",
            reason=None,
            risk_level="normal",
            seller_message="Payment complete.",
            type="authorized",
        )
        ch["outcome"] = outcome
        pmd = ch.get("payment_method_details") or {}
        card = pmd.get("card") or {}
        card.update(
            brand=brand,
            last4=last4,
            network=brand,
            country=_COUNTRY.get(currency, "US"),
            exp_month=1 + (int(last4) % 12),
            exp_year=2030,
            fingerprint=ids.token(16),
            amount_authorized=amount,
        )
        if isinstance(card.get("overcapture"), dict):
            card["overcapture"]["maximum_amount_capturable"] = amount
        if isinstance(card.get("wallet"), dict):
            card["wallet"] = None
        pmd.update(type="card", card=card)
        ch["payment_method_details"] = pmd

        self.world.payment_intents.append(pi)
        self.world.charges.append(ch)
        self._event(created, "payment_intent.succeeded", pi)
        self._event(created, "charge.succeeded", ch)

    def _disputes(self):
        """One won and one lost dispute on charges of the first third of the month."""
        rng = self.rng
        cutoff = self.start + max(1, self.days // 3) * DAY
        candidates = [c for c in self.world.charges if c["created"] < cutoff]
        if len(candidates) < 2:
            candidates = list(self.world.charges)
        if len(candidates) < 2:
            return set()
        won = rng.choice(candidates)
        others = [c for c in candidates if c is not won and c["currency"] != won["currency"]]
        lost = rng.choice(others or [c for c in candidates if c is not won])
        for charge, outcome in ((won, "won"), (lost, "lost")):
            self._dispute(charge, outcome)
        return {won["id"], lost["id"]}

    def _dispute(self, charge, outcome):
        rng, now = self.rng, self.world.now
        dp_id = self.ids.new("dispute")
        currency, amount = charge["currency"], charge["amount"]
        created = charge["created"] + max(1, self.days // 10) * DAY + rng.randrange(3600, 12 * 3600)
        closed = created + max(1, self.days // 3) * DAY + rng.randrange(3600, 12 * 3600)
        fee_detail = {
            "application": None,
            "currency": currency,
            "description": "Dispute fee",
            "type": "stripe_fee",
        }
        withdrawal = self._txn(
            created=created,
            available_on=created,
            amount=-amount,
            fee=DISPUTE_FEE,
            currency=currency,
            type_="adjustment",
            category="dispute",
            source=dp_id,
            description=f"Chargeback withdrawal for {charge['id']}",
            fee_details=[dict(fee_detail, amount=DISPUTE_FEE)],
        )
        dp = self._template("dispute")
        evidence = dp.get("evidence") or {}
        evidence.update(
            customer_name=charge["billing_details"].get("name"),
            product_description="Goods ordered online",
        )
        details = dp.get("evidence_details") or {}
        details.update(
            due_by=created + 7 * DAY, has_evidence=False, past_due=False, submission_count=0
        )
        pmd = dp.get("payment_method_details")
        if isinstance(pmd, dict) and isinstance(pmd.get("card"), dict):
            pmd["card"].update(
                brand=charge["payment_method_details"]["card"]["brand"], case_type="chargeback"
            )
        dp.update(
            id=dp_id,
            object="dispute",
            amount=amount,
            balance_transactions=[copy.deepcopy(withdrawal)],
            charge=charge["id"],
            created=created,
            currency=currency,
            evidence=evidence,
            evidence_details=details,
            is_charge_refundable=False,
            livemode=False,
            metadata={},
            payment_intent=charge["payment_intent"],
            reason="fraudulent" if outcome == "lost" else "product_not_received",
            status="needs_response",
        )
        if "enhanced_eligibility_types" in dp:
            dp["enhanced_eligibility_types"] = []
        charge["disputed"] = True
        self.world.disputes.append(dp)
        self._event(created, "charge.dispute.created", dp)
        if outcome == "won":
            self.world.won_dispute_id = dp_id
        else:
            self.world.lost_dispute_id = dp_id
        if closed > now - 120:
            dp["status"] = "under_review"
            return
        details.update(has_evidence=True, submission_count=1)
        if outcome == "won":
            reversal = self._txn(
                created=closed,
                available_on=closed,
                amount=amount,
                fee=-DISPUTE_FEE,
                currency=currency,
                type_="adjustment",
                category="dispute_reversal",
                source=dp_id,
                description=f"Chargeback reversal for {charge['id']}",
                fee_details=[dict(fee_detail, amount=-DISPUTE_FEE)],
            )
            dp["balance_transactions"].append(copy.deepcopy(reversal))
        dp["status"] = outcome
        self._event(closed, "charge.dispute.closed", dp)

    def _refunds(self, disputed):
        """Partial refunds on ~9% of charges and one full refund."""
        rng, now = self.rng, self.world.now
        eligible = [c for c in self.world.charges if c["id"] not in disputed]
        plans = []
        for charge in eligible:
            if rng.random() < 0.09:
                step = 100
                share = rng.randint(10, 50)
                amount = max(step, charge["amount"] * share // 100 // step * step)
                if amount < charge["amount"]:
                    plans.append((charge, amount))
        planned = {c["id"] for c, _ in plans}
        full_candidates = [
            c for c in eligible[: max(1, len(eligible) * 2 // 3)] if c["id"] not in planned
        ]
        if full_candidates:
            charge = rng.choice(full_candidates)
            plans.append((charge, charge["amount"]))
        for charge, amount in plans:
            created = charge["created"] + rng.randrange(2 * 3600, 4 * DAY)
            if created > now - 120:
                continue
            self._refund(charge, amount, created)

    def _refund(self, charge, amount, created):
        re_id = self.ids.new("refund")
        currency = charge["currency"]
        txn = self._txn(
            created=created,
            available_on=created,
            amount=-amount,
            fee=0,
            currency=currency,
            type_="refund",
            category="refund",
            source=re_id,
            description="REFUND FOR CHARGE",
        )
        refund = self._template("refund")
        refund.update(
            id=re_id,
            object="refund",
            amount=amount,
            balance_transaction=txn["id"],
            charge=charge["id"],
            created=created,
            currency=currency,
            metadata={},
            payment_intent=charge["payment_intent"],
            reason="requested_by_customer",
            receipt_number=None,
            source_transfer_reversal=None,
            status="succeeded",
            transfer_reversal=None,
        )
        dest = refund.get("destination_details")
        if isinstance(dest, dict):
            dest.update(type="card", card={"type": "refund"})
        for key in ("customer", "payment_method"):
            if key in refund:
                refund[key] = None
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        charge["refunds"]["data"].insert(0, refund)
        self.world.refunds.append(refund)
        self._event(created, "charge.refunded", charge)
        self._event(created, "charge.refund.updated", refund)

    def _payouts(self):
        """Daily automatic payouts per currency at 23:59 UTC of everything available and not
        yet paid out; one payout fails the next morning and its money goes out the next day."""
        rng, world = self.rng, self.world
        fail_day = rng.randrange(self.days // 3, self.days - 2) if self.days >= 5 else None
        fail_currency = rng.choice(self.currencies)
        failed = False
        for day in range(self.days):
            run_at = self.start + (day + 1) * DAY - 60
            arrival = self.start + (day + 1) * DAY
            for currency in self.currencies:
                batch = [
                    t
                    for t in world.balance_transactions
                    if t["currency"] == currency
                    and t["id"] not in world._payout_of_txn
                    and t["available_on"] <= run_at
                    and t["created"] <= run_at
                ]
                total = sum(t["net"] for t in batch)
                if currency in WHOLE_UNIT_PAYOUT_CURRENCIES:
                    total -= total % 100  # the fraction stays in the balance
                if not batch or total <= 0:
                    continue
                po_id = self.ids.new("payout")
                po_txn = self._txn(
                    created=run_at,
                    available_on=run_at,
                    amount=-total,
                    fee=0,
                    currency=currency,
                    type_="payout",
                    category="payout",
                    source=po_id,
                    description="STRIPE PAYOUT",
                )
                for t in [*batch, po_txn]:
                    world._payout_of_txn[t["id"]] = po_id
                payout = self._template("payout")
                payout.update(
                    id=po_id,
                    object="payout",
                    amount=total,
                    application_fee=None,
                    application_fee_amount=None,
                    arrival_date=arrival,
                    automatic=True,
                    balance_transaction=po_txn["id"],
                    created=run_at,
                    currency=currency,
                    description="STRIPE PAYOUT",
                    destination=self._destinations[currency],
                    failure_balance_transaction=None,
                    failure_code=None,
                    failure_message=None,
                    livemode=False,
                    metadata={},
                    method="standard",
                    original_payout=None,
                    reconciliation_status="completed",
                    reversed_by=None,
                    source_type="card",
                    statement_descriptor=None,
                    status="paid" if arrival <= world.now else "in_transit",
                    type="bank_account",
                )
                if "trace_id" in payout:
                    payout["trace_id"] = {
                        "status": "supported",
                        "value": f"TRC{po_id[-10:].upper()}",
                    }
                if "payout_method" in payout:
                    payout["payout_method"] = None
                world.payouts.append(payout)
                failed_at = arrival + 6 * 3600 + rng.randrange(0, 3600)
                if (
                    not failed
                    and fail_day is not None
                    and currency == fail_currency
                    and day >= fail_day
                    and failed_at + DAY < world.now
                ):
                    failed = True
                    failure = self._txn(
                        created=failed_at,
                        available_on=failed_at,
                        amount=total,
                        fee=0,
                        currency=currency,
                        type_="payout_failure",
                        category="payout_reversal",
                        source=po_id,
                        description="STRIPE PAYOUT FAILURE",
                    )
                    payout.update(
                        status="failed",
                        failure_balance_transaction=failure["id"],
                        failure_code=PAYOUT_FAILURE_CODE,
                        failure_message=PAYOUT_FAILURE_MESSAGE,
                    )
                    if "trace_id" in payout:
                        payout["trace_id"] = {"status": "unsupported", "value": None}
                    world.failed_payout_id = po_id
                    self._event(failed_at, "payout.failed", payout)
                elif payout["status"] == "paid":
                    self._event(arrival, "payout.paid", payout)

    def _finish(self):
        world = self.world
        for txn in world.balance_transactions:
            txn["status"] = "available" if txn["available_on"] <= world.now else "pending"
        for dp in world.disputes:
            dp["balance_transactions"] = [
                copy.deepcopy(t)
                for t in sorted(world.balance_transactions, key=_sort_key)
                if t["source"] == dp["id"]
            ]
        for res in RESOURCES:
            if res != "events":
                getattr(world, res).sort(key=_sort_key)
        for created, _seq, event_type, snapshot in sorted(self._queued_events, key=lambda q: q[:2]):
            event = self._template("event")
            event.update(
                id=self.ids.new("event"),
                object="event",
                api_version=API_VERSION,
                created=created,
                data={"object": snapshot},
                livemode=False,
                pending_webhooks=0,
                request={"id": None, "idempotency_key": None},
                type=event_type,
            )
            world.events.append(event)
        world._reindex()


def generate_month(
    seed=7,
    start=DEFAULT_START,
    days=30,
    charges_per_day=6,
    currencies=("usd", "eur", "jpy"),
    fixtures=None,
):
    """A deterministic :class:`StripeWorld` covering ``days`` days from ``start`` (UTC epoch).

    ``fixtures``: Stripe's fixtures document (default: loaded from the reference data if
    present, else built-in skeletons; pass ``{}`` to force the skeletons).
    """
    return _MonthGenerator(seed, start, days, charges_per_day, currencies, fixtures).run()


# --------------------------------------------------------------------------- webhooks


def sign_payload(payload, secret, timestamp=None, extra_secrets=(), v0_secret=None):
    """The ``Stripe-Signature`` header value for ``payload`` (bytes): ``t=<ts>,v1=<hex>`` where
    the signature is HMAC-SHA256 of ``b"<ts>." + payload`` keyed with ``secret``. Extra ``v1``
    entries for ``extra_secrets`` (secret rotation) and a ``v0`` entry are optional."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    ts = int(time.time()) if timestamp is None else int(timestamp)

    def sig(key):
        return hmac.new(
            key.encode("utf-8"), f"{ts}.".encode() + payload, hashlib.sha256
        ).hexdigest()

    parts = [f"t={ts}", f"v1={sig(secret)}"]
    parts += [f"v1={sig(s)}" for s in extra_secrets]
    if v0_secret:
        parts.append(f"v0={sig(v0_secret)}")
    return ",".join(parts)


def event_payload(event):
    """The bytes Stripe POSTs for an event (pretty-printed JSON)."""
    return json.dumps(event, indent=2).encode("utf-8")


def send_event(url, event_dict, secret, timestamp=None, duplicate=False):
    """POST an event to a webhook endpoint as Stripe does (signed, ``timeout=10``) and return
    the :class:`requests.Response`. ``duplicate=True`` delivers the same bytes twice (a
    redelivery) and returns the second response. ``event_dict`` may also be raw bytes."""
    payload = event_dict if isinstance(event_dict, bytes) else event_payload(event_dict)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": sign_payload(payload, secret, timestamp),
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        "Accept": "*/*; q=0.5, application/xml",
        "Cache-Control": "no-cache",
    }
    response = requests.post(url, data=payload, headers=headers, timeout=10)
    if duplicate:
        response = requests.post(url, data=payload, headers=headers, timeout=10)
    return response


# --------------------------------------------------------------------------- HTTP server

RecordedRequest = namedtuple("RecordedRequest", "method path query headers")
FAULT_KINDS = ("429", "500", "timeout", "drop")


class ApiError(Exception):
    """An error answered in Stripe's JSON shape."""

    def __init__(
        self, status, message, type_="invalid_request_error", code=None, param=None, headers=None
    ):
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": type_, "message": message}}
        if code:
            self.body["error"]["code"] = code
            self.body["error"]["doc_url"] = (
                f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
            )
        if param:
            self.body["error"]["param"] = param
        self.headers = headers or {}


_KEY_RE = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def parse_stripe_query(pairs):
    """Decode form-encoded parameters as Stripe does: ``created[gte]=1`` -> ``{"created":
    {"gte": "1"}}``, ``expand[0]=a`` / ``expand[]=a`` -> ``{"expand": ["a"]}``."""
    root = {}
    for key, value in pairs:
        match = _KEY_RE.match(key)
        if not match:
            raise ApiError(400, f"Invalid parameter name: {key}", param=key)
        path = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        node = root
        for i, part in enumerate(path):
            last = i == len(path) - 1
            if part == "":
                part = str(len(node))
            if last:
                node[part] = value
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise ApiError(400, f"Invalid parameter: {key}", param=key)
                node = child
    return _listify(root)


def _listify(node):
    if not isinstance(node, dict):
        return node
    out = {k: _listify(v) for k, v in node.items()}
    if out and all(k.isdigit() for k in out):
        return [out[k] for k in sorted(out, key=int)]
    return out


_COMMON_LIST_PARAMS = {"created", "ending_before", "expand", "limit", "starting_after"}
# URL segment -> {parameter: (kind, object field)}
_LIST_FILTERS = {
    "balance_transactions": {
        "currency": ("eq", "currency"),
        "payout": ("payout", None),
        "source": ("eq", "source"),
        "type": ("eq", "type"),
    },
    "payouts": {
        "arrival_date": ("range", "arrival_date"),
        "destination": ("eq", "destination"),
        "status": ("eq", "status"),
    },
    "charges": {
        "customer": ("eq", "customer"),
        "payment_intent": ("eq", "payment_intent"),
        "transfer_group": ("eq", "transfer_group"),
    },
    "refunds": {"charge": ("eq", "charge"), "payment_intent": ("eq", "payment_intent")},
    "disputes": {"charge": ("eq", "charge"), "payment_intent": ("eq", "payment_intent")},
    "payment_intents": {"customer": ("eq", "customer")},
    "events": {
        "type": ("event_type", None),
        "types": ("event_types", None),
        "delivery_success": ("ignore", None),
    },
}


def _int_param(value, name):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Invalid integer: {value}", param=name) from None


def _range_filter(spec, name):
    """``created=5`` or ``created[gte]=5&created[lt]=9`` -> predicate on an int."""
    if isinstance(spec, str):
        exact = _int_param(spec, name)
        return lambda v: v == exact
    if not isinstance(spec, dict):
        raise ApiError(400, f"Invalid {name}: must be an integer or a hash", param=name)
    ops = {
        "gt": lambda a, b: a > b,
        "gte": lambda a, b: a >= b,
        "lt": lambda a, b: a < b,
        "lte": lambda a, b: a <= b,
    }
    checks = []
    for op, raw in spec.items():
        if op not in ops:
            raise ApiError(
                400,
                f"Received unknown parameter: {name}[{op}]",
                code="parameter_unknown",
                param=f"{name}[{op}]",
            )
        checks.append((ops[op], _int_param(raw, f"{name}[{op}]")))
    return lambda v: all(fn(v, bound) for fn, bound in checks)


def _mask_key(key):
    if len(key) <= 12:
        return "*" * len(key)
    return key[:8] + "*" * (len(key) - 12) + key[-4:]


class _Handler(JsonHandler):
    server_version = "stripe-sandbox"
    json_indent = 2

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_DELETE(self):
        self._handle("DELETE")

    def response_headers(self):
        return {
            "Cache-Control": "no-cache, no-store",
            "Request-Id": f"req_{self.sandbox._next_request_id()}",
            "Stripe-Version": self.headers.get("Stripe-Version") or API_VERSION,
        }

    def _handle(self, method):
        sandbox = self.sandbox
        split = urlsplit(self.path)
        path = split.path
        pairs = parse_qsl(split.query, keep_blank_values=True)
        body = self.read_body()
        if method == "POST" and body:
            pairs += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        query = {}
        for key, value in pairs:
            if key in query:
                prev = query[key]
                query[key] = [*prev, value] if isinstance(prev, list) else [prev, value]
            else:
                query[key] = value
        headers = dict(self.headers.items())
        sandbox.requests.append(RecordedRequest(method, path, query, headers))
        if method == "POST" and self.headers.get("Idempotency-Key"):
            sandbox.idempotency_keys.append(self.headers["Idempotency-Key"])

        fault = sandbox._take_fault(path)
        if fault is not None:
            if self.transport_fault(fault):
                return
            if fault.kind == "429":
                self.send_json(
                    429,
                    ApiError(
                        429,
                        "Too many requests hit the API too quickly. We recommend an "
                        "exponential backoff of your requests.",
                        code="rate_limit",
                    ).body,
                    {"Retry-After": str(fault.retry_after), "Stripe-Should-Retry": "true"},
                )
                return
            if fault.kind == "500":
                self.send_json(
                    500,
                    ApiError(500, "An unknown error occurred", type_="api_error").body,
                    {"Stripe-Should-Retry": "true"},
                )
                return
        try:
            sandbox._check_auth(self.headers.get("Authorization"))
            if method != "GET":
                raise ApiError(
                    405,
                    f"The Stripe sandbox is read-only: {method} {path} is not supported.",
                    headers={"Allow": "GET"},
                )
            status, result = 200, sandbox._route(path, parse_stripe_query(pairs))
            extra = {}
        except ApiError as exc:
            status, result, extra = exc.status, exc.body, exc.headers
        self.send_json(status, result, extra)


class StripeSandbox(Sandbox):
    """Serve a :class:`StripeWorld` over HTTP on 127.0.0.1 (a daemon thread).

    >>> with StripeSandbox(generate_month()) as sandbox:
    ...     client = sandbox.client()       # stripe.StripeClient pointed at sandbox.url
    ...     client.v1.balance_transactions.list({"limit": 100})

    ``requests``: every request received, as ``RecordedRequest(method, path, query, headers)``
    (query: decoded form keys as sent, e.g. ``{"created[gte]": "1790812800"}``).
    ``idempotency_keys``: the ``Idempotency-Key`` headers of POSTs (which are answered 405).
    ``timeout_seconds``: how long a "timeout" fault stalls before answering.
    """

    handler_class = _Handler
    name = "stripe-sandbox"
    fault_kinds = FAULT_KINDS

    def __init__(self, world, api_key="sk_test_omni"):
        super().__init__()
        self.world = world
        self.api_key = api_key
        self.idempotency_keys = []
        self._request_seq = 0

    def add_fault(self, kind, path_prefix="/v1/", times=1, retry_after=1, after=0):
        """Queue a fault for the next ``times`` requests whose path starts with
        ``path_prefix``, once ``after`` of them were answered: "429" (Retry-After:
        ``retry_after``), "500", "timeout" (stall ``timeout_seconds`` then answer normally),
        "drop" (close without answering). Faults are consumed in the order added."""
        return super().add_fault(
            kind, times=times, retry_after=retry_after, path_prefix=path_prefix, after=after
        )

    def reset(self):
        """Forget recorded requests, idempotency keys and pending faults."""
        self.clear_faults()
        self.requests.clear()
        self.idempotency_keys.clear()

    def client(self, timeout=None, api_key=None, **kwargs):
        """A ``stripe.StripeClient`` for this sandbox (``max_network_retries=0``; ``timeout``
        in seconds via ``stripe.RequestsClient``). Needs the ``stripe`` package."""
        import stripe

        if timeout is not None:
            kwargs.setdefault("http_client", stripe.RequestsClient(timeout=timeout))
        kwargs.setdefault("max_network_retries", 0)
        return stripe.StripeClient(
            api_key or self.api_key, base_addresses={"api": self.url}, **kwargs
        )

    def events_for_delivery(self, shuffle_seed=None, duplicates=0):
        return self.world.events_for_delivery(shuffle_seed=shuffle_seed, duplicates=duplicates)

    def requests_to(self, path_prefix):
        return [r for r in self.requests if r.path.startswith(path_prefix)]

    # -- internals
    def _next_request_id(self):
        with self._lock:
            self._request_seq += 1
            return f"omni{self._request_seq:010d}"

    def _check_auth(self, header):
        key = None
        if header and header.startswith("Bearer "):
            key = header[len("Bearer ") :].strip()
        elif header and header.startswith("Basic "):
            try:
                key = base64.b64decode(header[len("Basic ") :]).decode().split(":", 1)[0]
            except (ValueError, UnicodeDecodeError):
                key = ""
        if not key:
            raise ApiError(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, "
                "or we can help at https://support.stripe.com/.",
            )
        if not hmac.compare_digest(key.encode(), self.api_key.encode()):
            raise ApiError(
                401, f"Invalid API Key provided: {_mask_key(key)}", code="api_key_invalid"
            )

    def _route(self, path, params):
        parts = [p for p in path.split("/") if p]
        if len(parts) < 2 or parts[0] != "v1":
            raise self._unrecognized(path)
        rest = parts[1:]
        if rest == ["balance"]:
            self._check_params(params, {"expand"})
            return self.world.balance()
        if rest[:2] == ["balance", "history"]:
            resource, tail, list_url = "balance_transactions", rest[2:], "/v1/balance/history"
        else:
            resource, tail, list_url = rest[0], rest[1:], f"/v1/{rest[0]}"
        if resource not in RESOURCES:
            raise self._unrecognized(path)
        if not tail:
            return self._list(resource, params, list_url)
        if len(tail) == 1:
            return self._retrieve(resource, tail[0], params)
        raise self._unrecognized(path)

    @staticmethod
    def _unrecognized(path):
        return ApiError(
            404,
            f"Unrecognized request URL (GET: {path}). Please see https://stripe.com/docs or "
            "we can help at https://support.stripe.com/.",
        )

    @staticmethod
    def _check_params(params, allowed):
        for key in params:
            if key not in allowed:
                raise ApiError(
                    400, f"Received unknown parameter: {key}", code="parameter_unknown", param=key
                )

    def _missing(self, resource, object_id, param="id"):
        name = RESOURCES.get(resource, resource)
        return ApiError(404, f"No such {name}: '{object_id}'", code="resource_missing", param=param)

    def _retrieve(self, resource, object_id, params):
        self._check_params(params, {"expand"})
        obj = self.world.find(resource, object_id)
        if obj is None:
            raise self._missing(resource, object_id)
        for path in self._expand_list(params):
            obj = self._expand(obj, path.split("."), path)
        return obj

    @staticmethod
    def _expand_list(params):
        expand = params.get("expand", [])
        if isinstance(expand, str):
            expand = [expand]
        if not isinstance(expand, list) or not all(isinstance(e, str) for e in expand):
            raise ApiError(400, "Invalid array", param="expand")
        return expand

    def _expand(self, obj, parts, full):
        """Return a shallow copy of ``obj`` with the dotted field path expanded."""
        if not parts:
            return obj
        field, rest = parts[0], parts[1:]
        if not isinstance(obj, dict) or field not in EXPANDABLE.get(obj.get("object"), ()):
            raise ApiError(400, f"This property cannot be expanded ({full}).", param="expand")
        value = obj.get(field)
        if isinstance(value, str):
            target = self.world.get(value)
            if target is None:
                return obj
            value = target
        if value is None:
            return obj
        out = dict(obj)
        out[field] = self._expand(value, rest, full)
        return out

    def _list(self, resource, params, list_url):
        filters = _LIST_FILTERS[resource]
        self._check_params(params, _COMMON_LIST_PARAMS | set(filters))
        world = self.world
        limit = _int_param(params.get("limit", "10"), "limit")
        if not 1 <= limit <= 100:
            raise ApiError(400, "Invalid limit: must be between 1 and 100", param="limit")
        after, before = params.get("starting_after"), params.get("ending_before")
        if after and before:
            raise ApiError(
                400,
                "You may only specify one of these parameters: ending_before, starting_after.",
                param="ending_before",
            )
        predicates = []
        if "created" in params:
            check = _range_filter(params["created"], "created")
            predicates.append(lambda o, check=check: check(o["created"]))
        for name, (kind, field) in filters.items():
            if name not in params:
                continue
            value = params[name]
            if kind == "eq":
                predicates.append(lambda o, f=field, v=value: o.get(f) == v)
            elif kind == "range":
                check = _range_filter(value, name)
                predicates.append(lambda o, f=field, check=check: check(o[f]))
            elif kind == "payout":
                if world.find("payouts", value) is None:
                    raise self._missing("payouts", value, param="payout")
                predicates.append(lambda o, v=value: world.payout_of(o["id"]) == v)
            elif kind == "event_type":
                if value.endswith("*"):
                    predicates.append(lambda o, p=value[:-1]: o["type"].startswith(p))
                else:
                    predicates.append(lambda o, v=value: o["type"] == v)
            elif kind == "event_types":
                wanted = set(value if isinstance(value, list) else [value])
                predicates.append(lambda o, w=wanted: o["type"] in w)
        items = sorted(
            (o for o in world.collection(resource) if all(p(o) for p in predicates)),
            key=_sort_key,
            reverse=True,
        )
        if after or before:
            cursor = world.find(resource, after or before)
            if cursor is None:
                raise self._missing(
                    resource, after or before, param="starting_after" if after else "ending_before"
                )
            key = _sort_key(cursor)
        if after:
            rest = [o for o in items if _sort_key(o) < key]
            page, has_more = rest[:limit], len(rest) > limit
        elif before:
            rest = [o for o in items if _sort_key(o) > key]
            page, has_more = rest[-limit:], len(rest) > limit
        else:
            page, has_more = items[:limit], len(items) > limit
        expand = []
        for path in self._expand_list(params):
            if not path.startswith("data."):
                raise ApiError(400, f"This property cannot be expanded ({path}).", param="expand")
            expand.append(path)
        for path in expand:
            page = [self._expand(o, path.split(".")[1:], path) for o in page]
        return {"object": "list", "data": page, "has_more": has_more, "url": list_url}
