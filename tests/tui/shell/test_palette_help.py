"""Keyboard-only helpers: ``?`` lists the screen's keys, ``ctrl+p`` finds commands
(places, contexts, the screen's own bindings), and "Log out" ends the session
on the portal and forgets the token.
"""

from __future__ import annotations

from typing import Any

import pytest
from shell_helpers import CITIZEN, make_app, run, token_for, wait_for
from textual.widgets import DataTable

from monespace_cli.client import AuthenticationRequired, PortalClient
from tests.tui.pilot_wait import palette_offers


def test_help_lists_the_bindings_of_the_current_screen(
    portal_server: Any, citizen_token: str
) -> None:
    from tui.screens.dashboard import DashboardScreen
    from tui.screens.help import HelpScreen

    app = make_app(portal_server.url, token=citizen_token)

    async def scenario() -> list[str]:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
            await pilot.press("question_mark")
            help_screen = await wait_for(
                pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen
            )
            table = help_screen.query_one(DataTable)
            actions = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
            return actions

    actions = run(scenario())
    for expected in ("Catalogue", "New dossier", "Reload", "Roles (GAP)", "Log out", "Context"):
        assert expected in actions, actions


def test_palette_goes_to_the_catalogue_and_logs_out(portal_server: Any) -> None:
    from tui.screens.catalogue import CatalogueScreen
    from tui.screens.dashboard import DashboardScreen
    from tui.screens.login import LoginScreen

    token = token_for(portal_server.url, portal_server.pki_dir, CITIZEN)
    forgotten: list[bool] = []
    app = make_app(portal_server.url, token=token, forget_token=lambda: forgotten.append(True))

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
            await wait_for(pilot, lambda: app.me is not None)
            await pilot.press("ctrl+p")
            await pilot.press(*"go to the catalogue")
            await wait_for(pilot, lambda: palette_offers(app, "catalogue"))
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, CatalogueScreen))
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
            await pilot.press("ctrl+p")
            await pilot.press(*"log out")
            await wait_for(pilot, lambda: palette_offers(app, "log out"))
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))

    run(scenario())
    assert forgotten == [True] and app.token is None
    with (
        PortalClient(portal_server.url, token=token) as client,
        pytest.raises(AuthenticationRequired),
    ):
        client.me()
