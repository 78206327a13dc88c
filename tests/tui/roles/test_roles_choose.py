"""A cell holding several roles: ``e``/``r`` ask which one; ``escape``/``n`` change nothing.

Read-only on ``quiet_portal`` (the seeds): Camille Renard holds two
``employment/act`` roles at the fiduciaire, one on each client's mandate.
"""

from __future__ import annotations

import asyncio
from typing import Any

from roles_host import STORY_DAY, RolesHost, session_token, until
from textual.widgets import OptionList

from monespace_cli.client import PortalClient
from tui.screens.roles import RolesScreen
from tui.widgets.roles_confirm import ChooseModal, ConfirmModal
from tui.widgets.roles_grid import RolesGrid

SOPHIE = "83110208625"
FIDUCIAIRE = "0856712314"
CAMILLE = "02090806424"


def test_several_roles_in_a_cell_are_chosen_and_cancelling_sends_nothing(
    quiet_portal: Any,
) -> None:
    token = session_token(quiet_portal.url, quiet_portal.pki_dir, SOPHIE)
    screen = RolesScreen(FIDUCIAIRE, today=STORY_DAY)
    app = RolesHost(quiet_portal.url, token, screen)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            grid = screen.query_one(RolesGrid)
            await until(pilot, lambda: grid.row_count > 0)
            grid.move_to(CAMILLE, "employment")
            assert len(grid.current_roles()) == 2
            await pilot.press("e")
            await until(pilot, lambda: isinstance(app.screen, ChooseModal))
            assert app.screen.query_one(OptionList).option_count == 2
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen
            await pilot.press("delete")
            await until(pilot, lambda: isinstance(app.screen, ChooseModal))
            await pilot.press("down", "enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
            await pilot.press("n")
            await pilot.pause()
            assert app.screen is screen

    asyncio.run(main())
    assert app.errors == []
    with PortalClient(quiet_portal.url, token=token) as client:
        roles = client.list_roles(FIDUCIAIRE, person=CAMILLE)
    assert len([r for r in roles if r["domain"] == "employment"]) == 2
