"""Through the real app: the agent's queue (helper tui-queue's screen) binds the actions' keys.

``monespace tui --agent`` as Maxime Piron on the shared portal: filter the
queue to a fresh dossier, ``c`` claims it (Enter in the dialog), the row is
re-read in place (DossiersChanged), then ``X`` refuses it with a motivation.
"""

from __future__ import annotations

import asyncio
from typing import Any

from agent_actions_support import AGENT, queue_item, until

from tui.app import MonespaceApp, TuiSettings
from tui.widgets.agent_dialogs import ConfirmActionDialog, DecideDialog


def test_claim_and_refuse_from_the_queue(portal_server, token, api, new_dossiers, tmp_path) -> None:
    from tui.screens.agent_queue import AgentQueueScreen

    (ident,) = new_dossiers(1)
    settings = TuiSettings(
        portal_url=portal_server.url,
        token=token(AGENT),
        live=False,
        start_agent=True,
        files_dir=tmp_path,
    )
    app = MonespaceApp(settings)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, AgentQueueScreen))
            screen: Any = app.screen
            await until(pilot, lambda: screen.table.row_count > 0)
            await pilot.press("slash", *ident[-6:], "enter")
            await until(pilot, lambda: ident in screen.table.items and not screen.loading)
            table = screen.table
            table.focus()  # the keys act on the table (the filter box keeps them otherwise)
            table.move_cursor(row=table.get_row_index(ident))
            await pilot.pause()
            assert table.current_item()["id"] == ident

            await pilot.press("c")
            await until(pilot, lambda: isinstance(app.screen, ConfirmActionDialog))
            await pilot.press("enter")
            await until(
                pilot,
                lambda: (table.items.get(ident, {}).get("assigned_to") or {}).get("nrn") == AGENT,
            )

            await pilot.press("X")
            await until(pilot, lambda: isinstance(app.screen, DecideDialog))
            dialog: Any = app.screen
            assert dialog.outcome == "refuse"
            await pilot.press(*"Incomplet", "ctrl+s")
            await until(pilot, lambda: app.screen is screen)
            await until(pilot, lambda: queue_item(api(AGENT), ident)["status"] == "refused")

    asyncio.run(main())
