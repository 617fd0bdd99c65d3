from . import test_amazon_backend, test_amazon_import, test_amazon_parser, test_amazon_roles
