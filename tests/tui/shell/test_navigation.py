"""Dashboard, context switcher, catalogue search and "start a dossier", by keyboard.

Against the real portal as the sandbox citizen Philippe Jean Lambert, who
also acts for his firm (legal representative): switching the context in the
header reloads the dashboard with the firm's dossiers; the catalogue filters
as you type (accents folded) and by audience; starting a procedure creates a
draft in the acting context.
"""

from __future__ import annotations

from typing import Any

from shell_helpers import CITIZEN, make_app, run, wait_for
from textual.widgets import DataTable, Input, Static

from monespace_cli.client import PortalClient


def _new_permit(url: str, token: str, acting_as: str = "me") -> str:
    with PortalClient(url, token=token, acting_as=acting_as) as client:
        dossier = client.create_dossier("PERMIS-PECHE", {"permit_type": "B", "year": 2027})
    return str(dossier["id"])


def _rows(table: DataTable[Any]) -> list[str]:
    return [str(key.value) for key in table.rows]


def test_dashboard_lists_my_dossiers_and_context_switch_reloads(
    portal_server: Any, citizen_token: str
) -> None:
    from tui.screens.dashboard import DashboardScreen
    from tui.widgets.context_bar import ContextBar

    mine = _new_permit(portal_server.url, citizen_token)
    with PortalClient(portal_server.url, token=citizen_token) as client:
        firm = next(c for c in client.me()["contexts"] if c["kind"] == "organisation")
    firm_dossier = _new_permit_for_firm(portal_server.url, citizen_token, firm["id"])
    app = make_app(portal_server.url, token=citizen_token)

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await wait_for(
                pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen
            )
            table = screen.query_one("#dossiers", DataTable)
            await wait_for(pilot, lambda: mine in _rows(table))
            assert firm_dossier not in _rows(table)
            await wait_for(pilot, lambda: app.me is not None)
            bar = screen.query_one(ContextBar)
            await pilot.pause()
            # ctrl+o opens the switcher; choose the firm with the keyboard.
            await pilot.press("ctrl+o")
            await pilot.pause()
            options = [str(c["id"]) for c in app.contexts()]
            for _ in range(options.index(firm["id"])):
                await pilot.press("down")
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.acting_as == firm["id"])
            await wait_for(pilot, lambda: firm_dossier in _rows(table))
            assert mine not in _rows(table)
            assert bar.query_one("#bar-context").value == firm["id"]

    run(scenario())


def _new_permit_for_firm(url: str, token: str, bce: str) -> str:
    """A dossier filed for the firm (a procedure the firm's audience may use)."""
    with PortalClient(url, token=token, acting_as=bce) as client:
        codes = [p["code"] for p in client.iter_procedures(audience="enterprise")]
        dossier = client.create_dossier(codes[0])
    return str(dossier["id"])


def test_catalogue_search_as_you_type_and_start_a_dossier(
    portal_server: Any, citizen_token: str
) -> None:
    from tui.screens.catalogue import CatalogueScreen
    from tui.screens.dashboard import DashboardScreen
    from tui.screens.dossier import DossierScreen

    app = make_app(portal_server.url, token=citizen_token)

    async def scenario() -> Any:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
            await pilot.press("c")
            screen = await wait_for(
                pilot, lambda: isinstance(app.screen, CatalogueScreen) and app.screen
            )
            table = screen.query_one("#procedures", DataTable)
            await wait_for(pilot, lambda: table.row_count > 5)
            everything = table.row_count
            await pilot.press("slash", *"peche")  # "/" to search; "pêche", accents folded
            await wait_for(pilot, lambda: _rows(table) == ["PERMIS-PECHE"])
            detail = str(screen.query_one("#detail", Static).render())
            assert "12,39 EUR" in detail and "PERMIS-PECHE" in detail
            for _ in range(5):
                await pilot.press("backspace")
            await wait_for(pilot, lambda: table.row_count == everything)
            # Audience filter: only procedures for non-profits.
            screen.query_one("#procedures", DataTable).focus()
            await pilot.press("a")
            await pilot.pause()
            await pilot.press("down", "down", "down", "enter")
            await wait_for(pilot, lambda: table.row_count < everything)
            assert all("non_profit" in p["audience"] for p in screen.shown)
            # Back to everyone, find the permit again and start it.
            screen.query_one("#search", Input).value = "PERMIS-PECHE"
            await wait_for(pilot, lambda: _rows(table) == ["PERMIS-PECHE"] or not table.row_count)
            screen.query_one("#audience").clear()
            await wait_for(pilot, lambda: _rows(table) == ["PERMIS-PECHE"])
            table.focus()
            await pilot.press("s")
            await wait_for(
                pilot,
                lambda: (
                    isinstance(app.screen, DossierScreen) or "Form" in type(app.screen).__name__
                ),
            )
            return next(s for s in app.screen_stack if isinstance(s, DossierScreen)).dossier_id

    dossier_id = run(scenario())
    with PortalClient(portal_server.url, token=citizen_token) as client:
        dossier = client.get_dossier(dossier_id)
    assert dossier["procedure"] == "PERMIS-PECHE" and dossier["status"] == "draft"
    assert dossier["applicant"]["id"] == CITIZEN


