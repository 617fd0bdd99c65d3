"""Lost webhooks are healed by the poll of the open dispatches' shipments."""

from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import SHIPPED_AT, ShipBobWebhookCase


@tagged("post_install", "-at_install")
class TestShipBobPoll(ShipBobWebhookCase):
    def poll(self):
        with trap_jobs() as trap:
            self.backend.action_tpl_poll_shipments()
        trap.perform_enqueued_jobs()
        return self.process()

    def test_poll_applies_what_no_webhook_said_once(self):
        lost, lost_order = self.send({self.mug: 2, self.tee: 1})
        fine, fine_order = self.send({self.cap: 1})
        __, told = self.ship(fine_order, {self.cap: 1})  # its webhook came
        shipment = self.sandbox.ship(lost_order["id"], {"SB-MUG": 2}, at=SHIPPED_AT)  # lost
        events = self.poll()
        self.assertEqual(len(events), 1, "only the shipment Odoo has not validated")
        self.assertEqual((events.source, events.state), ("poll", "done"))
        self.assertEqual(lost.state, "done")
        self.assertEqual(lost.date_done, SHIPPED_AT.replace(tzinfo=None))
        self.assertEqual(lost.omni_dispatch_id.state, "partial")
        polled = [q["IDs"] for verb, __, q, *__ in self.sandbox.requests if "IDs" in q]
        self.assertEqual(
            polled, [[lost.omni_dispatch_id.external_id]], "one request, the open dispatch only"
        )
        self.assertFalse(self.poll(), "nothing new: nothing stored")
        # the lost webhook arrives after all: it changes nothing
        self.deliver("order.shipped", shipment)
        late = self.process()
        self.assertIn("already validated", late.result_note)
        self.assertEqual(len(lost.omni_dispatch_id._pickings()), 2)
        self.assertEqual(fine.omni_dispatch_id.state, "shipped")
        self.assertTrue(told)
