"""Products and customers pulled from the shop and matched under the backend's governance:
mapping, then SKU / barcode (products) or normalized email / phone (customers), created only
where the backend allows it, otherwise a visible mapping error; never a silent duplicate."""

from omni_sandboxes.shopify_sandbox import iso, parse_iso

from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import ShopifyCase


@tagged("post_install", "-at_install")
class TestMasterData(ShopifyCase):
    def pull(self, stream):
        with trap_jobs() as trap:
            result = self.backend._shopify_pull_master(stream)
            self.assertFalse(
                [j for j in trap.enqueued_jobs if j.method_name == "_shopify_pull_master"]
            )
        self.events(state="received")._process_job()
        return result

    def bound(self, kind, gid):
        external_id = gid.rsplit("/", 1)[-1]
        return (
            self.env["omni.external.id"]._lookup(self.backend, kind, [external_id]).get(external_id)
        )

    def add_variant(self, sku, barcode=None, title="Gift Card Holder"):
        """A product the seeded Odoo database does not have, updated after everything else."""
        product = {
            "__typename": "Product",
            "id": "gid://shopify/Product/8999000001",
            "title": title,
            "updatedAt": iso(parse_iso("2026-11-01T00:00:00Z")),
        }
        variant = {
            "__typename": "ProductVariant",
            "id": "gid://shopify/ProductVariant/9999000001",
            "sku": sku,
            "barcode": barcode,
            "title": "Default Title",
            "price": "9.90",
            "product": product,
        }
        self.world.products.append((product, [variant]))
        self.addCleanup(self.world.products.remove, (product, [variant]))
        return variant

    def test_products_are_bound_by_sku_without_duplicates(self):
        count = self.env["product.product"].search_count([])
        result = self.pull("shopify_products")
        self.assertIn(f"{len(self.world.products)} record(s) seen", result)
        events = self.events(topic="products/graphql")
        self.assertEqual(set(events.mapped("state")), {"done"}, events.mapped("error_message"))
        for (__, variants), odoo_product in zip(self.world.products, self.products, strict=True):
            self.assertEqual(self.bound("product", variants[0]["id"]), odoo_product)
        self.assertEqual(self.env["product.product"].search_count([]), count)
        # a second pull: nothing new, nothing created
        self.pull("shopify_products")
        self.assertEqual(self.events(topic="products/graphql"), events)
        self.assertEqual(self.env["product.product"].search_count([]), count)

    def test_unknown_product_is_created_only_where_allowed(self):
        variant = self.add_variant("GIFT-HOLDER", barcode="4012345678901")
        count = self.env["product.product"].search_count([])
        self.assertFalse(self.backend.create_products)
        self.pull("shopify_products")
        event = self.events(topic="products/graphql", external_id="8999000001")
        self.assertEqual((event.state, event.error_class), ("failed", "mapping"))
        self.assertIn("GIFT-HOLDER", event.error_message)
        self.assertEqual(self.env["product.product"].search_count([]), count)
        self.backend.create_products = True
        for __ in range(2):  # a replay creates nothing more
            (event.action_retry if event.state == "failed" else event.action_replay)()
            event._process_one()
            self.assertEqual(event.state, "done", event.error_message)
        created = self.bound("product", variant["id"])
        self.assertEqual(
            (created.default_code, created.barcode, created.name),
            ("GIFT-HOLDER", "4012345678901", "Gift Card Holder"),
        )
        self.assertEqual(self.env["product.product"].search_count([]), count + 1)

    def test_barcode_matches_when_the_sku_does_not(self):
        self.products[5].barcode = "4012345678918"
        variant = self.add_variant("", barcode="4012345678918")
        self.pull("shopify_products")
        self.assertEqual(self.bound("product", variant["id"]), self.products[5])

    def test_ambiguous_sku_is_a_mapping_error(self):
        __, variants = self.world.products[1]
        self.env["product.product"].create(
            {"name": "Same SKU, other product", "default_code": variants[0]["sku"]}
        )
        self.backend.create_products = True
        count = self.env["product.product"].search_count([])
        self.pull("shopify_products")
        event = self.events(
            topic="products/graphql", external_id=self.world.products[1][0]["id"].rsplit("/", 1)[-1]
        )
        self.assertEqual((event.state, event.error_class), ("failed", "mapping"))
        self.assertIn("several products", event.error_message)
        self.assertFalse(self.bound("product", variants[0]["id"]))
        self.assertEqual(self.env["product.product"].search_count([]), count)

    def test_customers_match_by_email_then_create_where_allowed(self):
        first = self.world.customers[0]
        known = self.env["res.partner"].create(
            {
                "name": "Existing Jane",
                # same address, other spelling: normalized before matching
                "email": first["defaultEmailAddress"]["emailAddress"].upper(),
            }
        )
        self.backend.create_customers = False
        self.pull("shopify_customers")
        events = self.events(topic="customers/graphql")
        self.assertEqual(len(events), len(self.world.customers))
        matched = events.filtered(lambda e: e.state == "done")
        self.assertEqual(matched.mapped("external_id"), [first["id"].rsplit("/", 1)[-1]])
        self.assertEqual(self.bound("customer", first["id"]), known)
        refused = events - matched
        self.assertEqual(set(refused.mapped("error_class")), {"mapping"})
        partners = self.env["res.partner"].search_count([])
        self.backend.create_customers = True
        refused.action_retry()
        refused._process_job()
        self.assertEqual(set(events.mapped("state")), {"done"}, events.mapped("error_message"))
        self.assertEqual(
            self.env["res.partner"].search_count([]), partners + len(self.world.customers) - 1
        )
        second = self.world.customers[1]
        partner = self.bound("customer", second["id"])
        self.assertEqual(partner.email, second["defaultEmailAddress"]["emailAddress"])
        self.assertEqual(partner.city, second["defaultAddress"]["city"])
        # replays and a new pull create nobody else
        events.action_replay()
        events._process_job()
        self.pull("shopify_customers")
        self.assertEqual(
            self.env["res.partner"].search_count([]), partners + len(self.world.customers) - 1
        )
