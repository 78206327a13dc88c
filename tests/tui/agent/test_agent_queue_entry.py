"""How an agent gets to the queue, its keys, marks, and one action end to end.

An agent's dashboard offers "Back office" (``b`` and the palette) once
``GET /agent/services`` answered; a citizen's does not (404: no back office).
Escape goes back. Marks survive paging and narrowing. Claiming through the
screen (``c``, the dialog of tui.agent_actions, ctrl+s) changes the row in
place.
"""

from __future__ import annotations

import asyncio
from typing import Any

from agent_tui_support import (
    AGENT,
    CITIZEN,
    People,
    make_app,
    open_queue,
    previews_the_cursor,
    queue_screen,
    settled,
    wait_for,
)

from tui.screens.dashboard import DashboardScreen
from tui.screens.help import screen_bindings


def _dashboard_app(people: People, nrn: str) -> Any:
    app = make_app(people.server.url, people.token(nrn))
    app.settings.start_agent = False
    return app


def test_an_agent_opens_the_back_office_from_the_dashboard_and_comes_back(
    people: People,
) -> None:
    async def main() -> None:
        app = _dashboard_app(people, AGENT)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.is_agent)
            keys = dict(screen_bindings(app.screen))
            assert keys.get("b") == "Back office"
            await pilot.press("b")
            screen = await open_queue(app, pilot)
            assert screen.table.row_count > 0
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))

    asyncio.run(main())


def test_a_citizen_has_no_back_office(people: People) -> None:
    async def main() -> None:
        app = _dashboard_app(people, CITIZEN)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.agent_services is not None)
            assert app.agent_services == [] and not app.is_agent
            assert "b" not in dict(screen_bindings(app.screen))
            await pilot.press("b")
            await pilot.pause()  # the key is handled; a push of the queue would be done
            assert isinstance(app.screen, DashboardScreen) and queue_screen(app) is None

    asyncio.run(main())


def test_help_lists_every_key_and_marks_survive_paging_and_filtering(people: People) -> None:
    async def main() -> None:
        app = make_app(people.server.url, people.token(AGENT))
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_queue(app, pilot)
            await wait_for(pilot, lambda: settled(screen))
            described = {d for _k, d in screen_bindings(screen)}
            for action in ("Claim", "Release", "Assign", "Request complement", "Note"):
                assert action in described
            for action in ("Accept", "Refuse", "Mark", "Export", "Columns", "Sort", "Filter"):
                assert action in described
            first, second = screen.table.order[0], screen.table.order[1]
            await pilot.press("space", "down", "space")  # space marks, down moves
            assert screen.table.marked == {first, second}
            before = screen.table.row_count
            await pilot.press("ctrl+end")
            await wait_for(pilot, lambda: screen.table.row_count > before and settled(screen))
            assert screen.table.marked == {first, second}
            assert [i["id"] for i in screen.table.marked_items()] == [first, second]
            await pilot.press("slash", *first[-4:])
            assert screen.table.shown_ids()[0] == first
            assert str(screen.table.get_row(first)[0]) == "●"

    asyncio.run(main())


def test_claiming_through_the_screen_updates_the_row_in_place(people: People) -> None:
    async def main() -> None:
        app = make_app(people.server.url, people.token(AGENT))
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_queue(app, pilot)
            await wait_for(pilot, lambda: settled(screen))
            table = screen.table
            row = next(
                n
                for n, i in enumerate(table.order)
                if n > 3 and table.items[i]["status"] == "submitted"
                if not table.items[i]["assigned_to"]
            )
            target = table.order[row]
            table.move_cursor(row=row)
            await wait_for(pilot, lambda: previews_the_cursor(screen))
            await pilot.press("c")
            await wait_for(pilot, lambda: app.screen is not screen)  # the claim dialog
            await pilot.press("ctrl+s")
            await wait_for(
                pilot, lambda: (table.items[target].get("assigned_to") or {}).get("nrn") == AGENT
            )
            assert table.items[target]["status"] == "in_review"
            assert table.cursor_row == row and table.current_id() == target

    asyncio.run(main())
