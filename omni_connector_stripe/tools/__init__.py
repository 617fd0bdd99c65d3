from . import adapter, parser
