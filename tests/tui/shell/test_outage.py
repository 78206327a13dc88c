"""The app keeps working when the portal goes away and comes back.

A portal process of this test's own (so stopping it disturbs nobody): the
dashboard follows the event stream ("live" in the header); the portal is
stopped — the header says "disconnected", a reload gives a notification and
no crash; the portal is started again on the same port — the app
reconnects by itself, and a dossier created afterwards appears on the
dashboard from the event stream, without a key press.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from shell_helpers import CITIZEN, make_app, run, token_for, wait_for
from textual.widgets import DataTable, Label

from monespace_cli.client import PortalClient


@pytest.fixture
def own_portal(pki_dir: Path, tmp_path: Path) -> Any:
    from tests.conftest import PortalServer, init_portal

    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    init_portal(url, pki_dir)
    server = PortalServer(url, pki_dir, tmp_path / "server.log")
    server.start(timeout=120)  # the machine may be busy
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.slow  # a portal of its own, stopped and started again: ~50 s on 2 busy cores
def test_portal_goes_away_and_comes_back(own_portal: Any) -> None:
    from tui.screens.dashboard import DashboardScreen

    token = token_for(own_portal.url, own_portal.pki_dir, CITIZEN)
    app = make_app(own_portal.url, token=token, live=True, reconnect_max=0.5)
    errors: list[BaseException] = []
    report = app.report_error

    def spy(error: BaseException) -> None:
        errors.append(error)
        report(error)

    app.report_error = spy  # type: ignore[method-assign]

    async def scenario() -> str:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await wait_for(
                pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen
            )
            link = screen.query_one("#bar-link", Label)
            await wait_for(pilot, lambda: app.online is True)
            await wait_for(pilot, lambda: "live" in str(link.render()))

            own_portal.stop()
            await wait_for(pilot, lambda: app.online is False, timeout=30)
            await wait_for(pilot, lambda: "disconnected" in str(link.render()))
            await pilot.press("f5")
            await wait_for(pilot, lambda: errors)
            assert type(errors[-1]).__name__ == "PortalUnavailable"
            assert app.is_running and isinstance(app.screen, DashboardScreen)

            own_portal.start(timeout=120)
            await wait_for(pilot, lambda: app.online is True, timeout=30)
            await wait_for(pilot, lambda: "live" in str(link.render()))
            with PortalClient(own_portal.url, token=token) as client:
                created = str(client.create_dossier("PERMIS-PECHE")["id"])
            table = screen.query_one("#dossiers", DataTable)
            await wait_for(pilot, lambda: created in [str(k.value) for k in table.rows])
            return created

    created = run(scenario())
    assert created.startswith("MSP-")
