"""Amounts in the sentences of the checks, formatted in SQL as Odoo formats them.

``money(amount, currency)`` is the SQL expression of ``amount`` written like
``formatLang(env, amount, currency_obj=currency)`` in the run's language (``%(lang)s``):
rounded to the currency's decimal places, digits grouped by three with the language's
separators (none when the language does not group), the currency's symbol before or after
with a no-break space. It is set-based (the formats of the run's currencies are computed once,
``FORMATS_TABLE``; one indexed look-up per value) and takes SQL expressions, never values: a
check passes ``money("c.amount_total", "c.currency_id")`` among the arguments of its
``format()``, where it had ``c.amount_total``.

Rounding is half away from zero (PostgreSQL's ``ROUND``); Odoo's display rounds ties half to
even, so the two may differ on an exact tie beyond the currency's decimals.
"""

# The format of each currency in the run's language, computed once per run (``FORMATS_TABLE``,
# before any check): the to_char pattern ('FM999,990.00': ',' groups, '.' is the decimal
# point), then both replaced by the language's own (chr(1) keeps a ',' from being taken for a
# replaced '.').
FORMATS_TABLE = """
DROP TABLE IF EXISTS omni_recon_money;
CREATE TEMP TABLE omni_recon_money AS
SELECT cur.id AS currency_id, cur.decimal_places, cur.symbol, cur.position,
       'FM999,999,999,999,999,990'
       || CASE WHEN cur.decimal_places > 0 THEN '.' || repeat('0', cur.decimal_places)
               ELSE '' END AS pattern,
       lang.decimal_point, lang.thousands_sep
  FROM res_currency cur
 CROSS JOIN (SELECT COALESCE(MAX(l.decimal_point), '.') AS decimal_point,
                    COALESCE(MAX(CASE WHEN l.grouping IN ('[]', '')
                                      THEN '' ELSE COALESCE(l.thousands_sep, '') END),
                             ',') AS thousands_sep
               FROM res_lang l WHERE l.code = %(lang)s) lang;
CREATE UNIQUE INDEX ON omni_recon_money (currency_id);
ANALYZE omni_recon_money;
"""

MONEY = """(SELECT CASE WHEN f.position = 'before'
                THEN f.symbol || chr(160) || n.text
                ELSE n.text || chr(160) || f.symbol END
      FROM omni_recon_money f
     CROSS JOIN LATERAL (
           SELECT replace(replace(replace(
                      to_char(ROUND(({amount})::numeric, f.decimal_places), f.pattern),
                      ',', chr(1)), '.', f.decimal_point), chr(1), f.thousands_sep) AS text) n
     WHERE f.currency_id = {currency})"""


def money(amount, currency):
    """The SQL expression of the SQL amount ``amount`` formatted in the currency whose id is
    the SQL expression ``currency`` (see the module docstring); it reads the run's formats
    (``FORMATS_TABLE``)."""
    return MONEY.format(amount=amount, currency=currency)
