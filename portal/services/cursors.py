"""Decoding the keyset cursors of the periphery lists, refusing forged ones.

The cursor is opaque to clients but still client input: a forged cursor
with a 30-digit id or a time without a zone must be a 400, not a database
error (`portal.pagination` checks the envelope; this checks the key).
"""

from __future__ import annotations

import datetime as dt

from portal.pagination import decode_cursor
from portal.problems import Problem

_MAX_ID = 2**62


def _invalid() -> Problem:
    return Problem(
        "bad-request", "the cursor is not valid for this list; start from the first page"
    )


def int_key(kind: str, cursor: str | None) -> int | None:
    """The last integer id of the previous page, or None for the first page."""
    key = decode_cursor(kind, cursor)
    if key is None:
        return None
    if len(key) != 1 or type(key[0]) is not int or not 0 <= key[0] < _MAX_ID:
        raise _invalid()
    return key[0]


def time_id_key(kind: str, cursor: str | None) -> tuple[dt.datetime, str] | None:
    """The `(created_at, id)` of the previous page's last row, or None."""
    key = decode_cursor(kind, cursor)
    if key is None:
        return None
    if len(key) != 2 or not all(isinstance(part, str) for part in key) or len(key[1]) > 40:
        raise _invalid()
    try:
        at = dt.datetime.fromisoformat(key[0])
    except ValueError:
        raise _invalid() from None
    if at.tzinfo is None:
        raise _invalid()
    return at, key[1]
