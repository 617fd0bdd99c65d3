from . import adapter, currency, parser
