"""For the sandboxes' own tests, which need no Odoo.

pytest-odoo (installed in the venv) loads an Odoo registry for every session through its
autouse fixtures ``load_registry`` and ``load_http``, which fails when no database is given.
A sandbox test module imports these two no-op fixtures of the same names, which shadow them
there, so it runs alone (without ``--odoo-database``) as well as inside ``make test``.
"""

import pytest


@pytest.fixture(scope="session", autouse=True)
def load_registry():
    yield


@pytest.fixture(scope="session", autouse=True)
def load_http():
    yield
