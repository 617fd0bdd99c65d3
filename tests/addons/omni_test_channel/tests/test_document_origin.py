"""The sale order, the invoice and the delivery made from a channel order say where they came
from: smart buttons to the channel order and its events, the channel and its reference at the
top of the form. Users outside Omni see the documents without any of it."""

from lxml import etree

from odoo.tests import new_test_user, tagged

from .common import OmniTestChannelCase, order_payload


@tagged("post_install", "-at_install")
class TestDocumentOrigin(OmniTestChannelCase):
    def setUp(self):
        super().setUp()
        self.event = self.deliver(order_payload(financial_status="paid"))  # confirmed
        self.sale_order = self.event.sale_order_id
        self.omni_order_rec = self.event.omni_order_id

    def assert_origin(self, document):
        self.assertEqual(document.omni_origin_order_ids, self.omni_order_rec)
        self.assertEqual(document.omni_origin_order_count, 1)
        self.assertEqual(document.omni_origin_event_count, 1)
        action = document.action_open_omni_origin_orders()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("omni.order", self.omni_order_rec.id)
        )
        action = document.action_open_omni_origin_events()
        events = self.env["omni.event"].search(action["domain"])
        self.assertEqual(events, self.event)

    def assert_form_shows_origin(self, model, top_xpath):
        arch = etree.fromstring(
            self.env[model].get_views([(False, "form")])["views"]["form"]["arch"]
        )
        for name in ("action_open_omni_origin_orders", "action_open_omni_origin_events"):
            self.assertTrue(arch.xpath(f"//div[@name='button_box']/button[@name='{name}']"), name)
        self.assertTrue(arch.xpath(f"{top_xpath}//field[@name='omni_external_ref']"), model)
        self.assertTrue(arch.xpath(f"{top_xpath}//field[@name='omni_channel']"), model)

    def test_sale_order(self):
        self.assertEqual(self.event.state, "done", self.event.error_message)
        self.assert_origin(self.sale_order)
        self.assert_form_shows_origin("sale.order", "//group[@name='order_details']")

    def test_invoice(self):
        # Odoo's own invoicing of the order (unless an invoicing policy already did it)
        invoice = self.sale_order.invoice_ids or self.sale_order._create_invoices()
        self.assert_origin(invoice)
        self.assertEqual(
            (invoice.omni_backend_id, invoice.omni_channel, invoice.omni_external_ref),
            (self.backend, "omnitest", "1001"),
            "the invoice names its channel and the order's reference",
        )
        self.assert_form_shows_origin("account.move", "//group[@id='header_left_group']")
        other = self.env["account.move"].create(
            {"move_type": "out_invoice", "partner_id": self.sale_order.partner_id.id}
        )
        self.assertEqual((other.omni_origin_order_count, other.omni_origin_event_count), (0, 0))

    def test_delivery(self):
        picking = self.sale_order.picking_ids
        self.assertEqual(len(picking), 1)
        self.assert_origin(picking)
        self.assert_form_shows_origin("stock.picking", "//sheet")

    def test_users_outside_omni_see_no_channel_origin(self):
        salesman = new_test_user(
            self.env, "origin_salesman", groups="sales_team.group_sale_salesman_all_leads"
        )
        order = self.sale_order.with_user(salesman)
        self.assertEqual(order.read(["name"])[0]["name"], self.sale_order.name)
        self.assertNotIn("omni_origin_order_count", order.fields_get())
        arch = order.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("action_open_omni_origin_orders", arch)
