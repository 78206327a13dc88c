"""The roles screen inside the real ``MonespaceApp``: reached from the dashboard, keys in ``?``.

Anna Pauels acts for Lebenshilfe Eupen ASBL (she is its legal representative
and GAP); ``g`` on the dashboard opens the roles screen of the acting
organisation, ``?`` lists its keys, ``escape`` goes back to the dashboard.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, cast

from roles_host import ANNA, LEBENSHILFE, until

from tui.screens.roles import RolesScreen
from tui.widgets.roles_grid import RolesGrid


def test_the_app_opens_the_roles_screen_of_the_acting_organisation(
    portal_server: Any, token_for: Callable[[str], str]
) -> None:
    from tui.app import MonespaceApp, TuiSettings
    from tui.screens.dashboard import DashboardScreen
    from tui.screens.help import HelpScreen, screen_bindings

    settings = TuiSettings(
        portal_url=portal_server.url, token=token_for(ANNA), acting_as=LEBENSHILFE, live=False
    )
    app = MonespaceApp(settings)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
            await pilot.press("g")
            await until(pilot, lambda: isinstance(app.screen, RolesScreen))
            screen = app.screen
            assert isinstance(screen, RolesScreen) and screen.bce == LEBENSHILFE
            await until(pilot, lambda: screen.query_one(RolesGrid).row_count >= 1)
            keys = dict((d, k) for k, d in screen_bindings(cast(Any, screen)))
            assert {"Grant", "Change", "Revoke", "Back"} <= set(keys)
            assert "Accept" not in keys  # a Mandates-tab action, hidden on the Roles tab
            await pilot.press("2")
            assert {"Propose", "Revoke"} <= {d for _k, d in screen_bindings(cast(Any, screen))}
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen))
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is screen)
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, DashboardScreen))

    asyncio.run(main())
