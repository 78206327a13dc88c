"""At 80×24, each screen shows what a person needs to use it: its columns and its keys."""

from __future__ import annotations

import re
from collections.abc import Callable

#: Marie Claire Dubois, citizen.
CITIZEN = "86040203095"
#: Sophie Lejeune, GAP of Fiduciaire Meuse & Sambre SRL.
GAP, FIDUCIAIRE = "83110208625", "0856712314"


def footer(screen: str) -> str:
    return screen.rstrip("\n").splitlines()[-1]


def with_keys(condition: re.Pattern[str] | str, keys: tuple[str, ...]) -> Callable[[str], bool]:
    """The screen shows ``condition`` and its footer shows every one of ``keys``.

    A screen is drawn over several frames: the footer may come a frame after
    the table, so the test waits for both rather than reading the first frame.
    """

    def holds(screen: str) -> bool:
        if isinstance(condition, re.Pattern):
            found = condition.search(screen) is not None
        else:
            found = condition in screen
        return found and all(key in footer(screen) for key in keys)

    return holds


def test_the_citizens_screens_at_80x24(open_tui) -> None:
    term = open_tui(CITIZEN)
    keys = ("c Catalogue", "n New dossier", "f5 Reload", "^p palette")
    dashboard = re.compile(r"Dossier +Procedure +Status")
    screen = term.wait_for(with_keys(dashboard, keys), what=f"the dashboard and {keys}")
    assert "Awaiting me" in screen

    term.press("c")
    term.wait_for("Search procedures", what="the catalogue")
    keys = ("/ Search", "s Start a dossier", "esc Back")
    screen = term.wait_for(
        with_keys("PRIME-HABITATION", keys), what=f"the catalogue's list and {keys}"
    )
    assert re.search(r"Code +Procedure", screen)

    term.press("/")
    term.type("PRIME-HAB\r")  # Enter: to the list, whose "s" starts the dossier
    term.press("s")
    keys = ("^s Save draft", "^g Submit", "esc Back")
    screen = term.wait_for(with_keys("Given names", keys), what=f"the form and {keys}")
    assert "Form" in screen.splitlines()[0], "the form has the header of every screen"


def test_the_roles_grid_at_80x24(open_tui) -> None:
    term = open_tui(GAP, acting_as=FIDUCIAIRE)
    term.wait_for("Dashboard")
    term.press("g")
    keys = ("g Grant", "esc Back")
    grid = re.compile(r"Person +employment")
    screen = term.wait_for(with_keys(grid, keys), what=f"the roles grid and {keys}")
    assert "Philippe Jean Lambert" in screen
