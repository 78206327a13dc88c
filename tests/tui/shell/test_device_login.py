"""Login on another device in the TUI, against the real portal and its real sandbox command.

The login screen's "another device" choice shows the code, the address and
a compact QR code on an 80×24 screen; ``monespace-portal sandbox approve``
(the real command, on the portal's database) approves, and the app lands on
the dashboard with a device session. A refusal is said on the screen, and
"Back" returns to the card login without a session.
"""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

from shell_helpers import CITIZEN, make_app, run, virtual_card, wait_for
from textual.widgets import Static

from monespace_cli.client import PortalClient
from tests.conftest import portal_env


def _text(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def _decide(portal_server: Any, action: str, code: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "portal", "sandbox", action, code, "--person", CITIZEN],
        env=portal_env(portal_server.database_url, portal_server.pki_dir),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_approved_on_another_device_lands_on_the_dashboard(portal_server: Any) -> None:
    from tui.screens.dashboard import DashboardScreen
    from tui.screens.device_login import DeviceLoginScreen
    from tui.screens.login import LoginScreen

    card = virtual_card(portal_server.url, CITIZEN)  # no PC/SC: the screen still polls readers
    kept: list[str] = []
    app = make_app(portal_server.url, card_connection=card.connection(), save_token=kept.append)

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
            await pilot.press("f2")
            screen = await wait_for(
                pilot, lambda: isinstance(app.screen, DeviceLoginScreen) and app.screen
            )
            await wait_for(pilot, lambda: _text(screen, "#device-code"))
            code = _text(screen, "#device-code")
            assert re.fullmatch(r"[A-Z]{4}-[A-Z]{4}", code)
            assert f"{portal_server.url}/device" in _text(screen, "#device-address")
            qr = screen.query_one("#device-qr", Static)
            # The whole screen fits 80×24: the QR code and the text side by side, all visible.
            for widget in (qr, screen.query_one("#device-code"), screen.query_one("#device-back")):
                region = widget.region
                assert region.right <= 80 and region.bottom <= 23, (widget.id, region)
                assert region.width > 0 and region.height > 0
            _decide(portal_server, "approve", code)
            await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
            await wait_for(pilot, lambda: app.me is not None)

    run(scenario())
    assert kept == [app.token]
    with PortalClient(portal_server.url, token=app.token) as client:
        me = client.me()
    assert me["person"]["nrn"] == CITIZEN and me["session_method"] == "device"


def test_refused_is_said_and_back_returns_to_the_card_login(portal_server: Any) -> None:
    from tui.screens.device_login import DeviceLoginScreen
    from tui.screens.login import LoginScreen

    card = virtual_card(portal_server.url, CITIZEN)
    kept: list[str] = []
    app = make_app(portal_server.url, card_connection=card.connection(), save_token=kept.append)

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
            await pilot.click("#device-button")
            screen = await wait_for(
                pilot, lambda: isinstance(app.screen, DeviceLoginScreen) and app.screen
            )
            await wait_for(pilot, lambda: _text(screen, "#device-code"))
            _decide(portal_server, "refuse", _text(screen, "#device-code"))
            await wait_for(pilot, lambda: "refused" in _text(screen, "#device-error"))
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))

    run(scenario())
    assert kept == [] and not app.token
