"""The roles grid against the real portal: grant, change and revoke by keyboard; rights.

Each test drives ``RolesScreen`` at 80×24 through Pilot key presses and then
checks the portal through the API (the grid could lie; the API does not).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from roles_host import ANNA, HUGO, LEBENSHILFE, MONIKA, RolesHost, until
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from monespace_cli.client import NotFound, PortalClient
from tui.screens.roles import RolesScreen
from tui.widgets.roles_confirm import ConfirmModal
from tui.widgets.roles_grid import RolesGrid
from tui.widgets.roles_role_form import RoleFormModal


def _role(client: PortalClient, nrn: str, domain: str) -> dict[str, Any] | None:
    found = [r for r in client.list_roles(LEBENSHILFE, person=nrn) if r["domain"] == domain]
    return found[0] if found else None


def _cell(screen: RolesScreen, nrn: str, domain: str) -> str:
    grid = screen.query_one(RolesGrid)
    return " ".join(r["level"] for r in grid.grid.roles_at(nrn, domain))


async def _type(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*text)


def test_grant_change_and_revoke_a_role_by_keyboard(
    drive: Callable[..., RolesHost], api_as: Callable[[str], PortalClient]
) -> None:
    api = api_as(ANNA)
    assert _role(api, ANNA, "housing") is None

    async def scenario(app: RolesHost, screen: RolesScreen, pilot: Pilot[None]) -> None:
        grid = screen.query_one(RolesGrid)
        await until(pilot, lambda: grid.row_count >= 1)
        assert "Lebenshilfe Eupen" in str(screen.query_one("#org", Static).render())
        # Anna's row; arrows to the "housing" column (person, employment, economy, housing).
        row = [p.nrn for p in grid.grid.people].index(ANNA)
        grid.move_cursor(row=row, column=0)
        await pilot.press("right", "right", "right")
        here = grid.current()
        assert here is not None and here[1] == "housing"

        await pilot.press("g")
        await until(pilot, lambda: isinstance(app.screen, RoleFormModal))
        form = app.screen
        assert form.query_one("#nrn", Input).value == ANNA
        assert form.query_one("#domain", Select).value == "housing"
        form.query_one("#level", Select).value = "act"
        form.query_one("#valid_until", Input).focus()
        await _type(pilot, "2027-06-30")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: _cell(screen, ANNA, "housing") == "act")
        assert app.screen is screen
        assert grid.current() == (grid.current_person(), "housing")

        # e: change the level, remove the end date.
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, RoleFormModal))
        app.screen.query_one("#level", Select).value = "manage"
        until_field = app.screen.query_one("#valid_until", Input)
        until_field.focus()
        until_field.value = ""
        await pilot.press("enter")
        await until(pilot, lambda: _cell(screen, ANNA, "housing") == "manage")

    host = drive(ANNA, LEBENSHILFE, scenario)
    assert host.errors == []
    role = _role(api, ANNA, "housing")
    assert role is not None
    assert (role["level"], role["valid_until"]) == ("manage", None)

    async def revoke(app: RolesHost, screen: RolesScreen, pilot: Pilot[None]) -> None:
        grid = screen.query_one(RolesGrid)
        await until(pilot, lambda: _cell(screen, ANNA, "housing") == "manage")
        grid.move_to(ANNA, "housing")
        await pilot.press("delete")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await until(pilot, lambda: _cell(screen, ANNA, "housing") == "")

    assert drive(ANNA, LEBENSHILFE, revoke).errors == []
    assert _role(api, ANNA, "housing") is None


def test_grant_to_a_new_person_adds_a_row_and_a_wrong_nrn_is_caught_in_the_form(
    drive: Callable[..., RolesHost], api_as: Callable[[str], PortalClient]
) -> None:
    async def scenario(app: RolesHost, screen: RolesScreen, pilot: Pilot[None]) -> None:
        grid = screen.query_one(RolesGrid)
        await until(pilot, lambda: grid.row_count >= 1)
        grid.move_to(ANNA, "nature")
        await pilot.press("g")
        await until(pilot, lambda: isinstance(app.screen, RoleFormModal))
        nrn = app.screen.query_one("#nrn", Input)
        nrn.focus()
        nrn.value = ""
        await _type(pilot, "55112114669")  # wrong check digit
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RoleFormModal)
        assert "not a valid national register number" in str(
            app.screen.query_one("#error", Static).render()
        )
        nrn.value = ""
        await _type(pilot, "55.11.21-146.68")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: _cell(screen, MONIKA, "nature") == "consult")
        assert MONIKA in [p.nrn for p in grid.grid.people]

    assert drive(ANNA, LEBENSHILFE, scenario).errors == []
    role = _role(api_as(ANNA), MONIKA, "nature")
    assert role is not None and role["level"] == "consult"


def test_a_manage_role_holder_reads_the_grid_but_may_not_change_it(
    drive: Callable[..., RolesHost], api_as: Callable[[str], PortalClient]
) -> None:
    api = api_as(ANNA)
    if _role(api, MONIKA, "employment") is None:
        api.grant_role(LEBENSHILFE, {"nrn": MONIKA, "domain": "employment", "level": "manage"})

    async def scenario(app: RolesHost, screen: RolesScreen, pilot: Pilot[None]) -> None:
        grid = screen.query_one(RolesGrid)
        await until(pilot, lambda: grid.row_count >= 2)
        notice = screen.query_one("#roles-notice", Static)
        assert notice.display and "Read only" in str(notice.render())
        grid.move_to(ANNA, "employment")
        assert screen.check_action("grant", ()) is None  # greyed out in the footer
        await pilot.press("g")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("2")
        mandates_notice = screen.query_one("#mandates-notice", Static)
        assert "Only the GAPs and legal representatives" in str(mandates_notice.render())

    assert drive(MONIKA, LEBENSHILFE, scenario).errors == []


def test_a_person_without_rights_gets_a_clear_message_not_a_crash(
    drive: Callable[..., RolesHost],
) -> None:
    async def scenario(app: RolesHost, screen: RolesScreen, pilot: Pilot[None]) -> None:
        notice = screen.query_one("#roles-notice", Static)
        await until(pilot, lambda: bool(notice.display))
        assert "no right on organisation 0861.032.970" in str(notice.render())
        assert screen.query_one(RolesGrid).row_count == 0

    host = drive(HUGO, LEBENSHILFE, scenario)
    assert [type(e) for e in host.errors] == [NotFound]


#: A national register number with a right check digit that the register does not know.
NOBODY = "85010100115"


def test_a_grant_the_portal_refuses_reopens_the_form_with_its_reasons(
    drive: Callable[..., RolesHost], api_as: Callable[[str], PortalClient]
) -> None:
    async def scenario(app: RolesHost, screen: RolesScreen, pilot: Pilot[None]) -> None:
        grid = screen.query_one(RolesGrid)
        await until(pilot, lambda: grid.row_count >= 1)
        grid.move_to(ANNA, "animals")
        await pilot.press("g")
        await until(pilot, lambda: isinstance(app.screen, RoleFormModal))
        first = app.screen
        nrn = first.query_one("#nrn", Input)
        nrn.focus()
        nrn.value = ""
        await _type(pilot, NOBODY)
        await pilot.press("ctrl+s")
        # the portal answers 422: the same form comes back, as typed, with the reason
        await until(
            pilot, lambda: isinstance(app.screen, RoleFormModal) and app.screen is not first
        )
        again = app.screen
        assert again.query_one("#nrn", Input).value == NOBODY
        assert again.query_one("#domain", Select).value == "animals"
        assert "nrn" in str(again.query_one("#error", Static).render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen

    host = drive(ANNA, LEBENSHILFE, scenario)
    assert [type(e).__name__ for e in host.errors] == ["ValidationFailed"]
    assert _role(api_as(ANNA), NOBODY, "animals") is None
