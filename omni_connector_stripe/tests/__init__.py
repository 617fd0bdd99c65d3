from . import (
    test_stripe_backend,
    test_stripe_company,
    test_stripe_currencies,
    test_stripe_hostile_input,
    test_stripe_import,
    test_stripe_parser,
    test_stripe_pull_resume,
    test_stripe_real_payloads,
    test_stripe_webhook,
)
