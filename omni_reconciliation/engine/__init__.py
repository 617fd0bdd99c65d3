"""The set-based SQL of the reconciliation engine.

Every statement works on the whole population of one company (and optionally one backend)
for one period; nothing here loops over records in Python. Parameters are always passed
through psycopg2 (``%(name)s``); no value is ever formatted into the SQL text.

Flow of one run (``run``, all in the run's transaction, PostgreSQL's JIT off for it; the
formats of the currencies computed once, ``formatting.FORMATS_TABLE``; steps 1 to 3 once per
channel in scope, each with its own settings: tolerance, SLA days...):

1. ``omni_recon_fx`` (``staging``): factor converting each currency into the company currency
   (latest rate on or before the period end, company-specific rates first).
2. ``omni_recon_scope`` and ``omni_recon_movements`` (``staging``): the channel orders of the
   scope and their movements (``ORDER_MOVEMENTS``), staged once for the chain and the checks.
   ``omni_recon_chain`` (``staging``): one row per channel order of the scope with every link
   of its chain (sale order, posted invoices / credit notes, delivered / returned /
   undelivered value, charges / refunds) aggregated set-wise.
3. ``omni_recon_cand``: the candidate exceptions of every type (``checks``: ``order_chain``,
   ``payments``, ``settlement``, ``store_days``, ``stock``), each with a stable ``key``
   (type + ids involved), a title and details.
4. Merge into ``omni_recon_exception`` (``merge``): update the open ones that still hold,
   insert the new ones, reopen those the engine itself had auto-closed, auto-close the open
   ones that the run checked (its company, channels, period and exception types) and no
   longer found. Closed-by-a-human exceptions are never touched.

Titles and details are translatable: SQL ``format()`` fills templates passed as parameters
(``TEXTS``: parameter -> ``_lt``, which the run translates). A template names its placeholders
for translators (``%(order)s``) and maps each to the position of its value among the arguments
the check gives ``format()`` (``**positions("order", "total")``: ``%(order)s`` becomes
``%1$s``), so a translation may order them as its language needs; a bad translation falls back
to the English sentence. An amount in a sentence is ``formatting.money(amount, currency)``:
written in its currency, as Odoo writes it.

The package reads and writes tables only; it imports nothing from the addon's models.
"""

from .checks import CANDIDATES, TEXTS
from .formatting import money
from .runner import Outcome, run
from .scope import ORDER_INVOICES, ORDER_MOVEMENTS

__all__ = ["CANDIDATES", "ORDER_INVOICES", "ORDER_MOVEMENTS", "TEXTS", "Outcome", "money", "run"]
