"""omni.event, unique violations: a row another transaction committed since our snapshot
(a race the retry will see) told from one our own batch wrote twice (a bug to report)."""

import logging
import re

import psycopg2

from odoo import models, sql_db
from odoo.tools import SQL
from odoo.tools.sql import IDENT_RE

_logger = logging.getLogger(__name__)

# PostgreSQL's detail of a unique violation (the values as their type's output gives them).
_UNIQUE_KEY_DETAIL = re.compile(r"Key \(.+?\)=\((?P<values>.*)\) already exists\.")


def unique_key_values(detail, column_count):
    """The values of the key a unique violation's detail reports, or None when they cannot be
    told apart (no detail, or a value holding the ", " that separates them)."""
    match = _UNIQUE_KEY_DETAIL.fullmatch(detail or "")
    if not match:
        return None
    values = match["values"].split(", ") if column_count > 1 else [match["values"]]
    return values if len(values) == column_count else None


class OmniEvent(models.Model):
    _inherit = "omni.event"

    def _committed_elsewhere(self, err):
        """Whether the row a unique violation collided with was committed by another
        transaction since our snapshot (a race a retry from a fresh snapshot resolves), rather
        than written by this transaction or visible to it already (a bug no retry fixes). A
        key that cannot be read back counts as a race: retries are bounded."""
        query = self._unique_key_query(err)
        if query is None:
            return True
        try:
            # Our own uncommitted rows are invisible to another connection's fresh snapshot.
            with sql_db.db_connect(self.env.cr.dbname).cursor() as fresh:
                fresh.execute(query)
                if not fresh.fetchone():
                    return False
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query)
                return not self.env.cr.fetchone()
        except psycopg2.Error as lookup_error:
            _logger.warning("omni.event %s: unique key not read back: %s", self.id, lookup_error)
            return True

    def _unique_key_query(self, err):
        """The query of a row holding the key ``err`` reports (columns from the catalog,
        values from its detail, the predicate of a partial index), None when undecidable."""
        diag = err.diag
        names = (diag.schema_name, diag.table_name, diag.constraint_name)
        if not all(name and IDENT_RE.match(name) for name in names):
            return None
        # A unique constraint and a unique index alike report their index's name.
        self.env.cr.execute(
            """
            SELECT pg_get_expr(i.indpred, i.indrelid),
                   array_agg(a.attname ORDER BY k.position),
                   array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY k.position)
              FROM pg_index i
              JOIN pg_class c ON c.oid = i.indexrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
             CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, position)
              LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             WHERE n.nspname = %s AND c.relname = %s AND k.position <= i.indnkeyatts
             GROUP BY i.indexrelid
            """,
            [diag.schema_name, diag.constraint_name],
        )
        row = self.env.cr.fetchone()
        if not row or not all(column and IDENT_RE.match(column) for column in row[1]):
            return None  # unknown index, a key on an expression, a name to quote
        predicate, columns, types = row
        values = unique_key_values(diag.message_detail, len(columns))
        if values is None:
            return None
        conditions = [
            # The detail holds each value as its type's output: its input reads it back.
            SQL("%s = CAST(%s AS %s)", SQL.identifier(column), value, SQL(type_name))
            for column, value, type_name in zip(columns, values, types, strict=True)
        ]
        if predicate:
            conditions.append(SQL("(%s)", SQL(predicate.replace("%", "%%"))))
        return SQL(
            "SELECT 1 FROM %s WHERE %s LIMIT 1",
            SQL.identifier(diag.schema_name, diag.table_name),
            SQL(" AND ").join(conditions),
        )
