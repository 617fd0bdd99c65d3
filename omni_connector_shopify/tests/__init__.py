from . import test_shopify_backend
