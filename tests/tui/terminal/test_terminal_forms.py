"""Every field of every sandbox procedure's form can be seen, at 80×24, by scrolling.

A person starts each procedure from the catalogue (``c``, ``/``, its code,
Enter, ``s``) and pages down the new draft's form to its last box: each
field's title — those after a repeatable group too — must have been on the
screen on the way. (Fields shown only in some cases, and the rows of
repeatable groups, are left out: what they hold depends on the data.)
"""

from __future__ import annotations

import json
import re

import pytest
from tmux_terminal import Terminal

from tests.cli.cli_helpers import ROOT

PROCEDURES = ROOT / "portal" / "sandbox" / "procedures"

#: Who starts which procedures: (NRN, acting as, codes).
PEOPLE = {
    "citizen": (
        "86040203095",
        None,
        ["AVIQ-AMENAGEMENT", "CU1", "DOGID", "ENV-DECL-CL3", "PERMIS-PECHE", "PRIME-HABITATION"],
    ),
    "enterprise": (
        "74011920708",
        "0641238591",
        ["CHEQUES-ENTREPRISES", "CHEQUES-FORMATION", "LABEL-PRESTATAIRE", "SESAM"],
    ),
    "non-profit": ("79121217445", "0441208755", ["APE-POINTS", "SUBSIDE-ASSOCIATION"]),
    "ape-employer": ("58050403333", "0453066412", ["APE-GESTION"]),
}
#: The left edge of a notification (toast) box.
TOAST_EDGE = "▌"
#: The end of the form: the attachments box's bottom-left corner (a notification
#: may cover the right of the screen, never its left).
FORM_END = re.compile(r"Attachments[^\n]*\n(?:[^\n]*\n)*? ╰")


def test_every_procedure_is_started_by_someone() -> None:
    codes = {path.stem for path in PROCEDURES.glob("*.json")}
    assert codes == {code for _nrn, _as, listed in PEOPLE.values() for code in listed}


def expected_titles(code: str) -> list[str]:
    """The titles a person must meet: every field not under a condition nor in a row."""
    from tui.forms import schema

    form = json.loads((PROCEDURES / f"{code}.json").read_text(encoding="utf-8"))["form"]
    titles: list[str] = []

    def walk(node: schema.Field) -> None:
        for child in node.children:
            if child.conditional:
                continue
            titles.append(child.title[:24])
            walk(child)  # an array's rows (child.item) depend on the data: not walked

    walk(schema.build(form))
    return titles


def start_procedure(term: Terminal, code: str) -> None:
    term.press("c")
    term.wait_for("Search procedures", what="the catalogue")
    term.wait_for(code, what="the catalogue's list")
    term.press("/")
    term.type(code)
    term.wait_for(f"{code} · v", what=f"{code} in the detail pane")
    term.press("Enter")
    term.press("s")
    # The form's status line ("Status: draft · version 1"), not the dossier's below it.
    term.wait_for(re.compile(r"Status: .* · version \d"), what=f"the form of {code}")


def page_through(term: Terminal) -> str:
    """PageDown to the end of the form; every screen seen on the way, joined.

    First the notifications ("Dossier … created") go, as a person waits for
    them to: they change the screen too, and a change is how a page is known
    to have turned.
    """
    term.wait_for(lambda s: TOAST_EDGE not in s, what="the notifications to go")
    seen = [term.wait_settled("", what="the form's first page")]
    while not FORM_END.search(seen[-1]):
        assert len(seen) < 80, "the form never ends"
        term.press("PageDown")
        seen.append(term.wait_settled(seen[-1], what="the form to scroll"))
    return "\n".join(seen)


@pytest.mark.parametrize("who", sorted(PEOPLE))
def test_every_field_is_visible_when_scrolled_to(open_tui, who: str, monkeypatch) -> None:
    monkeypatch.setenv("LANGUAGE", "en")  # the titles in the TUI's language
    nrn, acting_as, codes = PEOPLE[who]
    # Scrolling without animation: each PageDown lands at once, so every page is read
    # whole (an animated scroll caught half-way would skip lines between two pages).
    term = open_tui(nrn, acting_as=acting_as, env={"TEXTUAL_ANIMATIONS": "none"})
    term.wait_for("Dashboard")
    for code in codes:
        start_procedure(term, code)
        seen = page_through(term)
        missing = [title for title in expected_titles(code) if title not in seen]
        assert not missing, f"{code}: never on screen: {missing}\n{seen}"
        term.press("Escape")  # the form → the dossier
        term.wait_for("e Edit", what="the dossier's keys")
        term.press("Escape")  # → the dashboard
        term.wait_for("Dashboard")
