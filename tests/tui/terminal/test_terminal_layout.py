"""At 80×24, each screen shows what a person needs to use it: its columns and its keys."""

from __future__ import annotations

import re

#: Marie Claire Dubois, citizen.
CITIZEN = "86040203095"
#: Sophie Lejeune, GAP of Fiduciaire Meuse & Sambre SRL.
GAP, FIDUCIAIRE = "83110208625", "0856712314"


def footer(screen: str) -> str:
    return screen.rstrip("\n").splitlines()[-1]


def test_the_citizens_screens_at_80x24(open_tui) -> None:
    term = open_tui(CITIZEN)
    screen = term.wait_for(re.compile(r"Dossier +Procedure +Status"), what="the dashboard")
    assert "Awaiting me" in screen
    for key in ("c Catalogue", "n New dossier", "f5 Reload", "^p palette"):
        assert key in footer(screen), footer(screen)

    term.press("c")
    term.wait_for("Search procedures", what="the catalogue")
    screen = term.wait_for("PRIME-HABITATION", what="the catalogue's list")
    assert re.search(r"Code +Procedure", screen)
    for key in ("/ Search", "s Start a dossier", "esc Back"):
        assert key in footer(screen), footer(screen)

    term.press("/")
    term.type("PRIME-HAB\r")  # Enter: to the list, whose "s" starts the dossier
    term.press("s")
    screen = term.wait_for("Given names", what="the form")
    assert "Form" in screen.splitlines()[0], "the form has the header of every screen"
    for key in ("^s Save draft", "^g Submit", "esc Back"):
        assert key in footer(screen), footer(screen)


def test_the_roles_grid_at_80x24(open_tui) -> None:
    term = open_tui(GAP, acting_as=FIDUCIAIRE)
    term.wait_for("Dashboard")
    term.press("g")
    screen = term.wait_for(re.compile(r"Person +employment"), what="the roles grid")
    assert "Philippe Jean Lambert" in screen
    for key in ("g Grant", "esc Back"):
        assert key in footer(screen), footer(screen)
