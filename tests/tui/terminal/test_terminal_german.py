"""``monespace tui`` under ``LANG=de_BE.UTF-8``: our screens and Textual's own words in German.

Textual writes its palette key ("palette"), the palette's prompt ("Search
for commands…") and its system commands ("Screenshot"…) in English; the app
hands them to gettext like its own strings.
"""

from __future__ import annotations

import re

#: Marie Claire Dubois, citizen.
CITIZEN = "86040203095"


def footer(screen: str) -> str:
    return screen.rstrip("\n").splitlines()[-1]


def test_the_tui_speaks_german(open_tui) -> None:
    term = open_tui(CITIZEN, lang="de")
    keys = ("c Katalog", "n Neue Akte", "^p Befehle")
    dashboard = re.compile(r"Akte +Verfahren +Status")
    screen = term.wait_for(
        lambda s: dashboard.search(s) is not None and all(k in footer(s) for k in keys),
        what=f"the German dashboard and {keys}",
    )
    assert "Wartet auf mich" in screen
    assert "palette" not in screen and "Catalogue" not in screen

    term.press("C-p")
    term.wait_for("Befehle suchen…", what="the palette's German prompt")
    term.type("Bildschirm")
    term.wait_for("Bildschirmfoto", what="Textual's Screenshot command in German")
    term.type("qqq")
    term.wait_for("Keine Treffer", what="the palette's German 'no matches'")
    term.press("Escape")  # hides the list
    term.press("Escape")  # closes the palette
    term.wait_for(lambda s: "🔎" not in s, what="the palette to close")

    term.press("?")
    screen = term.wait_for("Tasten — Esc zum Schließen", what="the German keys help")
    assert "Katalog" in screen and "Abmelden" in screen
    term.press("Escape")
    term.wait_for(lambda s: "Tasten — Esc" not in s, what="the keys help to close")

    # The form has the most keys: German's longer words still show "submit" at 80 columns.
    term.press("c")
    term.wait_for("Verfahren suchen…", what="the German catalogue")
    term.wait_for("PRIME-HABITATION", what="the catalogue's list")
    term.press("/")
    term.type("PRIME-HAB\r")
    term.press("s")
    keys = ("Esc Zurück", "^s Speichern", "^g Einreichen")
    term.wait_for(
        lambda s: "Status: Entwurf" in s and all(k in footer(s) for k in keys),
        what=f"the German form and {keys}",
    )
