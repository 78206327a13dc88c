"""Cursor (keyset) pagination: a page type and an iterator over every item.

The portal answers lists as ``{"items": [...], "next_cursor": "..." | null}``.
Callers that want one screenful take a :class:`Page`; callers that want
everything (``--all``, exports, ``api --paginate``) iterate with
:func:`iterate_pages`, which follows ``next_cursor`` and stops on a cursor it
has already seen, so a buggy server cannot make it loop forever.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    """One page of a list and the cursor of the next one (None at the end)."""

    items: list[T] = field(default_factory=list)
    next_cursor: str | None = None

    @classmethod
    def from_json(cls, body: Any) -> Page[T]:
        """Read a page; a bare list (endpoints without cursors) is one last page."""
        if isinstance(body, list):
            return cls(items=list(body), next_cursor=None)
        if not isinstance(body, dict):
            raise ValueError("a list answer must be a JSON object with 'items'")
        items = body.get("items")
        if not isinstance(items, list):
            raise ValueError("a list answer must carry an 'items' array")
        cursor = body.get("next_cursor")
        return cls(items=items, next_cursor=str(cursor) if cursor else None)


def iterate_pages(
    fetch: Callable[[str | None], Page[T]], *, max_items: int | None = None
) -> Iterator[T]:
    """Yield every item, fetching the next page only when the previous is used up."""
    cursor: str | None = None
    seen: set[str] = set()
    count = 0
    while True:
        page = fetch(cursor)
        for item in page.items:
            if max_items is not None and count >= max_items:
                return
            count += 1
            yield item
        if not page.next_cursor or page.next_cursor in seen:
            return
        seen.add(page.next_cursor)
        cursor = page.next_cursor


async def aiterate_pages(
    fetch: Callable[[str | None], Awaitable[Page[T]]], *, max_items: int | None = None
) -> AsyncIterator[T]:
    """The asynchronous twin of :func:`iterate_pages`."""
    cursor: str | None = None
    seen: set[str] = set()
    count = 0
    while True:
        page = await fetch(cursor)
        for item in page.items:
            if max_items is not None and count >= max_items:
                return
            count += 1
            yield item
        if not page.next_cursor or page.next_cursor in seen:
            return
        seen.add(page.next_cursor)
        cursor = page.next_cursor