def test_an_expired_session_goes_back_to_the_login_screen(portal_server: Any) -> None:
    from tui.screens.login import LoginScreen

    app = make_app(portal_server.url, token="not-a-valid-token")

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
            assert app.token is None

    run(scenario())


def test_all_my_contexts_lists_both_and_opening_switches_context(
    portal_server: Any, citizen_token: str
) -> None:
    """``a``: my dossiers and the firm's together; opening the firm's acts for the firm."""
    from tui.screens.dashboard import DashboardScreen
    from tui.screens.dossier import DossierScreen

    mine = _new_permit(portal_server.url, citizen_token)
    with PortalClient(portal_server.url, token=citizen_token) as client:
        firm = next(c for c in client.me()["contexts"] if c["kind"] == "organisation")
    firm_dossier = _new_permit_for_firm(portal_server.url, citizen_token, firm["id"])
    app = make_app(portal_server.url, token=citizen_token)

    async def scenario() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await wait_for(
                pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen
            )
            table = screen.query_one("#dossiers", DataTable)
            await wait_for(pilot, lambda: mine in _rows(table) and app.me is not None)
            await pilot.press("a")
            await wait_for(pilot, lambda: {mine, firm_dossier} <= set(_rows(table)))
            assert "context" in {str(c.value) for c in table.columns}
            table.move_cursor(row=table.get_row_index(firm_dossier))
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, DossierScreen))
            assert app.acting_as == firm["id"]
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
            await pilot.press("a")  # back to the acting context only: the firm's
            await wait_for(pilot, lambda: "context" not in {str(c.value) for c in table.columns})
            await wait_for(pilot, lambda: firm_dossier in _rows(table))
            assert mine not in _rows(table)

    run(scenario())


def test_switching_context_never_loses_a_forms_edits(
    portal_server: Any, citizen_token: str
) -> None:
    """Switching closes the screens above the dashboard: with unsaved edits, it is refused."""
    from textual.widgets import Input

    from tui.screens.form import FormScreen

    draft = _new_permit(portal_server.url, citizen_token)
    with PortalClient(portal_server.url, token=citizen_token) as client:
        firm = next(c for c in client.me()["contexts"] if c["kind"] == "organisation")
    app = make_app(portal_server.url, token=citizen_token)

    async def scenario() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.me is not None)
            app.navigate.form(draft)
            form = await wait_for(
                pilot,
                lambda: isinstance(app.screen, FormScreen) and app.screen.loaded and app.screen,
            )
            field = form.query(Input).first()
            field.focus()
            await pilot.press("end", "7")
            await wait_for(pilot, form.dirty)
            app.switch_context(firm["id"])
            await pilot.pause()
            assert app.acting_as == "me" and app.screen is form and form.dirty()

    run(scenario())


def test_a_long_procedure_title_never_pushes_the_status_off_80_columns(
    portal_server: Any, citizen_token: str
) -> None:
    """The title is the column that gets cut ("…"); the status stays on screen."""
    from tui.screens.dashboard import DashboardScreen

    with PortalClient(portal_server.url, token=citizen_token) as client:
        long_one = str(client.create_dossier("AVIQ-AMENAGEMENT", {})["id"])
    app = make_app(portal_server.url, token=citizen_token)

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await wait_for(
                pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen
            )
            table = screen.query_one("#dossiers", DataTable)
            await wait_for(pilot, lambda: long_one in _rows(table))
            await pilot.pause()
            widths = [column.get_render_width(table) for column in table.ordered_columns]
            assert sum(widths) <= table.size.width, (widths, table.size.width)
            title = str(table.get_cell(long_one, "title"))
            assert title.endswith("…"), title

    run(scenario())
