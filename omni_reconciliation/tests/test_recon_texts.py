"""The translatable sentences of the engine: each template an SQL parameter that fits the
``format()`` call of its check."""

import re

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import _lt

from ..engine import CANDIDATES, TEXTS

POSITION = re.compile(r"%(\d+)\$s")


def format_arguments(sql, param):
    """The argument count of every ``format(%(param)s, ...)`` call in ``sql``."""
    counts = []
    for match in re.finditer(r"format\(%\(" + param + r"\)s", sql):
        depth, count = 1, 0
        for char in sql[match.end() :]:
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if not depth:
                    break
            elif char == "," and depth == 1:
                count += 1
        counts.append(count)
    return counts


@tagged("post_install", "-at_install")
class TestReconTexts(TransactionCase):
    def test_every_template_fits_its_format_call(self):
        run = self.env["omni.recon.run"].create({})
        params = run._sql_params()
        sql = "\n".join(query for _type, query in CANDIDATES)
        for param in TEXTS:
            self.assertIn(f"%({param})s", sql, f"{param} is used by no check")
            template = params[param]
            self.assertEqual(template, str(TEXTS[param]), f"a setting of the run hides {param}")
            self.assertNotIn("%(", template, f"{param} keeps a named placeholder")
            positions = sorted({int(p) for p in POSITION.findall(template)})
            self.assertEqual(positions, list(range(1, len(positions) + 1)), param)
            for count in format_arguments(sql, param):
                self.assertEqual(count, len(positions), f"arguments of format({param})")

    def test_a_translation_may_reorder_the_values(self):
        reordered = _lt("%(second)s before %(first)s", first="%1$s", second="%2$s")
        self.env.cr.execute("SELECT format(%s, 'a', 'b')", [str(reordered)])
        self.assertEqual(self.env.cr.fetchone()[0], "b before a")
