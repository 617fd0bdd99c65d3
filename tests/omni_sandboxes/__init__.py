"""Pure-Python test doubles for the channels Omni talks to (no Odoo import here).

An importable package (``tests/pyproject.toml``, installed editable by ``scripts/setup.sh``):
the addons' tests, the benchmarks and the demo import ``omni_sandboxes.<module>``; the modules
import each other package-relatively.

- :mod:`.httpserver`: the threaded JSON HTTP server every sandbox runs on.
- :mod:`.refdata` finds the vendor reference data (``OMNI_REFDATA``).
- :mod:`.openapi` validates JSON objects against Stripe's OpenAPI 3.0 spec.
- :mod:`.stripe_sandbox` builds a deterministic Stripe account (:class:`StripeWorld`) and serves
  it over real HTTP (:class:`StripeSandbox`) for the official ``stripe`` SDK.
- :mod:`.shopify_sandbox` (with :mod:`.shopify_payments` and :mod:`.shopify_inventory`): a
  seeded shop behind the GraphQL Admin API, validated against its schema.
- :mod:`.amazon_sandbox`: a seeded Amazon seller month behind Login with Amazon, Orders
  2026-01-01 and Reports 2021-06-30 (Flat File V2 settlement reports).
- :mod:`.shipbob_sandbox`: a ShipBob account (API 2026-01) validated against ShipBob's OpenAPI,
  sending Standard Webhooks-signed shipment and billing webhooks.
- :mod:`.pos_sandbox`: a store chain's API serving the POS feed contract.
- :mod:`.serve` runs them for the demo (``python -m omni_sandboxes.serve``).
"""
