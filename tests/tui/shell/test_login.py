"""Login in the TUI with the in-process virtual eID card, against the real portal.

Wrong PIN first (the screen says how many tries are left and the card's
counter really went down), then the right one: the app lands on the
dashboard with a token the portal accepts, and keeps it through the
``save_token`` hook (the credentials store of ``monespace tui``). The
card status follows removal and insertion live.
"""

from __future__ import annotations

from typing import Any

import pytest
from shell_helpers import CITIZEN, PIN, make_app, run, virtual_card, wait_for
from textual.widgets import Input, Static

from monespace_cli.client import PortalClient


def _text(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def test_wrong_pin_then_right_pin_logs_in(portal_server: Any) -> None:
    from tui.screens.dashboard import DashboardScreen
    from tui.screens.login import LoginScreen

    card = virtual_card(portal_server.url, CITIZEN)
    kept: list[str] = []
    app = make_app(portal_server.url, card_connection=card.connection(), save_token=kept.append)

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await wait_for(
                pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen
            )
            await wait_for(pilot, lambda: "Card ready" in _text(screen, "#card-status"))

            pin = screen.query_one("#pin", Input)
            assert pin.password  # masked
            await pilot.press(*"9999", "enter")
            assert pin.value == ""  # cleared as soon as it was taken
            await wait_for(pilot, lambda: "Wrong PIN" in _text(screen, "#login-error"))
            assert "2 tries left" in _text(screen, "#login-error")
            assert isinstance(app.screen, LoginScreen)

            await pilot.press(*PIN, "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
            await wait_for(pilot, lambda: app.me is not None)
            assert app.me["person"]["nrn"] == CITIZEN

    run(scenario())
    assert app.token and kept == [app.token]
    assert "9999" not in repr(app.workers) and PIN not in str(kept)
    with PortalClient(portal_server.url, token=app.token) as client:
        assert client.me()["person"]["nrn"] == CITIZEN
    # The right PIN reset the counter: the wrong one was really presented to the card.
    from eid.session import open_card

    with open_card(connection=card.connection()) as eid_card:
        assert eid_card.pin_tries_left() == 3


def test_card_status_follows_removal_and_insertion(portal_server: Any) -> None:
    from tui.screens.login import LoginScreen

    card = virtual_card(portal_server.url, CITIZEN)
    app = make_app(portal_server.url, card_connection=card.connection())

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await wait_for(
                pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen
            )
            await wait_for(pilot, lambda: "Card ready" in _text(screen, "#card-status"))
            card.remove()
            await wait_for(pilot, lambda: "Insert your eID card" in _text(screen, "#card-status"))
            assert "no card" in _text(screen, "#readers")
            await pilot.press(*PIN, "enter")
            await wait_for(pilot, lambda: "first" in _text(screen, "#login-error"))
            card.insert()
            await wait_for(pilot, lambda: "Card ready" in _text(screen, "#card-status"))

    run(scenario())


def test_blocked_card_says_what_to_do(portal_server: Any) -> None:
    from tui.screens.login import LoginScreen

    card = virtual_card(portal_server.url, CITIZEN)
    from eid.errors import PinBlocked, WrongPin
    from eid.session import open_card

    with open_card(connection=card.connection()) as eid_card:  # block it: 3 wrong PINs
        for _ in range(3):
            try:
                eid_card.verify_pin("0000", force_last_try=True)
            except (WrongPin, PinBlocked):
                pass
    app = make_app(portal_server.url, card_connection=card.connection())

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await wait_for(
                pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen
            )
            await wait_for(pilot, lambda: "Card ready" in _text(screen, "#card-status"))
            await pilot.press(*PIN, "enter")
            await wait_for(pilot, lambda: "blocked" in _text(screen, "#login-error"))
            assert "PUK" in _text(screen, "#login-error")
            assert isinstance(app.screen, LoginScreen)

    run(scenario())


def test_last_try_needs_an_explicit_tick(portal_server: Any) -> None:
    """One try left: nothing is sent to the card until the person ticks the box."""
    from textual.widgets import Checkbox

    from eid.errors import WrongPin
    from eid.session import open_card
    from tui.screens.dashboard import DashboardScreen
    from tui.screens.login import LoginScreen

    card = virtual_card(portal_server.url, CITIZEN)
    with open_card(connection=card.connection()) as eid_card:
        for _ in range(2):
            try:
                eid_card.verify_pin("0000")
            except WrongPin:
                pass
        assert eid_card.pin_tries_left() == 1
    app = make_app(portal_server.url, card_connection=card.connection())

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await wait_for(
                pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen
            )
            await wait_for(pilot, lambda: "Card ready" in _text(screen, "#card-status"))
            await pilot.press(*PIN, "enter")
            await wait_for(pilot, lambda: "only one try" in _text(screen, "#login-error"))
            box = screen.query_one("#force-last", Checkbox)
            assert box.has_class("-shown") and not box.value
            box.value = True
            screen.query_one("#pin", Input).focus()
            await pilot.press(*PIN, "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))

    run(scenario())


@pytest.mark.pcscd
def test_login_through_real_pcscd_follows_the_reader(portal_server: Any, vpcd_card: Any) -> None:
    """The PC/SC path: pcscd + vpcd reader; the screen sees the card go and come."""
    import httpx

    from eid.virtual import CardImage
    from tests.pcsc_fixtures import VPCD_READER
    from tui.screens.dashboard import DashboardScreen
    from tui.screens.login import LoginScreen

    built = httpx.post(
        f"{portal_server.url}/api/v1/sandbox/cards",
        json={"nrn": CITIZEN, "applet": "1.8", "pin": PIN},
        timeout=30,
    )
    image = CardImage.from_json(built.content)
    bridge = vpcd_card(image)
    app = make_app(portal_server.url, reader=VPCD_READER, reader_poll=0.2)

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await wait_for(
                pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen
            )
            await wait_for(pilot, lambda: "Card ready" in _text(screen, "#card-status"))
            assert VPCD_READER in _text(screen, "#readers")
            bridge.stop()
            await wait_for(pilot, lambda: "Insert your eID card" in _text(screen, "#card-status"))
            vpcd_card(image)
            await wait_for(pilot, lambda: "Card ready" in _text(screen, "#card-status"))
            await pilot.press(*PIN, "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), timeout=30)

    run(scenario())


def test_a_refused_stored_session_goes_back_to_login_once(portal_server: Any) -> None:
    """A stored token the portal refuses (expired, revoked, another portal's): every
    request in flight fails with 401; the app goes back to login once, with one warning
    and no error notification, and does not crash."""
    from tui.screens.login import LoginScreen

    card = virtual_card(portal_server.url, CITIZEN)
    app = make_app(
        portal_server.url,
        token="a-token-this-portal-never-issued",
        card_connection=card.connection(),
        live=True,
        start_agent=True,
    )
    # Every client the refused session opens, to wait until each request has
    # answered (a late answer could still add a second warning or an error).
    clients: list[Any] = []
    make_client = app.portal

    def portal(*args: Any, **kwargs: Any) -> Any:
        client = make_client(*args, **kwargs)
        clients.append(client)
        return client

    app.portal = portal

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await wait_for(
                pilot,
                lambda: (
                    isinstance(app.screen, LoginScreen)
                    and app.screen.query("#card-status")
                    and app.screen
                ),
            )
            await wait_for(pilot, lambda: "Card ready" in _text(screen, "#card-status"))
            await wait_for(pilot, lambda: clients and all(c._http.is_closed for c in clients))
            await pilot.pause()  # what the last answer posted
            assert isinstance(app.screen, LoginScreen) and app.token is None
            notes = list(app._notifications)
            assert [n.severity for n in notes] == ["warning"], [n.message for n in notes]

    run(scenario())
