import json

from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestOmniTour(HttpCase):
    def test_tour_open_menu_and_event(self):
        backend = self.env["omni.backend"].create({"name": "Tour channel", "channel": "omnitest"})
        self.env["omni.event"]._receive(
            backend,
            [
                {
                    "topic": "order",
                    "external_id": "TOUR-1",
                    "idempotency_key": f"{backend.id}:order:tour-1",
                    "payload": json.dumps({"topic": "order", "order": {"id": "TOUR-1"}}),
                }
            ],
            "manual",
        )
        self.start_tour("/web", "omni_connector_base_tour", login="admin", timeout=180)
