"""Every Omni job method has its queue.job.function: the retry pattern and the channel."""

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestJobFunctions(TransactionCase):
    def test_job_functions_name_existing_methods(self):
        """A renamed job method would silently lose its retry pattern: each declared function
        must still name a method of its model, on a channel under root.omni."""
        data = self.env["ir.model.data"].search(
            [("model", "=", "queue.job.function"), ("module", "=like", "omni\\_%")]
        )
        functions = self.env["queue.job.function"].browse(data.mapped("res_id"))
        self.assertIn(
            ("omni.event", "_process_job"), [(f.model_id.model, f.method) for f in functions]
        )
        for function in functions:
            with self.subTest(function=function.name):
                model = self.env[function.model_id.model]
                self.assertTrue(callable(getattr(model, function.method, None)))
                self.assertTrue(function.retry_pattern)
                self.assertTrue(function.channel.startswith("root.omni"), function.channel)
