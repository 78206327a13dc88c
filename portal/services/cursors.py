"""Decoding the keyset cursors of the periphery lists, refusing forged ones.

The cursor is opaque to clients but still client input: a forged cursor
with a 30-digit id or a time without a zone must be a 400, not a database
error (`portal.pagination` checks the envelope; this checks the key).
:func:`newest_first_page` is the one newest-first keyset page of the
periphery lists (documents, payments) built on that key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, or_
from sqlalchemy.orm import Session

from portal.pagination import decode_cursor, page
from portal.problems import Problem
from portal.timestamps import parse_instant

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
        at = parse_instant(key[0])
    except ValueError:
        raise _invalid() from None
    return at, key[1]


def newest_first_page(
    db: Session,
    query: Select[Any, Any],
    entity: Any,
    kind: str,
    cursor: str | None,
    limit: int,
    to_json: Callable[..., dict[str, Any]],
) -> dict[str, Any]:
    """One page of ``query`` newest first (``created_at`` desc, ``id`` desc).

    ``entity`` is the model listed, the first column of each row; ``to_json``
    gets the row's columns. One row more than ``limit`` is read to know
    whether a next page exists.
    """
    after = time_id_key(kind, cursor)
    if after is not None:
        at, last_id = after
        query = query.where(
            or_(entity.created_at < at, (entity.created_at == at) & (entity.id < last_id))
        )
    order = (entity.created_at.desc(), entity.id.desc())
    rows = db.execute(query.order_by(*order).limit(limit + 1)).all()
    last = rows[limit - 1][0] if len(rows) > limit else None
    items = [to_json(*row) for row in rows[:limit]]
    return page(items, [last.created_at.isoformat(), last.id] if last else None, kind)
