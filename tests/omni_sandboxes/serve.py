"""Run the channel sandboxes for the demo: `python tests/omni_sandboxes/serve.py`.

Serves a generated Stripe month on 127.0.0.1 (port OMNI_STRIPE_SANDBOX_PORT, default 8071)
until interrupted. Deterministic: the same seed gives the same account every time.
"""

import os
import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from omni_sandboxes.stripe_sandbox import StripeSandbox, generate_month


def main():
    port = int(os.environ.get("OMNI_STRIPE_SANDBOX_PORT", "8071"))
    stripe = StripeSandbox(generate_month(seed=7), api_key="sk_test_omni_demo")
    stripe.start(port=port)
    print(f"stripe sandbox on {stripe.url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *__: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    stripe.stop()


if __name__ == "__main__":
    main()
