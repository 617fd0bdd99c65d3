"""Sandbox helpers of the payouts / bulk / auth / subscription tests."""

import sys
from pathlib import Path

_TESTS_DIR = str(Path(__file__).resolve().parents[2] / "tests")
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)

from omni_sandboxes import shopify_payments  # noqa: E402
from omni_sandboxes.shopify_payments import (  # noqa: E402
    bulk_jsonl,
    enable_client_credentials,
    expire_tokens,
    seed_payouts,
)

__all__ = [
    "bulk_jsonl",
    "enable_client_credentials",
    "expire_tokens",
    "seed_payouts",
    "shopify_payments",
]
