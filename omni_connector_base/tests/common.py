"""The shared base of the suite's tests.

- :class:`OmniCommon`: a company selling on one channel (warehouse, the channel's currency and
  pricelist, VAT 20 % mapped from the channel's tax name), with the factories and helpers every
  channel's test case builds on; a channel's case subclasses it and adds only its own (sandbox,
  connection, channel helpers).
- :class:`ChannelBackendChecks`: what every connector's backend provides, checked the same way
  for each channel. A connector's test mixes it into a ``TransactionCase`` and sets
  ``channel``, ``module`` and ``channel_label``; the mixin is not a test case itself, so it is
  never collected on its own.
"""

from decimal import Decimal

from odoo import Command
from odoo.tests import TransactionCase
from odoo.tools.safe_eval import safe_eval

VAT_RATE = 0.2  # the rate of ``cls.vat20`` as the channels send it (a fraction)


def cents(value):
    """An ORM float amount as the exact Decimal PostgreSQL stores (2 decimals)."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


class OmniCommon(TransactionCase):
    """A company selling on one channel; what every channel's test case builds on.

    A channel's case sets:

    - ``channel``: the backends' channel (``omni.backend.channel``);
    - ``currency_code``: the channel's sales currency, activated as ``cls.currency`` with
      ``cls.pricelist`` in it (none: the company's currency and no pricelist);
    - ``currency_codes``: more currencies its data speaks, activated;
    - ``channel_tax``: VAT 20 % as the channel names it; ``cls.vat20`` is a sale tax
      (``tax_included`` or not) mapped on every backend from :meth:`make_backend` (none: no
      tax).

    A channel adds its connection fields to every backend in :meth:`_backend_vals`.
    """

    channel = None
    currency_code = None
    currency_codes = ()
    channel_tax = None
    tax_included = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        for code in cls.currency_codes:
            cls.activate_currency(code)
        cls.currency = cls.company.currency_id
        cls.pricelist = cls.env["product.pricelist"]
        if cls.currency_code:
            cls.currency = cls.activate_currency(cls.currency_code)
            cls.pricelist = cls.pricelist.create(
                {
                    "name": f"{cls.channel} {cls.currency_code}",
                    "currency_id": cls.currency.id,
                    "company_id": cls.company.id,
                }
            )
        cls.vat20 = cls.env["account.tax"]
        if cls.channel_tax:
            cls.vat20 = cls.vat20.create(
                {
                    "name": f"VAT 20% ({cls.channel} test)",
                    "amount": 20.0,
                    "price_include": cls.tax_included,
                    "type_tax_use": "sale",
                    "company_id": cls.company.id,
                }
            )

    # ------------------------------------------------------------------ factories
    @classmethod
    def serve(cls, sandbox):
        """A channel sandbox (``tests/omni_sandboxes``) started for the class, stopped after."""
        sandbox.start()
        cls.addClassCleanup(sandbox.stop)
        return sandbox

    @classmethod
    def activate_currency(cls, code, rate=None):
        """The currency ``code``, active; with ``rate`` (units for one of the company's
        currency), the company's rate of it since 2026-01-01."""
        currency = cls.env.ref(f"base.{code}")
        currency.active = True
        if rate is not None:
            cls.env["res.currency.rate"].create(
                {
                    "currency_id": currency.id,
                    "rate": rate,
                    "name": "2026-01-01",
                    "company_id": cls.company.id,
                }
            )
        return currency

    @classmethod
    def make_products(cls, catalog, **vals):
        """The channel's catalog in Odoo: one product per ``(sku, name, price[, barcode])``, with
        ``vals`` in common (consumables unless told)."""
        return cls.env["product.product"].create(
            [
                {
                    "detailed_type": "consu",
                    **vals,
                    "default_code": sku,
                    "name": name,
                    "list_price": float(price),
                    "barcode": barcode[0] if barcode else False,
                }
                for sku, name, price, *barcode in catalog
            ]
        )

    @classmethod
    def make_backend(cls, name, **vals):
        """A backend of the channel: :meth:`_backend_vals`, then ``vals``."""
        return cls.env["omni.backend"].create({"name": name, **cls._backend_vals(), **vals})

    @classmethod
    def _backend_vals(cls):
        """What every backend of the case has: the channel, the warehouse, the pricelist and the
        tax mapping; a channel adds its connection."""
        vals = {"channel": cls.channel, "warehouse_id": cls.warehouse.id}
        if cls.pricelist:
            vals["pricelist_id"] = cls.pricelist.id
        if cls.vat20:
            vals["tax_map_ids"] = [
                Command.create(
                    {"channel_tax": cls.channel_tax, "rate": VAT_RATE, "tax_id": cls.vat20.id}
                )
            ]
        return vals

    # ------------------------------------------------------------------ helpers
    @classmethod
    def events(cls, backend=None, **domain):
        """The backend's events whose fields have the values of ``domain``, as received."""
        return cls.env["omni.event"].search(
            [("backend_id", "=", (backend or cls.backend).id)]
            + [(field, "=", value) for field, value in domain.items()],
            order="id",
        )

    @classmethod
    def process(cls, backend=None):
        """What the job runner does: every received event of the backend, in one job."""
        events = cls.events(backend, state="received")
        events._process_job()
        return events

    def assert_all_done(self, events):
        bad = events.filtered(lambda e: e.state != "done")
        self.assertFalse(
            bad, "\n".join(f"{e.topic} {e.external_id}: {e.error_message}" for e in bad)
        )

    def assertAmount(self, amount, expected, msg=None):
        """``amount`` (an ORM float) is exactly ``expected`` (a Decimal or its string), to the
        cent."""
        self.assertEqual(cents(amount), Decimal(str(expected)), msg)


class ChannelBackendChecks:
    channel = None
    module = None
    channel_label = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["omni.backend"].create(
            {"name": f"Test {cls.channel_label}", "channel": cls.channel}
        )

    def test_channel_is_selectable(self):
        field = self.env["omni.backend"]._fields["channel"]
        labels = dict(field._description_selection(self.env))
        self.assertEqual(labels[self.channel], self.channel_label)
        self.assertEqual(self.backend.company_id, self.env.company)
        self.assertEqual(self.backend.state, "draft")

    def test_default_status_map(self):
        expected = self.env["omni.status.map"]._default_rows(self.channel)
        self.assertTrue(expected)
        self.assertEqual(
            {
                (row.kind, row.channel_state, row.canonical_state, row.action)
                for row in self.backend.status_map_ids
            },
            {(v["kind"], v["channel_state"], v["canonical_state"], v["action"]) for v in expected},
        )
        self.assertEqual(len(self.backend.status_map_ids), len(expected))

    def test_job_channel(self):
        name = f"root.omni.{self.channel}"
        self.assertEqual(self.backend._omni_job_channel(), name)
        channel = self.env["queue.job.channel"].search([("complete_name", "=", name)])
        self.assertEqual(
            channel, self.env.ref(f"{self.module}.queue_job_channel_omni_{self.channel}")
        )
        self.assertEqual(
            channel.parent_id, self.env.ref("omni_connector_base.queue_job_channel_omni")
        )

    def test_configuration_menu(self):
        """The channel's own backends menu, for managers, shows only its backends."""
        action = self.env.ref(f"{self.module}.omni_backend_action_{self.channel}")
        self.assertEqual(action.res_model, "omni.backend")
        self.assertEqual(safe_eval(action.context), {"default_channel": self.channel})
        field = self.env["omni.backend"]._fields["channel"]
        others = [key for key, _label in field._description_selection(self.env)]
        others.remove(self.channel)
        other = self.env["omni.backend"]
        if others:  # another channel is installed: its backends stay out of this menu
            other = other.create({"name": "Other Channel", "channel": others[0]})
        shown = self.env["omni.backend"].search(safe_eval(action.domain))
        self.assertIn(self.backend, shown)
        self.assertEqual(set(shown.mapped("channel")), {self.channel})
        self.assertFalse(other & shown)
        menu = self.env.ref(f"{self.module}.menu_omni_{self.channel}_backends")
        self.assertEqual(menu.action, action)
        self.assertEqual(menu.parent_id, self.env.ref("omni_connector_base.menu_omni_config"))
        self.assertEqual(menu.groups_id, self.env.ref("omni_connector_base.group_omni_manager"))


def records_of_another_company(env, company):
    """One record of ``company`` per company-dependent model an Omni backend points at, keyed
    by model: what a backend of another company must refuse (``_check_company``)."""
    account = env["account.account"].create(
        {
            "name": "Other company expense",
            "code": "699999",
            "account_type": "expense",
            "company_id": company.id,
        }
    )
    tax_group = env["account.tax.group"].create({"name": "Other VAT", "company_id": company.id})
    return {
        "account.account": account,
        "account.journal": env["account.journal"].create(
            {"name": "Other company bank", "code": "OBNK", "type": "bank", "company_id": company.id}
        ),
        "account.tax": env["account.tax"].create(
            {
                "name": "Other VAT 10%",
                "amount": 10,
                "type_tax_use": "sale",
                "tax_group_id": tax_group.id,
                "country_id": company.country_id.id,
                "company_id": company.id,
            }
        ),
        "res.partner": env["res.partner"].create(
            {"name": "Other company customer", "company_id": company.id}
        ),
        "product.product": env["product.product"].create(
            {"name": "Other company product", "company_id": company.id}
        ),
        "product.pricelist": env["product.pricelist"].create(
            {"name": "Other company pricelist", "company_id": company.id}
        ),
        "stock.warehouse": env["stock.warehouse"].search(
            [("company_id", "=", company.id)], limit=1
        ),
        "crm.team": env["crm.team"].create(
            {"name": "Other company team", "company_id": company.id}
        ),
    }
