from . import adapter, contract, parser
