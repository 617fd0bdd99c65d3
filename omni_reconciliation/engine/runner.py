"""One pass of the engine on a cursor: stage, find the candidates, merge them."""

from collections import namedtuple

from . import formatting, merge, staging
from .checks import CANDIDATES

# The candidate count of each exception type, and the ids of the exceptions the merge touched.
Outcome = namedtuple("Outcome", "count_by_type created updated reopened closed")


def run(cr, params, settings, close_note, types=None):
    """Reconcile the scope of ``params`` (see ``omni.recon.run._sql_params``) in the cursor's
    transaction.

    ``settings`` gives the channels in scope, each with its own settings (SQL parameters:
    tolerance, SLA days...): each channel is staged and checked with its own, then all the
    candidates are merged at once. ``types`` narrows the checks to those exception types
    (every type when empty). ``close_note`` is the resolution note of the exceptions closed
    automatically: only those of the channels, period and types checked.
    """
    checks = [(etype, query) for etype, query in CANDIDATES if not types or etype in types]
    # PostgreSQL's JIT compiles each of these large one-off statements for longer than it
    # runs them: off for the run's transaction only
    cr.execute("SET LOCAL jit = off")
    cr.execute(staging.CAND_TABLE)
    cr.execute(formatting.FORMATS_TABLE, params)
    for backend_id, values in settings.items():
        backend_params = dict(params, **values, backend=backend_id)
        cr.execute(staging.FX_TABLE, backend_params)
        cr.execute(staging.SCOPE_TABLE, backend_params)
        cr.execute(staging.CHAIN_TABLE, backend_params)
        for _type, query in checks:
            cr.execute(query, backend_params)
    cr.execute("SELECT exception_type, COUNT(*) FROM omni_recon_cand GROUP BY 1 ORDER BY 1")
    count_by_type = dict(cr.fetchall())
    cr.execute("CREATE INDEX ON omni_recon_cand (key); ANALYZE omni_recon_cand;")
    # Update the open ones before reopening: a reopened exception does not count as updated.
    updated = _ids(cr, merge.UPDATE_OPEN, params)
    reopened = _ids(cr, merge.REOPEN, params)
    created = _ids(cr, merge.INSERT_NEW, params)
    closed = _ids(
        cr,
        merge.AUTO_CLOSE,
        dict(
            params,
            note=close_note,
            backends=list(settings),
            types=sorted({etype for etype, _query in checks}),
        ),
    )
    cr.execute(
        "DROP TABLE IF EXISTS omni_recon_cand, omni_recon_chain, omni_recon_fx, "
        "omni_recon_scope, omni_recon_movements, omni_recon_money"
    )
    return Outcome(count_by_type, created, updated, reopened, closed)


def _ids(cr, query, params):
    cr.execute(query, params)
    return [row[0] for row in cr.fetchall()]
