from . import amazon_settlement_import
