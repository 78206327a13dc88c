"""Keys as a person presses them, in a real terminal: nothing crashes, nothing lands astray.

- ``g`` on the roles grid's first cell (the Person column, where the cursor
  starts) opens the grant dialog instead of killing the app.
- Typing a value, Tab and the next value in one burst (faster than anyone
  types) or at a person's pace always fills the field Tab went to.
"""

from __future__ import annotations

import re

from tmux_terminal import HUMAN_PACE, Terminal, lines_between

#: Marie Claire Dubois, citizen (PRIME-HABITATION).
CITIZEN = "86040203095"
#: Sophie Lejeune, GAP of Fiduciaire Meuse & Sambre SRL.
GAP, FIDUCIAIRE = "83110208625", "0856712314"

#: ctrl+u and ctrl+k: clear an input left and right of the cursor.
CLEAR = "\x15\x0b"


def test_grant_from_the_person_column_opens_the_dialog(open_tui) -> None:
    term = open_tui(GAP, acting_as=FIDUCIAIRE)
    term.wait_for("Dashboard")
    term.press("g")
    term.wait_for(re.compile(r"Person +employment"), what="the roles grid")
    term.press("g")  # the cursor is on the Person column, as it starts
    screen = term.wait_for("Grant a role")
    assert "Person (national register number)" in screen
    term.press("Escape")
    term.wait_for(lambda s: "Grant a role" not in s, what="the dialog to close")


def open_prime_habitation(term: Terminal) -> None:
    """Catalogue → PRIME-HABITATION → start: the new draft's form, focus on its body."""
    term.wait_for("Dashboard")
    term.press("c")
    term.wait_for("Search procedures", what="the catalogue")
    term.wait_for("PRIME-HABITATION", what="the catalogue's list")
    term.press("/")
    term.type("PRIME-HAB")
    term.wait_for(lambda s: "CU1 " not in s, what="the search to narrow the list")
    term.press("Enter")
    term.press("s")
    term.wait_for("Given names", what="the form")
    term.wait_for("Marie Claire", what="the prefilled values")


def value_under(screen: str, title: str) -> str:
    """The text on the line under a field's title (its input)."""
    below = lines_between(screen, title)[1]
    inside = [part.strip() for part in below.split("│") if part.strip()]
    return inside[0] if inside else ""


def fill_names(term: Terminal, given: str, surname: str, pace: float | None) -> None:
    """From *Given names* (focused): replace it, Tab, replace *Surname*; then back."""
    term.type(f"{CLEAR}{given}\t{CLEAR}{surname}", pace)
    screen = term.wait_for(
        lambda s: surname in s and given in s, what=f"{given!r} and {surname!r} on screen"
    )
    assert value_under(screen, "Given names") == given, screen
    assert value_under(screen, "Surname") == surname, screen
    term.press("BTab")  # back to Given names for the next round


def test_a_fast_tab_never_leaves_text_in_the_previous_field(open_tui) -> None:
    term = open_tui(CITIZEN, cols=100, rows=30)
    open_prime_habitation(term)
    term.type("\t\t")  # body → national register number → given names
    for round_ in range(8):  # the race lost about one burst in three
        fill_names(term, f"Jean{round_}", f"Dupont{round_}", pace=None)


def test_typing_at_a_persons_pace_fills_each_field(open_tui) -> None:
    term = open_tui(CITIZEN, cols=100, rows=30)
    open_prime_habitation(term)
    term.type("\t\t", HUMAN_PACE)
    fill_names(term, "Anne-Marie", "Lefèvre", pace=HUMAN_PACE)
