"""Amounts in the sentences of the checks, formatted in SQL as Odoo formats them.

``money(amount, currency)`` is the SQL expression of ``amount`` written like
``formatLang(env, amount, currency_obj=currency)`` in the run's language (``%(lang)s``):
rounded to the currency's decimal places, digits grouped by three with the language's
separators (none when the language does not group), the currency's symbol before or after
with a no-break space. It is set-based (two indexed look-ups per value) and takes SQL
expressions, never values: a check passes ``money("c.amount_total", "c.currency_id")``
among the arguments of its ``format()``, where it had ``c.amount_total``.

Rounding is half away from zero (PostgreSQL's ``ROUND``); Odoo's display rounds ties half to
even, so the two may differ on an exact tie beyond the currency's decimals.
"""

# The number pattern of to_char: ',' groups, '.' is the decimal point; both are replaced by
# the language's own (chr(1) keeps a ',' from being taken for a replaced '.').
_NUMBER = """replace(replace(replace(
                 to_char(ROUND(({amount})::numeric, cur.decimal_places),
                         'FM999,999,999,999,999,990'
                         || CASE WHEN cur.decimal_places > 0
                                 THEN '.' || repeat('0', cur.decimal_places) ELSE '' END),
                 ',', chr(1)), '.', lang.decimal_point), chr(1), lang.thousands_sep)"""

MONEY = (
    """(SELECT CASE WHEN cur.position = 'before'
                THEN cur.symbol || chr(160) || number.text
                ELSE number.text || chr(160) || cur.symbol END
      FROM res_currency cur
     CROSS JOIN (SELECT COALESCE(MAX(l.decimal_point), '.') AS decimal_point,
                        COALESCE(MAX(CASE WHEN l.grouping IN ('[]', '')
                                          THEN '' ELSE COALESCE(l.thousands_sep, '') END),
                                 ',') AS thousands_sep
                   FROM res_lang l WHERE l.code = %(lang)s) lang
     CROSS JOIN LATERAL (SELECT """
    + _NUMBER
    + """ AS text) number
     WHERE cur.id = {currency})"""
)


def money(amount, currency):
    """The SQL expression of the SQL amount ``amount`` formatted in the currency whose id is
    the SQL expression ``currency`` (see the module docstring)."""
    return MONEY.format(amount=amount, currency=currency)
