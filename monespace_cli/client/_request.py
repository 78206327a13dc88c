"""How a request is spelled: path segments, query, ``If-Match``, ``X-Acting-As``, list answers.

The applicant's client, its asynchronous twin and the agent's endpoints all
build their requests with these, so a path segment is quoted, an unset
filter left out and a version or acting context sent the same way by every
call.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ._pagination import Page


def seg(value: str) -> str:
    """A path segment with anything that could escape it quoted (``/``, ``?``, ``#``…)."""
    return quote(str(value), safe="")


def query(**params: Any) -> dict[str, Any]:
    """Query parameters without the unset ones."""
    return {key: value for key, value in params.items() if value is not None}


def if_match(version: int | None) -> dict[str, str] | None:
    """``If-Match`` for the version read (the ETag is the quoted version); None for no check."""
    return None if version is None else {"If-Match": f'"{version}"'}


def with_acting_as(
    acting_as: str | None, headers: dict[str, str] | None = None
) -> dict[str, str] | None:
    """``headers`` with a per-call ``X-Acting-As`` (one client, many contexts).

    The client's own context is added later, and only when the call names
    none (see ``PortalCredentials``).
    """
    if acting_as is None:
        return headers
    return {**(headers or {}), "X-Acting-As": acting_as}


def items_of(body: Any) -> list[Any]:
    """The ``items`` of a list answer (a bare list is accepted too)."""
    return list(Page.from_json(body).items)
