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


class _Walk(Generic[T]):
    """The cursor bookkeeping both iterators share: what to fetch next, when to stop."""

    def __init__(self, max_items: int | None) -> None:
        self.cursor: str | None = None
        self.left = None if max_items is None else max(max_items, 0)
        self._seen: set[str] = set()

    def take(self, page: Page[T]) -> list[T]:
        """The items of ``page`` still wanted."""
        items = page.items if self.left is None else page.items[: self.left]
        if self.left is not None:
            self.left -= len(items)
        return items

    def advance(self, page: Page[T]) -> bool:
        """Move to the next page; False at the end, when enough, or on a cursor seen before."""
        cursor = page.next_cursor
        if self.left == 0 or not cursor or cursor in self._seen:
            return False
        self._seen.add(cursor)
        self.cursor = cursor
        return True


def iterate_pages(
    fetch: Callable[[str | None], Page[T]], *, max_items: int | None = None
) -> Iterator[T]:
    """Yield every item, fetching the next page only when the previous is used up."""
    walk: _Walk[T] = _Walk(max_items)
    while True:
        page = fetch(walk.cursor)
        yield from walk.take(page)
        if not walk.advance(page):
            return


async def aiterate_pages(
    fetch: Callable[[str | None], Awaitable[Page[T]]], *, max_items: int | None = None
) -> AsyncIterator[T]:
    """The asynchronous twin of :func:`iterate_pages`."""
    walk: _Walk[T] = _Walk(max_items)
    while True:
        page = await fetch(walk.cursor)
        for item in walk.take(page):
            yield item
        if not walk.advance(page):
            return
