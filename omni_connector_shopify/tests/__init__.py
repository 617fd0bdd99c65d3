from . import test_parser, test_pull, test_queries, test_shopify_backend, test_webhook
