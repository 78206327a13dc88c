"""Opaque keyset cursors and the ``limit`` rule shared by every list.

Why keyset and not offsets: a page deep in 100k dossiers costs the same as
the first one (an index seek), and rows inserted meanwhile never shift a
page. The cursor is the last row's sort key, JSON in base64url — opaque to
clients, who only pass it back. A tampered or foreign cursor is a 400.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any

from fastapi import Query

from portal.problems import Problem

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size (max 500)")]
Cursor = Annotated[str | None, Query(max_length=500, description="opaque cursor from next_cursor")]


def encode_cursor(kind: str, key: list[Any]) -> str:
    """An opaque cursor for list ``kind`` positioned after ``key``."""
    raw = json.dumps([kind, key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str | None) -> list[Any] | None:
    """The key inside ``cursor`` (None for the first page); 400 when invalid."""
    if cursor is None or cursor == "":
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Problem("bad-request", "the cursor is not valid; start from the first page") from None
    if (
        not isinstance(decoded, list)
        or len(decoded) != 2
        or decoded[0] != kind
        or not isinstance(decoded[1], list)
    ):
        raise Problem("bad-request", "the cursor is not valid for this list")
    return decoded[1]


def page(items: list[Any], next_key: list[Any] | None, kind: str) -> dict[str, Any]:
    """``{"items", "next_cursor"}``."""
    return {
        "items": items,
        "next_cursor": encode_cursor(kind, next_key) if next_key is not None else None,
    }
