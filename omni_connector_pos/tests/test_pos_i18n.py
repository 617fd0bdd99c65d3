"""Payload errors are shown on events in the language of the user processing them."""

import copy
from decimal import Decimal

from odoo.tests import tagged

from odoo.addons.omni_connector_base.tools.errors import PayloadError

from ..tools.parser import parse_transaction
from .common import PosCase


@tagged("post_install", "-at_install")
class TestPosMessagesTranslated(PosCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        sale = next(t for t in cls.world.transactions if t["kind"] == "sale")
        # Valid for the contract, but its tenders no longer add up to its total.
        cls.unbalanced = copy.deepcopy(sale)
        cls.unbalanced["total"] = str(Decimal(sale["total"]) + 1)
        cls.tenders = Decimal(sale["total"])

    def unbalanced_event(self, transaction_id):
        record = dict(self.unbalanced, transaction_id=transaction_id)
        event = self.receive([record])
        self.assertEqual(len(event), 1)
        return event

    def test_payload_error_is_shown_in_the_user_language(self):
        admin = self.env.ref("base.user_admin")
        admin.lang = "fr_FR"
        event = self.unbalanced_event("T-I18N-FR")
        event.with_user(admin)._process_job()
        self.assertEqual(event.state, "failed")
        self.assertEqual(event.error_class, "payload")
        # The term comes from the addon's own i18n/fr.po, the amounts from the record.
        self.assertEqual(
            event.error_message,
            f"transaction T-I18N-FR : la somme des paiements est de {self.tenders}, "
            f"le total est de {self.unbalanced['total']}",
        )

        admin.lang = "en_US"
        event = self.unbalanced_event("T-I18N-EN")
        event.with_user(admin)._process_job()
        self.assertEqual(
            event.error_message,
            f"transaction T-I18N-EN: tenders sum to {self.tenders}, "
            f"total is {self.unbalanced['total']}",
        )

    def test_pure_parser_errors_are_lazy(self):
        """A parser has no user: its message is translated when shown, not when raised."""
        with self.assertRaises(PayloadError) as caught:
            parse_transaction(dict(self.unbalanced, transaction_id="T-LAZY"))
        self.assertNotIsInstance(caught.exception.args[0], str)
        self.assertIn("T-LAZY: tenders sum to", str(caught.exception))
        # str() takes the language of its caller's environment: here, this test's.
        self.env = self.env(context=dict(self.env.context, lang="fr_FR"))
        self.addCleanup(delattr, self, "env")
        self.assertIn("T-LAZY : la somme des paiements est de", str(caught.exception))
