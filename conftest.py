"""Settings of the test harness shared by every test of the suite (pytest-odoo)."""

import ast
import sys
import threading

# CPython 3.11 keeps the AST converter's recursion depth in interpreter-wide state
# (python/cpython#106905): two threads parsing at once — a tour's browser requests served by
# Odoo's HTTP workers while another thread parses a view or a manifest — may fail with
# "SystemError: AST constructor recursion depth mismatch". Tests parse one at a time.
if sys.version_info[:2] == (3, 11):
    _parse = ast.parse
    _parse_lock = threading.RLock()

    def _serialized_parse(*args, **kwargs):
        with _parse_lock:
            return _parse(*args, **kwargs)

    ast.parse = _serialized_parse
