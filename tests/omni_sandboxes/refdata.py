"""Locate and load the vendor reference data the sandboxes and conformance tests read.

The data lives outside the project (``shared/refdata`` of the steering repo) and is never copied
into it. Tests find it through ``OMNI_REFDATA``; the default is ``../shared/refdata`` beside the
checkout. Where it is absent, conformance tests skip with :data:`REFDATA_HINT`.
"""

import functools
import json
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

REFDATA_HINT = (
    "Stripe/Shopify reference data not found: set OMNI_REFDATA to the shared/refdata folder of "
    "the project's steering repo (default: ../shared/refdata beside the checkout)."
)

STRIPE_FIXTURES = ("stripe", "fixtures3.json")
STRIPE_SPEC = ("stripe", "spec3-2023-08-16.json")


def refdata_dir():
    """The reference data folder: ``$OMNI_REFDATA`` or ``<repo>/../shared/refdata``."""
    env = os.environ.get("OMNI_REFDATA")
    if env:
        return Path(env).expanduser()
    return REPO_ROOT.parent / "shared" / "refdata"


def refdata_path(*parts):
    return refdata_dir().joinpath(*parts)


def has_stripe_refdata():
    """True when both Stripe files (fixtures and spec) are readable."""
    return all(refdata_path(*p).is_file() for p in (STRIPE_FIXTURES, STRIPE_SPEC))


def _load_json(parts):
    path = refdata_path(*parts)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: {REFDATA_HINT}")
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


@functools.lru_cache(maxsize=4)
def _cached(parts, folder):
    # ``folder`` is part of the cache key so changing OMNI_REFDATA reloads.
    return _load_json(parts)


def load_stripe_fixtures():
    """Stripe's example object per resource (``["resources"][<name>]``). Cached; do not mutate."""
    return _cached(STRIPE_FIXTURES, str(refdata_dir()))


def load_stripe_spec():
    """Stripe's OpenAPI 3.0 spec (API version 2023-08-16). Cached; do not mutate."""
    return _cached(STRIPE_SPEC, str(refdata_dir()))
