"""One shop, one active backend per company: a second backend connecting to a shop that
another active backend already serves is refused (its orders would be imported twice)."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ShopifyCase


@tagged("post_install", "-at_install")
class TestOneBackendPerShop(ShopifyCase):
    def test_connecting_a_second_backend_to_the_same_shop_is_refused(self):
        shop = self.backend.shopify_myshopify_domain
        self.assertTrue(shop.endswith(".myshopify.com"), shop)
        second = self.make_backend("Same shop again")
        second.action_test_connection()
        self.assertEqual(second.state, "error")
        self.assertEqual(
            second.connection_message,
            f"Shop {shop} is already served by backend Sandbox shop of this company: archive "
            "one of them (the shop's orders would be imported twice).",
        )
        self.assertFalse(second.shopify_myshopify_domain, "nothing of the refused shop kept")
        # once the first is archived, the second connects
        self.backend.active = False
        second.action_test_connection()
        self.assertEqual((second.state, second.shopify_myshopify_domain), ("connected", shop))
        with self.assertRaisesRegex(ValidationError, "already served by backend Same shop"):
            self.backend.active = True

    def test_the_same_shop_domain_twice_is_refused_in_one_company_only(self):
        vals = {"channel": "shopify", "shopify_shop_url": "acme.myshopify.com"}
        self.env["omni.backend"].create({"name": "Acme", **vals})
        with self.assertRaisesRegex(ValidationError, "acme.myshopify.com is already served"):
            self.env["omni.backend"].create({"name": "Acme again", **vals})
        other_company = self.env["res.company"].create({"name": "Other retailer"})
        elsewhere = self.env["omni.backend"].create(
            {"name": "Acme elsewhere", "company_id": other_company.id, **vals}
        )
        self.assertEqual(elsewhere._omni_account_key(), "acme.myshopify.com")
        # a domain written differently is the same shop
        with self.assertRaisesRegex(ValidationError, "already served"):
            self.env["omni.backend"].create(
                {"name": "Acme shouted", **vals, "shopify_shop_url": " https://ACME.myshopify.com/"}
            )
