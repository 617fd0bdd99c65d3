"""Every document of tools/queries.py is valid for the pinned schema and uses no deprecated
field, argument or enum value."""

import unittest

from omni_sandboxes.shopify_sandbox import (
    SHOPIFY_HINT,
    has_shopify_schema,
    load_schema,
    validate_document,
)

from odoo.tests import BaseCase, tagged

from ..tools import queries


@tagged("post_install", "-at_install")
class TestQueries(BaseCase):
    def test_every_document_is_valid_and_not_deprecated(self):
        if not has_shopify_schema():
            raise unittest.SkipTest(SHOPIFY_HINT)
        schema = load_schema()
        self.assertEqual(queries.API_VERSION, "2026-07")
        self.assertTrue(queries.ALL_QUERIES)
        for name, document in queries.ALL_QUERIES.items():
            __, errors = validate_document(schema, document)
            self.assertEqual(errors, [], name)
        names = {name for name in dir(queries) if name.endswith("_QUERY")}
        self.assertEqual(names, set(queries.ALL_QUERIES), "every query is listed in ALL_QUERIES")
