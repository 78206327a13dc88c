"""No portal at all: the roles screen says so, keeps running, and retries on f5."""

from __future__ import annotations

import asyncio
import socket

from roles_host import STORY_DAY, RolesHost, until
from textual.widgets import Static

from monespace_cli.client import PortalUnavailable
from tui.screens.roles import RolesScreen


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_portal_is_a_message_and_f5_tries_again() -> None:
    screen = RolesScreen("0861032970", today=STORY_DAY)
    app = RolesHost(f"http://127.0.0.1:{_closed_port()}", "no-token", screen)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            notice = screen.query_one("#roles-notice", Static)
            await until(pilot, lambda: bool(notice.display))
            assert "press f5 to try again" in str(notice.render())
            await pilot.press("f5")
            await until(pilot, lambda: len(app.errors) == 2)
            assert app.screen is screen
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is not screen

    asyncio.run(main())
    assert [type(e) for e in app.errors] == [PortalUnavailable, PortalUnavailable]
