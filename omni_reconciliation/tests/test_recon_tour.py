from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestReconTour(HttpCase):
    def test_tour_resolve_exception(self):
        backend = self.env["omni.backend"].create({"name": "Tour recon", "channel": "omnitest"})
        self.env["omni.order"].create(
            {
                "name": "#TOUR-RECON-1",
                "backend_id": backend.id,
                "external_id": "TOUR-RECON-1",
                "currency_id": self.env.company.currency_id.id,
                "amount_total": 42.0,
            }
        )
        run = self.env["omni.recon.run"].create({"backend_id": backend.id})
        run.with_context(omni_recon_no_action=True).action_run()
        exc = self.env["omni.recon.exception"].search([("backend_id", "=", backend.id)])
        self.assertEqual(exc.exception_type, "missing_in_odoo")
        self.start_tour("/web", "omni_reconciliation_tour", login="admin", timeout=180)
        self.assertEqual(exc.state, "resolved")
