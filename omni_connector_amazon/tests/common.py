from omni_sandboxes.amazon_sandbox import (
    CATALOG,
    CLIENT_ID,
    CLIENT_SECRET,
    DE,
    DEFAULT_START,
    REFRESH_TOKEN,
    SELLER_ID,
    US,
    AmazonSandbox,
    generate_month,
)

from odoo.addons.omni_connector_base.tests.common import OmniCommon

from ..const import FULFILLED_BY_AMAZON


class AmazonCase(OmniCommon):
    """An Amazon seller (amazon.com and amazon.de) wired to a sandbox serving a month; FBA
    orders ship from an FBA warehouse of their own."""

    channel = "amazon"
    currency_code = "EUR"
    currency_codes = ("USD",)
    channel_tax = "Amazon tax"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.world = generate_month()
        cls.sandbox = cls.serve(AmazonSandbox(cls.world))
        cls.usd_pricelist = cls.env["product.pricelist"].create(
            {
                "name": "Amazon USD",
                "currency_id": cls.env.ref("base.USD").id,
                "company_id": cls.company.id,
            }
        )
        cls.products = cls.make_products([(sku, title, price) for sku, title, __, price in CATALOG])
        cls.walk_in = cls.env["res.partner"].create({"name": "Amazon customer (FBA)"})
        cls.backend = cls.make_backend(
            "Amazon test seller",
            default_partner_id=cls.walk_in.id,
            amazon_import_since=DEFAULT_START.replace(tzinfo=None),
        )
        cls.fba_warehouse = cls.env["stock.warehouse"].create(
            {"name": "Amazon FBA", "code": "FBA", "company_id": cls.company.id}
        )
        cls.env["omni.location"].create(
            {
                "backend_id": cls.backend.id,
                "external_id": FULFILLED_BY_AMAZON,
                "name": "Fulfilled by Amazon",
                "warehouse_id": cls.fba_warehouse.id,
            }
        )

    def setUp(self):
        super().setUp()
        sandbox = self.sandbox
        sandbox.page_size, sandbox.timeout_seconds = 100, 3.0
        sandbox.clear_faults()
        sandbox.broken_totals.clear()
        sandbox.requests.clear()
        sandbox.issued.clear()
        sandbox.tokens.clear()

    @classmethod
    def _backend_vals(cls):
        return {
            **super()._backend_vals(),
            "amazon_lwa_client_id": CLIENT_ID,
            "amazon_lwa_client_secret": CLIENT_SECRET,
            "amazon_refresh_token": REFRESH_TOKEN,
            "amazon_seller_id": SELLER_ID,
            "amazon_marketplace_ids": f"{US.marketplace_id},{DE.marketplace_id}",
            "amazon_region": "eu",
            "amazon_endpoint": cls.sandbox.url,
            "amazon_lwa_token_url": f"{cls.sandbox.url}/auth/o2/token",
        }
