"""Run the channel sandboxes for the demo: `python -m omni_sandboxes.serve` (the package is
installed by scripts/setup.sh).

Serves on 127.0.0.1 until interrupted:
- a generated Stripe month (port OMNI_STRIPE_SANDBOX_PORT, default 8071);
- a seeded Shopify shop (port OMNI_SHOPIFY_SANDBOX_PORT, default 8072), when the Admin schema
  of the reference data is present (it validates every query against it);
- a store chain's POS API serving the POS feed contract (port OMNI_POS_SANDBOX_PORT, default
  8073).
Deterministic: the same seed gives the same account and the same shop every time.
"""

import os
import signal
import threading

from omni_sandboxes.pos_sandbox import PosSandbox, generate_store_days
from omni_sandboxes.shopify_sandbox import (
    SHOPIFY_HINT,
    ShopifySandbox,
    generate_shop,
    has_shopify_schema,
)
from omni_sandboxes.stripe_sandbox import StripeSandbox, generate_month

SHOPIFY_TOKEN = "shpat_omni_demo"
SHOPIFY_WEBHOOK_SECRET = "shpss_omni_demo"
POS_API_KEY = "pos_key_omni_demo"
POS_WEBHOOK_SECRET = "pos_whsec_omni_demo"


def demo_shop():
    """The demo shop (scripts/demo_setup.py reads its products and tax from here)."""
    return generate_shop(n_orders=24, seed=7, with_returns=True)


def demo_store_days():
    """The demo store chain (scripts/demo_setup.py reads its catalogue from here)."""
    return generate_store_days(seed=7, days=3, stores=2, registers=2, sales=6)


def main():
    # The POS sandbox starts first: the demo waits for the first "sandbox on" line.
    pos_port = int(os.environ.get("OMNI_POS_SANDBOX_PORT", "8073"))
    pos = PosSandbox(demo_store_days(), api_key=POS_API_KEY).start(port=pos_port)
    print(f"pos sandbox on {pos.url}", flush=True)
    port = int(os.environ.get("OMNI_STRIPE_SANDBOX_PORT", "8071"))
    stripe = StripeSandbox(generate_month(seed=7), api_key="sk_test_omni_demo")
    stripe.start(port=port)
    print(f"stripe sandbox on {stripe.url}", flush=True)
    shopify = None
    if has_shopify_schema():
        shopify_port = int(os.environ.get("OMNI_SHOPIFY_SANDBOX_PORT", "8072"))
        # An "Advanced" plan bucket: 2000 points, restored at 200 points/s.
        shopify = ShopifySandbox(
            demo_shop(),
            access_token=SHOPIFY_TOKEN,
            restore_rate=200.0,
        ).start(port=shopify_port)
        print(f"shopify sandbox on {shopify.url}", flush=True)
    else:
        print(f"shopify sandbox not started: {SHOPIFY_HINT}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *__: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    if shopify is not None:
        shopify.stop()
    stripe.stop()
    pos.stop()


if __name__ == "__main__":
    main()
