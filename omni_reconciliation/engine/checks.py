"""Every check of the engine, one SQL statement per exception type, by family."""

from . import order_chain, payments, settlement, stock, store_days

# (exception type, SQL): each statement inserts the candidates of its type into
# omni_recon_cand; they are independent of one another.
CANDIDATES = [
    *order_chain.CHECKS,
    *payments.CHECKS,
    *settlement.CHECKS,
    *store_days.CHECKS,
    *stock.CHECKS,
]
