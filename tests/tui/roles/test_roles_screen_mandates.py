"""Mandates and the audit trail against the real portal, from both sides.

Lebenshilfe Eupen (GAP Anna Pauels) has no mandate in the seeds, nor with
Eifel Bau (GAP Stefan Cormann) or Conseil & Stratégie Wallonie (GAP Olivier
Grégoire); the portal allows one mandate a pair, so each test uses its own
pair, proposes from one side and decides from the other, each through its
own roles screen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from roles_host import ANNA, EIFEL, LEBENSHILFE, STEFAN, RolesHost, until
from textual.pilot import Pilot
from textual.widgets import Select, SelectionList

from monespace_cli.client import PortalClient
from tui.screens.roles import RolesScreen
from tui.widgets.roles_confirm import ConfirmModal
from tui.widgets.roles_history import HistoryTable
from tui.widgets.roles_mandate_form import MANDATAIRE, MandateFormModal
from tui.widgets.roles_mandates import MandatesTable

#: Olivier Grégoire, legal representative and GAP of Conseil & Stratégie Wallonie SRL.
OLIVIER = "87090118922"
CONSEIL = "1004821515"


def _between(client: PortalClient, bce: str, other: str) -> list[dict[str, Any]]:
    mandates = client.list_mandates(organisation=bce)
    return [m for m in mandates if other in (m["beneficiary"]["bce"], m["mandataire"]["bce"])]


def _current(table: MandatesTable) -> Mapping[str, Any]:
    return table.current() or {}


def _states(screen: RolesScreen) -> list[str]:
    return [str(m["state"]) for m in screen.query_one(MandatesTable).mandates]


def _propose(ours: str, other: str, domain: str) -> Callable[..., Any]:
    """A scenario: open the Mandates tab, ``p``, fill the form by keyboard, save."""

    async def scenario(app: RolesHost, screen: RolesScreen, pilot: Pilot[None]) -> None:
        await until(pilot, lambda: bool(screen.rights))
        await pilot.press("2")
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, MandateFormModal))
        form = app.screen
        if ours == MANDATAIRE:
            form.query_one("#side", Select).value = MANDATAIRE
        await pilot.press(*other)  # the BCE field has the focus
        domains = form.query_one("#domains", SelectionList)
        domains.focus()
        await pilot.pause()
        for _ in range(["employment", "economy", "housing"].index(domain)):
            await pilot.press("down")
        await pilot.press("space")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "proposed" in _states(screen))
        assert not isinstance(app.screen, MandateFormModal)

    return scenario


def test_the_firm_proposes_and_the_client_accepts(
    drive: Callable[..., RolesHost], api_as: Callable[[str], PortalClient]
) -> None:
    stefan = drive(STEFAN, EIFEL, _propose(MANDATAIRE, LEBENSHILFE, "employment"))
    assert stefan.errors == []
    [proposed] = [m for m in _between(api_as(ANNA), LEBENSHILFE, EIFEL) if m["state"] == "proposed"]
    assert proposed["mandataire"]["bce"] == EIFEL and proposed["domains"] == ["employment"]

    async def accept(app: RolesHost, screen: RolesScreen, pilot: Pilot[None]) -> None:
        await pilot.press("2")
        table = screen.query_one(MandatesTable)
        await until(pilot, lambda: table.row_count >= 1)
        table.move_cursor(row=table.get_row_index(str(proposed["id"])))  # other tests' rows too
        await pilot.pause()
        assert _current(table)["id"] == proposed["id"]
        assert screen.check_action("accept", ()) is True
        await pilot.press("a")
        await until(pilot, lambda: _current(table)["state"] == "active")
        # the trail shows the decision, newest first
        await pilot.press("3")
        history = screen.query_one(HistoryTable)
        await until(pilot, lambda: history.row_count >= 1)
        assert history.get_row_at(0)[2] == "mandate accepted"

    assert drive(ANNA, LEBENSHILFE, accept).errors == []
    [accepted] = [
        m for m in _between(api_as(ANNA), LEBENSHILFE, EIFEL) if m["id"] == proposed["id"]
    ]
    assert accepted["state"] == "active"
    assert accepted["decided_by"]["nrn"] == ANNA

    async def revoke(app: RolesHost, screen: RolesScreen, pilot: Pilot[None]) -> None:
        await pilot.press("2")
        table = screen.query_one(MandatesTable)
        await until(pilot, lambda: _current(table).get("id") == proposed["id"])
        assert screen.check_action("accept", ()) is None  # active: nothing to decide
        await pilot.press("delete")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await until(pilot, lambda: _current(table).get("state") == "revoked")

    assert drive(STEFAN, EIFEL, revoke).errors == []
    mandates = _between(api_as(ANNA), LEBENSHILFE, EIFEL)
    [revoked] = [m for m in mandates if m["id"] == proposed["id"]]
    assert revoked["state"] == "revoked"


def test_the_client_proposes_and_the_firm_refuses_after_confirming(
    drive: Callable[..., RolesHost], api_as: Callable[[str], PortalClient]
) -> None:
    assert drive(ANNA, LEBENSHILFE, _propose("beneficiary", CONSEIL, "economy")).errors == []
    [proposed] = [
        m for m in _between(api_as(OLIVIER), CONSEIL, LEBENSHILFE) if m["state"] == "proposed"
    ]

    async def refuse(app: RolesHost, screen: RolesScreen, pilot: Pilot[None]) -> None:
        await pilot.press("2")
        table = screen.query_one(MandatesTable)
        await until(pilot, lambda: table.row_count >= 1)
        # Other tests on the shared portal may have left proposals too: go to ours.
        table.move_cursor(row=table.get_row_index(str(proposed["id"])))
        await pilot.pause()
        assert _current(table)["id"] == proposed["id"]
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("n")  # changed their mind: nothing is sent
        await pilot.pause()
        assert _current(table)["state"] == "proposed"
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await until(pilot, lambda: proposed["id"] not in _ids_in_state(screen, "proposed"))

    assert drive(OLIVIER, CONSEIL, refuse).errors == []
    [refused] = [
        m for m in _between(api_as(ANNA), LEBENSHILFE, CONSEIL) if m["id"] == proposed["id"]
    ]
    assert refused["state"] == "refused"


def _ids_in_state(screen: RolesScreen, state: str) -> list[str]:
    return [str(m["id"]) for m in screen.query_one(MandatesTable).mandates if m["state"] == state]


PEOPLE = (
    "55112114668",
    "05011716152",
    "97062120481",
    "86040203095",
    "85073003328",
    "76071615045",
    "88021318526",
)
DOMAINS = (
    "employment",
    "economy",
    "housing",
    "environment",
    "planning",
    "health",
    "nature",
    "animals",
    "non_profit",
)


def test_the_history_loads_the_next_page_as_the_cursor_goes_down(
    drive: Callable[..., RolesHost], api_as: Callable[[str], PortalClient]
) -> None:
    changes = [
        {"op": "grant", "nrn": nrn, "domain": domain, "level": "consult"}
        for nrn in PEOPLE
        for domain in DOMAINS
    ]
    assert api_as(STEFAN).apply_roles(EIFEL, changes)["applied"] is True
    total = len(list(api_as(STEFAN).iter_audit(EIFEL)))
    assert total > 50  # more than one page of the API

    async def scroll(app: RolesHost, screen: RolesScreen, pilot: Pilot[None]) -> None:
        await pilot.press("3")
        history = screen.query_one(HistoryTable)
        await until(pilot, lambda: history.row_count == 50)
        assert history.next_cursor is not None
        assert screen.focused is history
        await pilot.press("ctrl+end")  # to the last loaded line: the next page comes
        await until(pilot, lambda: history.row_count == total)
        assert history.next_cursor is None
        assert {history.get_row_at(i)[2] for i in range(total)} >= {"role granted"}

    assert drive(STEFAN, EIFEL, scroll).errors == []
