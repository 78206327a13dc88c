"""Live updates and the preview, against a real portal and its back-office event stream.

Another agent (the supervisor) claims a dossier through the API while the
queue is open: the row changes in place and the cursor and scroll stay put.
A citizen files a new dossier: the header says "1 new", nothing moves. The
preview shows a dossier's data, attachment (saved with the right bytes),
messages, history and notes, and is requested once however fast one scrolls.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from agent_tui_support import (
    AGENT,
    CITIZEN,
    SUPERVISOR,
    People,
    file_dogid,
    make_app,
    open_queue,
    portal_calls,
    previews_the_cursor,
    settled,
    wait_for,
)

from tui.screens import agent_queue


def _pdf() -> bytes:
    from portal import pdf

    return pdf.render(["Certificat du vétérinaire", "Puce posée"], title="Certificat")


PDF = _pdf()


def _label(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector).render())


def test_a_row_claimed_elsewhere_changes_in_place_and_the_cursor_stays(people: People) -> None:
    supervisor = people.client(SUPERVISOR)
    supervisor_name = "Geoffrey"

    async def main() -> None:
        app = make_app(people.server.url, people.token(AGENT), live=True)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_queue(app, pilot)
            await wait_for(pilot, lambda: settled(screen) and screen.online)
            table = screen.table
            target = next(
                i
                for i in table.order[30:]
                if table.items[i]["status"] == "submitted" and not table.items[i]["assigned_to"]
            )
            table.move_cursor(row=12)
            await wait_for(pilot, lambda: previews_the_cursor(screen))
            await pilot.pause()  # the scroll that follows the cursor
            cursor, scroll, highlighted = table.cursor_row, table.scroll_y, table.current_id()
            supervisor.claim(target)
            await wait_for(
                pilot, lambda: (table.items[target].get("assigned_to") or {}).get("name"), 20
            )
            assert supervisor_name in table.items[target]["assigned_to"]["name"]
            assert table.items[target]["status"] == "in_review"
            row = table.get_row(target)
            assert any(supervisor_name in str(cell) for cell in row)
            assert (table.cursor_row, table.scroll_y, table.current_id()) == (
                cursor,
                scroll,
                highlighted,
            )
            assert table.order.index(target) == table.shown_ids().index(target)

    asyncio.run(main())


def test_a_new_dossier_shows_as_new_without_moving_the_list(people: People) -> None:
    citizen = people.client(CITIZEN)

    async def main() -> None:
        app = make_app(people.server.url, people.token(AGENT), live=True)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_queue(app, pilot)
            await wait_for(pilot, lambda: settled(screen) and screen.online)
            total = int(screen.counts["total"])
            before = list(screen.table.order)
            new_id = file_dogid(citizen)
            await wait_for(pilot, lambda: new_id in screen.new_ids, 20)
            await wait_for(pilot, lambda: int(screen.counts["total"]) == total + 1, 20)
            assert "1" in _label(screen, "#queue-new")
            assert screen.table.order == before  # oldest first: nothing jumps
            await pilot.press("f5")
            await wait_for(pilot, lambda: not screen.new_ids and settled(screen))
            assert _label(screen, "#queue-new") == ""

    asyncio.run(main())


def test_the_preview_shows_the_whole_dossier_and_saves_an_attachment(
    people: People, tmp_path: Path
) -> None:
    citizen = people.client(CITIZEN)
    agent = people.client(AGENT)
    dossier_id = file_dogid(citizen, attachment=PDF)
    citizen.send_message(dossier_id, "Bonjour, la puce a été posée en mars.")
    agent.add_note(dossier_id, "Vérifier le numéro de puce auprès du vétérinaire.")

    async def main() -> None:
        app = make_app(people.server.url, people.token(AGENT), files_dir=tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_queue(app, pilot)
            await pilot.press("slash", *dossier_id, "enter")
            await wait_for(
                pilot, lambda: settled(screen) and screen.table.order == [dossier_id], 20
            )
            preview = screen.preview
            await wait_for(pilot, lambda: preview.preview and preview.preview.key[0] == dossier_id)
            text = {
                name: str(screen.query_one(f"#pv-{name}").render())
                for name in ("summary", "data", "messages", "history", "notes")
            }
            assert dossier_id in text["summary"]
            assert "keeper.surname: Dubois" in text["data"]
            assert "la puce a été posée en mars" in text["messages"]
            assert "Vérifier le numéro de puce" in text["notes"]
            assert "submitted" in text["history"] or "envoy" in text["history"]
            attachments = screen.query_one("#pv-attachments")
            assert attachments.row_count == 1
            await pilot.press("w")
            saved = await wait_for(pilot, lambda: list(tmp_path.glob("certificat*.pdf")), 20)
            await wait_for(pilot, lambda: saved[0].stat().st_size == len(PDF))
            assert saved[0].read_bytes() == PDF

    asyncio.run(main())


def test_scrolling_fast_opens_only_the_dossier_one_stops_on(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A longer rest than the screen's 0.3 s, so that a loaded machine rarely
    # stalls that long between two moves; when it does, the row it stalled on
    # is rightly opened, and the test allows exactly those rows.
    monkeypatch.setattr(agent_queue, "PREVIEW_DELAY", 1.0)

    async def main() -> None:
        app = make_app(people.server.url, people.token(AGENT))
        reads = portal_calls(app, "agent_dossier")

        def opened() -> list[str]:
            """The dossiers whose preview was read, in order."""
            return [call["args"][0] for call in reads]

        async with app.run_test(size=(120, 40)) as pilot:
            loop = asyncio.get_running_loop()
            screen = await open_queue(app, pilot)
            first = screen.table.current_id()
            await wait_for(pilot, lambda: opened() == [first])
            await wait_for(pilot, lambda: screen.preview.preview is not None)
            # Down 40 rows, each move as soon as the screen handled the one
            # before (as holding the down arrow, 2 s or more in all). A row's
            # timer can only have fired if the next move was handled a whole
            # delay after the move onto it: those rows may be opened.
            stalled_on: set[str] = set()
            row, arrived = first, loop.time()
            for _row in range(40):
                leaving = loop.time()
                screen.table.action_cursor_down()
                await wait_for(pilot, lambda: previews_the_cursor(screen))
                if loop.time() - arrived >= agent_queue.PREVIEW_DELAY:
                    stalled_on.add(row)
                row, arrived = screen.table.current_id(), leaving
            stop = screen.table.current_id()
            assert stop != first
            # Once the row it stopped on is shown, no other row's timer is left:
            # any other request would have come before this one.
            await wait_for(pilot, lambda: screen.preview.preview.key[0] == stop)
            requests = opened()
            assert requests[0] == first and requests[-1] == stop
            assert set(requests[1:-1]) <= stalled_on - {first}, (requests, stalled_on)
            # Back to the first row: from the cache at once, no new request.
            await pilot.press("ctrl+home")
            await wait_for(pilot, lambda: screen.preview.preview.key[0] == first)
            assert opened() == requests

    asyncio.run(main())
