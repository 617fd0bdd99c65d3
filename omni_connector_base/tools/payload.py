"""Reading a channel's body safely: strict UTF-8, bounded depth, no NUL that PostgreSQL text
refuses, and error messages cut to a readable excerpt."""

import json

from odoo.tools.translate import _lt

from ..const import MAX_ERROR_CHARS, MAX_JSON_DEPTH
from .errors import PayloadError


def load_json(raw, what="The payload"):
    """``raw`` (bytes or str) as JSON, or a PayloadError naming what is wrong."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise PayloadError(
                _lt("%(what)s is not UTF-8 text: %(error)s", what=what, error=err)
            ) from None
    if "\x00" in raw:
        raise PayloadError(_lt("%(what)s holds a NUL byte", what=what))
    try:
        data = json.loads(raw)
    except RecursionError:
        raise PayloadError(_too_deep(what)) from None
    except ValueError as err:
        raise PayloadError(
            _lt("%(what)s is not valid JSON: %(error)s", what=what, error=err)
        ) from None
    _check_values(data, what)
    return data


def _too_deep(what):
    return _lt("%(what)s is nested deeper than %(limit)s levels", what=what, limit=MAX_JSON_DEPTH)


def _check_values(data, what):
    """Walk without recursion: depth within the limit, no NUL in any key or string."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
            strings = value.keys()
        elif isinstance(value, list):
            children, strings = value, ()
        else:
            if isinstance(value, str) and "\x00" in value:
                raise PayloadError(_nul_in(what, value))
            continue
        if depth > MAX_JSON_DEPTH:
            raise PayloadError(_too_deep(what))
        for key in strings:
            if "\x00" in key:
                raise PayloadError(_nul_in(what, key))
        stack.extend((child, depth + 1) for child in children)


def _nul_in(what, text):
    return _lt(
        "%(what)s holds a NUL character (\\u0000) in %(text)r",
        what=what,
        text=excerpt(text.replace("\x00", "\\u0000"), 80),
    )


def storable_text(raw):
    """The body as text PostgreSQL accepts: invalid UTF-8 and NUL replaced by U+FFFD."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    return raw.replace("\x00", "\ufffd")


def excerpt(message, limit=MAX_ERROR_CHARS):
    """``message`` cut to its first ``limit`` characters, saying how many were cut."""
    message = str(message)
    if len(message) <= limit:
        return message
    return f"{message[:limit]}… ({len(message) - limit} characters cut)"
