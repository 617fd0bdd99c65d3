"""Channel timestamps, read once.

Channels send ISO 8601 strings (with or without an offset) or Unix seconds; Odoo stores naive
UTC datetimes. Parsers turn what the channel sent into an aware UTC datetime with
``parse_iso`` / ``parse_unix``; writing to Odoo goes through ``to_odoo``.
"""

from datetime import datetime, timezone

from odoo.tools.translate import _lt

from .errors import PayloadError

# A Unix time past this is no date a channel means (year 9999; Python's own limit is near).
_MAX_UNIX = 253402300799


def parse_iso(value, what="datetime", *, naive_is_utc=True, required=False):
    """An ISO 8601 string as an aware UTC datetime (None when empty and not required). A value
    without an offset is UTC when ``naive_is_utc``, else a PayloadError."""
    if value in (None, ""):
        if required:
            raise PayloadError(_lt("%(what)s: missing date-time", what=what))
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, TypeError, ValueError):  # not a string, or not ISO 8601
        raise PayloadError(
            _lt("%(what)s: %(value)r is not an ISO 8601 date-time", what=what, value=value)
        ) from None
    if parsed.tzinfo is None:
        if not naive_is_utc:
            raise PayloadError(_lt("%(what)s: %(value)r has no UTC offset", what=what, value=value))
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def parse_unix(value, what="timestamp"):
    """Unix seconds (an integer) as an aware UTC datetime; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError(
            _lt(
                "%(what)s: Unix timestamp must be an integer, got %(value)r", what=what, value=value
            )
        )
    if not 0 <= value <= _MAX_UNIX:
        raise PayloadError(
            _lt("%(what)s: %(value)s is not a Unix time of a real date", what=what, value=value)
        )
    return datetime.fromtimestamp(value, tz=timezone.utc)


def to_odoo(value):
    """A channel datetime for an Odoo Datetime field: naive UTC (False when empty)."""
    if not value:
        return False
    if value.tzinfo:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value
