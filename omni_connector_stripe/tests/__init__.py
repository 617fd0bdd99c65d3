from . import test_stripe_backend
