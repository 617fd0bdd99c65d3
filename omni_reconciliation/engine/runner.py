"""One pass of the engine on a cursor: stage, find the candidates, merge them."""

from collections import namedtuple

from . import merge, staging
from .checks import CANDIDATES

# The candidate count of each exception type, and the ids of the exceptions the merge touched.
Outcome = namedtuple("Outcome", "count_by_type created updated reopened closed")


def run(cr, params, close_note):
    """Reconcile the scope of ``params`` (see ``omni.recon.run._sql_params``) in the cursor's
    transaction; ``close_note`` is the resolution note of the exceptions closed automatically.
    """
    cr.execute(staging.FX_TABLE, params)
    cr.execute(staging.CHAIN_TABLE, params)
    cr.execute(staging.CAND_TABLE)
    for _type, query in CANDIDATES:
        cr.execute(query, params)
    cr.execute("SELECT exception_type, COUNT(*) FROM omni_recon_cand GROUP BY 1 ORDER BY 1")
    count_by_type = dict(cr.fetchall())
    cr.execute("CREATE INDEX ON omni_recon_cand (key); ANALYZE omni_recon_cand;")
    # Update the open ones before reopening: a reopened exception does not count as updated.
    updated = _ids(cr, merge.UPDATE_OPEN, params)
    reopened = _ids(cr, merge.REOPEN, params)
    created = _ids(cr, merge.INSERT_NEW, params)
    closed = _ids(cr, merge.AUTO_CLOSE, dict(params, note=close_note))
    cr.execute("DROP TABLE IF EXISTS omni_recon_cand, omni_recon_chain, omni_recon_fx")
    return Outcome(count_by_type, created, updated, reopened, closed)


def _ids(cr, query, params):
    cr.execute(query, params)
    return [row[0] for row in cr.fetchall()]
