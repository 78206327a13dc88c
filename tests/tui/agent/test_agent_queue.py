"""The queue against a real seeded portal: paging, filtering, quick filters, counts, sort, columns.

Every expectation is read back from the portal's API (``iter_agent_queue``,
``agent_counts``) as the same agent, so the table is checked against the
real answer, not against numbers written here.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from agent_tui_support import (
    AGENT,
    People,
    all_queue_ids,
    make_app,
    open_queue,
    portal_calls,
    previews_the_cursor,
    settled,
    wait_for,
)

from tui.screens import agent_queue
from tui.screens.agent_queue import NEAR_END, PAGE_SIZE


def test_rows_are_fetched_page_by_page_as_the_cursor_nears_the_end(people: People) -> None:
    api = people.client(AGENT)
    expected = all_queue_ids(api)
    assert len(expected) > 3 * PAGE_SIZE  # several pages to walk through

    async def main() -> None:
        app = make_app(people.server.url, people.token(AGENT))
        queries = portal_calls(app, "agent_queue")
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_queue(app, pilot)
            await wait_for(pilot, lambda: settled(screen))
            # One page at first: never the whole queue.
            assert screen.table.row_count == PAGE_SIZE
            # Walk down to just before the prefetch point: still one page.
            screen.table.move_cursor(row=PAGE_SIZE - NEAR_END - 2)
            await wait_for(pilot, lambda: previews_the_cursor(screen))
            assert screen.table.row_count == PAGE_SIZE
            for _page in range(20):
                if screen.exhausted:
                    break
                await to_the_end(pilot, screen)
            assert screen.table.order == expected  # every id once, in the queue's order
            cursors = [q["cursor"] for q in queries]
            assert cursors[0] is None and len(set(cursors)) == len(cursors)  # each page once
            assert len(cursors) == -(-len(expected) // PAGE_SIZE)

    asyncio.run(main())


def test_scrolling_the_view_without_the_cursor_fetches_the_next_page(people: People) -> None:
    """The mouse wheel and the scrollbar move the view, not the cursor: paging follows the view."""

    async def main() -> None:
        app = make_app(people.server.url, people.token(AGENT))
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_queue(app, pilot)
            await wait_for(pilot, lambda: settled(screen))
            assert screen.table.row_count == PAGE_SIZE
            screen.table.scroll_end(animate=False, immediate=True)
            await wait_for(pilot, lambda: screen.table.row_count > PAGE_SIZE, 10)
            assert screen.table.cursor_row == 0  # the cursor stayed where it was

    asyncio.run(main())


def test_typing_narrows_at_once_then_the_server_answers(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A longer pause than the screen's 0.2 s, so that a loaded machine rarely
    # stalls that long between two keys; when it does, that prefix's query
    # rightly leaves before the local narrowing is checked, and is allowed.
    monkeypatch.setattr(agent_queue, "FILTER_DEBOUNCE", 1.0)
    api = people.client(AGENT)
    first_page = list(api.agent_queue(limit=PAGE_SIZE).items)
    name = str(first_page[7]["applicant"]["name"])
    word = name.split()[-1][:5]
    expected = all_queue_ids(api, q=word)

    async def main() -> None:
        app = make_app(people.server.url, people.token(AGENT))
        queries = portal_calls(app, "agent_queue")
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_queue(app, pilot)
            await wait_for(pilot, lambda: settled(screen))
            await pilot.press("slash")
            asked = len(queries)
            # A prefix's query can only have left if the next key was handled a
            # whole debounce after that prefix was typed (a stalled machine).
            loop = asyncio.get_running_loop()
            stalled_on: set[str] = set()
            previous = loop.time()
            for typed in range(1, len(word) + 1):
                pressing = loop.time()
                await pilot.press(word[typed - 1])
                if typed > 1 and loop.time() - previous >= agent_queue.FILTER_DEBOUNCE:
                    stalled_on.add(word[: typed - 1])
                previous = pressing
            if loop.time() - previous >= agent_queue.FILTER_DEBOUNCE:
                stalled_on.add(word)
            # Narrowed locally at once, before the debounced query left.
            left = {q.get("q") for q in queries[asked:]}
            assert left <= stalled_on, (left, stalled_on)
            shown = screen.table.shown_ids()
            local = [
                i for i in screen.table.order if word.lower() in _haystack(screen.table.items[i])
            ]
            assert shown == local and shown
            # Debounced server queries (one per pause in the typing), the last for the
            # whole word; its answer replaces the rows.
            await wait_for(pilot, lambda: settled(screen) and len(queries) > asked)
            await wait_for(pilot, lambda: settled(screen))
            sent = [q.get("q") for q in queries[asked:]]
            assert sent[-1] == word and all(word.startswith(str(q)) for q in sent), sent
            assert len(sent) <= len(word)
            await pilot.press("enter")
            for _page in range(20):
                if screen.exhausted:
                    break
                await to_the_end(pilot, screen)
            assert screen.table.order == expected
            assert screen.table.shown_ids() == expected
            # Esc in the filter clears it and gives the whole queue back.
            await pilot.press("slash", "escape")
            await wait_for(pilot, lambda: settled(screen) and screen.query_state.text == "")
            await wait_for(pilot, lambda: settled(screen))
            assert screen.table.order[:PAGE_SIZE] == all_queue_ids(api)[:PAGE_SIZE]

    asyncio.run(main())


async def to_the_end(pilot: Any, screen: Any) -> None:
    """Jump to the last loaded row and wait for the next page (or the end of the queue)."""
    before = screen.table.row_count
    await pilot.press("ctrl+end")
    try:
        await wait_for(pilot, lambda: screen.exhausted or screen.table.row_count > before, 10)
    except AssertionError:
        state = (before, screen.table.row_count, screen.table.cursor_row, screen.fetching)
        details = (state, screen.next_cursor, screen.focused)
        raise AssertionError(details) from None
    await wait_for(pilot, lambda: settled(screen))


def _haystack(item: dict[str, Any]) -> str:
    applicant = item.get("applicant") or {}
    parts = [item["id"], applicant.get("name"), applicant.get("id"), item["procedure"]]
    parts += [item.get("title"), str(item.get("procedure_title"))]
    return " ".join(str(p or "") for p in parts).lower()


def test_quick_filters_and_counts_follow_the_api(people: People) -> None:
    api = people.client(AGENT)

    async def main() -> None:
        app = make_app(people.server.url, people.token(AGENT))
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_queue(app, pilot)
            await wait_for(pilot, lambda: settled(screen))
            assert screen.counts == dict(api.agent_counts())
            for key, filters in [
                ("1", {"assigned": "me"}),
                ("2", {"assigned": "none"}),
                ("3", {"assigned": "none", "overdue": True}),
                ("4", {"assigned": "none", "overdue": True, "status": "awaiting_complement"}),
                ("2", {"overdue": True, "status": "awaiting_complement"}),
                ("3", {"status": "awaiting_complement"}),
                ("4", {}),
            ]:
                generation = screen.generation
                await pilot.press(key)
                await wait_for(
                    pilot,
                    lambda g=generation: (
                        screen.generation > g and settled(screen) and screen.counts is not None
                    ),
                )
                await wait_for(
                    pilot, lambda f=filters: screen.counts == dict(api.agent_counts(**f))
                )
                want = [str(i["id"]) for i in api.agent_queue(limit=PAGE_SIZE, **filters).items]
                assert screen.query_state.filters() == filters
                assert screen.table.order == want, (key, filters)
            header = str(screen.query_one("#queue-counts").render())
            assert str(screen.counts["total"]) in header

    asyncio.run(main())


def test_sort_cycles_through_the_portal_orders(people: People) -> None:
    api = people.client(AGENT)

    async def main() -> None:
        app = make_app(people.server.url, people.token(AGENT))
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_queue(app, pilot)
            for sort in ("-age", "due", "-due", "updated", "age"):
                await pilot.press("s")
                await wait_for(pilot, lambda: settled(screen))
                await wait_for(
                    pilot, lambda s=sort: screen.query_state.sort == s and settled(screen)
                )
                want = [str(i["id"]) for i in api.agent_queue(limit=PAGE_SIZE, sort=sort).items]
                assert screen.table.order == want, sort
            # A click on the "Due" header sorts by due date, a second click the other way.
            table = screen.table
            table.set_hidden({"procedure", "applicant", "status"})  # "Due" in view
            await pilot.pause()
            columns = list(table.columns.values())
            due = next(n for n, c in enumerate(columns) if str(c.key.value) == "due")
            x = sum(c.get_render_width(table) for c in columns[:due]) + 2
            for sort in ("due", "-due"):
                await pilot.click("#queue-table", offset=(x, 0))
                await wait_for(
                    pilot, lambda s=sort: screen.query_state.sort == s and settled(screen)
                )
                want = [str(i["id"]) for i in api.agent_queue(limit=PAGE_SIZE, sort=sort).items]
                assert screen.table.order == want, sort

    asyncio.run(main())


def test_columns_can_be_hidden_and_shown_again(people: People) -> None:
    async def main() -> None:
        app = make_app(people.server.url, people.token(AGENT))
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_queue(app, pilot)
            screen.table.move_cursor(row=5)
            await pilot.pause()
            before = screen.table.current_id()
            await pilot.press("v")
            # Reference, Procedure, Applicant…: untick "Applicant" (third).
            await pilot.press("down", "down", "space", "enter")
            await wait_for(pilot, lambda: "applicant" in screen.table.hidden)
            keys = [str(c.value) for c in screen.table.columns]
            assert "applicant" not in keys and "ref" in keys
            assert screen.table.current_id() == before
            await pilot.press("v", "down", "down", "space", "enter")
            await wait_for(pilot, lambda: not screen.table.hidden)
            assert "applicant" in [str(c.value) for c in screen.table.columns]

    asyncio.run(main())
