"""Every check of the engine, one SQL statement per exception type, by family."""

from . import order_chain, payments, scope, settlement, stock, store_days

# (exception type, SQL): each statement inserts the candidates of its type into
# omni_recon_cand; they are independent of one another.
CANDIDATES = [
    *order_chain.CHECKS,
    *payments.CHECKS,
    *settlement.CHECKS,
    *store_days.CHECKS,
    *stock.CHECKS,
]

# The sentences of the checks, by SQL parameter (see the package docstring).
TEXTS = {
    **scope.TEXTS,
    **order_chain.TEXTS,
    **payments.TEXTS,
    **settlement.TEXTS,
    **store_days.TEXTS,
    **stock.TEXTS,
}
