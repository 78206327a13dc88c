"""The one parser of the times clients send (filters such as ``updated_since``, cursors).

Why one: a time is valid RFC 3339 text and still no time the portal can use.
``9999-12-31T23:59:59-23:59`` is year 10000 in UTC, beyond Python's
datetime: converting or comparing it raised OverflowError, a 500, in each
place that had its own ``fromisoformat``. Here every failure — bad text,
impossible date, out of range once in UTC — is a ValueError, which callers
answer with 400, and every result is an aware UTC datetime.
"""

from __future__ import annotations

import datetime as dt
import re

MAX_LENGTH = 40  # "2026-01-01T00:00:00.000000+00:00" is 32
#: RFC 3339 date-time (seconds optional, offset optional for ``naive_is_utc``).
_SHAPE = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:\d{2})?",
    re.ASCII,
)


def parse_instant(text: object, *, naive_is_utc: bool = False) -> dt.datetime:
    """``text`` as an aware UTC datetime; ValueError when it is no usable time.

    A trailing ``Z`` means UTC. A time without an offset is refused, unless
    ``naive_is_utc`` (a filter typed by a person may omit it).
    """
    if not isinstance(text, str) or len(text) > MAX_LENGTH or not _SHAPE.fullmatch(text):
        raise ValueError("not an RFC 3339 time")
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    moment = dt.datetime.fromisoformat(text)  # ValueError for bad text or impossible dates
    if moment.tzinfo is None:
        if not naive_is_utc:
            raise ValueError("the time has no offset")
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("the time is out of range once in UTC") from None
