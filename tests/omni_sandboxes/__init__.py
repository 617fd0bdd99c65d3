"""Pure-Python test doubles for the channels Omni talks to (no Odoo import here).

- :mod:`.refdata` finds the vendor reference data (``OMNI_REFDATA``).
- :mod:`.openapi` validates JSON objects against Stripe's OpenAPI 3.0 spec.
- :mod:`.stripe_sandbox` builds a deterministic Stripe account (:class:`StripeWorld`) and serves
  it over real HTTP (:class:`StripeSandbox`) for the official ``stripe`` SDK.
"""
