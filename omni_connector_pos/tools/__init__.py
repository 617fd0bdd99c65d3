from . import adapter, contract, csv_feed, parser
