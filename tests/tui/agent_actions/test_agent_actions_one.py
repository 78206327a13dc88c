"""One dossier at a time, with the keyboard, against the real portal.

Each test files its own dossier as the applicant, acts on it through the
dialog (keys: Enter, Ctrl+S, Esc) and checks the outcome through the API:
the portal's state, what the applicant sees, and the DossiersChanged the
calling screen received.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from agent_actions_support import (
    AGENT,
    APPLICANT,
    FIDUCIAIRE,
    SUPERVISOR,
    play,
    queue_item,
    said,
    until,
)
from textual.widgets import Input, Label, OptionList, TextArea

from monespace_cli.client import PortalClient
from tui.widgets.agent_dialogs import (
    AssignDialog,
    ComplementDialog,
    ConfirmActionDialog,
    DecideDialog,
    NoteDialog,
)


def _prepare(screen: Any, action: str, item: dict[str, Any]) -> None:
    screen.action = action
    screen.items = [item]


def test_claim_then_release(portal_server, token, api, new_dossiers) -> None:
    (ident,) = new_dossiers(1)
    maxime = api(AGENT)
    item = queue_item(maxime, ident)
    assert item["status"] == "submitted" and item["assigned_to"] is None

    async def claim(app, screen, pilot) -> None:
        _prepare(screen, "claim", item)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmActionDialog))
        assert ident in str(app.screen.query_one("#dialog-title", Label).render())
        await pilot.press("enter")
        await until(pilot, lambda: screen.changed)
        assert screen.changed == [[ident]]

    app = play(portal_server.url, token(AGENT), claim)
    assert said(app, f"{ident} is now assigned to you.") and not app.errors
    claimed = queue_item(maxime, ident)
    assert claimed["assigned_to"]["nrn"] == AGENT and claimed["status"] == "in_review"

    async def release(app, screen, pilot) -> None:
        _prepare(screen, "release", claimed)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmActionDialog))
        await pilot.press("enter")
        await until(pilot, lambda: screen.changed)

    app = play(portal_server.url, token(AGENT), release)
    assert said(app, "released") and not app.errors
    assert queue_item(maxime, ident)["assigned_to"] is None


def test_escape_cancels_and_changes_nothing(portal_server, token, api, new_dossiers) -> None:
    (ident,) = new_dossiers(1)
    item = queue_item(api(AGENT), ident)

    async def cancel(app, screen, pilot) -> None:
        _prepare(screen, "claim", item)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmActionDialog))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        # The dialog's answer is handled: a claim would be on its way now.
        assert screen.changed == [] and all(w.is_finished for w in app.workers)

    play(portal_server.url, token(AGENT), cancel)
    assert queue_item(api(AGENT), ident)["version"] == item["version"]


def test_supervisor_assigns_to_an_agent_of_the_service(
    portal_server, token, api, new_dossiers
) -> None:
    (ident,) = new_dossiers(1)
    item = queue_item(api(SUPERVISOR), ident)

    async def assign(app, screen, pilot) -> None:
        _prepare(screen, "assign", item)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, AssignDialog))
        agents = app.screen.query_one("#agents", OptionList)
        ids = [agents.get_option_at_index(i).id for i in range(agents.option_count)]
        assert AGENT in ids and SUPERVISOR in ids
        for _ in range(ids.index(AGENT)):
            await pilot.press("down")
        await pilot.press("enter")
        await until(pilot, lambda: screen.changed)

    app = play(portal_server.url, token(SUPERVISOR), assign)
    assert not app.errors and said(app, f"{ident} assigned to ")
    after = queue_item(api(SUPERVISOR), ident)
    assert after["assigned_to"]["nrn"] == AGENT and after["status"] == "in_review"


def test_an_agent_is_refused_assign_up_front(portal_server, token, api, new_dossiers) -> None:
    (ident,) = new_dossiers(1)
    item = queue_item(api(AGENT), ident)

    async def assign(app, screen, pilot) -> None:
        _prepare(screen, "assign", item)
        await pilot.press("x")
        await until(pilot, lambda: said(app, "Only a supervisor of SPW-EER"))
        assert app.screen is screen and screen.changed == []

    play(portal_server.url, token(AGENT), assign)
    assert queue_item(api(AGENT), ident)["version"] == item["version"]


def test_complement_with_a_due_date_reaches_the_applicant(
    portal_server, token, api, new_dossiers
) -> None:
    (ident,) = new_dossiers(1)
    maxime = api(AGENT)
    maxime.claim(ident)
    item = queue_item(maxime, ident)
    today = dt.date.today()

    async def complement(app, screen, pilot) -> None:
        _prepare(screen, "complement", item)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ComplementDialog))
        dialog = app.screen
        await pilot.press("ctrl+s")  # empty message: said inline, the dialog stays
        assert "Write the message" in str(dialog.query_one("#dialog-error", Label).render())
        await pilot.press(*"Merci", "enter", *"Joignez")
        due = dialog.query_one("#due", Input)
        due.value = "yesterday"
        await pilot.press("ctrl+s")
        assert "is not a date" in str(dialog.query_one("#dialog-error", Label).render())
        due.value = (today + dt.timedelta(days=10)).strftime("%d/%m/%Y")
        await pilot.pause()
        resolved = str(dialog.query_one("#due-resolved", Label).render())
        assert resolved == "→ " + (today + dt.timedelta(days=10)).isoformat()
        due.focus()
        await pilot.press("enter")  # Enter in the one-line field confirms
        await until(pilot, lambda: screen.changed)

    app = play(portal_server.url, token(AGENT), complement)
    assert not app.errors and said(app, f"Complement requested for {ident}")
    assert queue_item(maxime, ident)["status"] == "awaiting_complement"
    applicant = api(APPLICANT, acting_as=FIDUCIAIRE)
    asked = [m for m in applicant.list_messages(ident) if m["complement_request"]]
    assert [m["body"] for m in asked] == ["Merci\nJoignez"]
    assert str(asked[0].get("due_at") or "").startswith((today + dt.timedelta(days=10)).isoformat())


@pytest.mark.skipif(
    not hasattr(PortalClient, "agent_upload_attachment"),
    reason="the client's agent_upload_attachment (helper bo-live) has not landed",
)
def test_complement_with_a_file(
    portal_server, token, api, new_dossiers, tmp_path, pdf_bytes
) -> None:
    (ident,) = new_dossiers(1)
    maxime = api(AGENT)
    maxime.claim(ident)
    item = queue_item(maxime, ident)
    (tmp_path / "modele.pdf").write_bytes(pdf_bytes)

    async def complement(app, screen, pilot) -> None:
        from tui.widgets.file_picker import FilePicker

        _prepare(screen, "complement", item)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ComplementDialog))
        dialog = app.screen
        dialog.query_one("#message", TextArea).text = "Complétez le modèle joint."
        await pilot.press("ctrl+f")
        await until(pilot, lambda: isinstance(app.screen, FilePicker))
        app.screen.dismiss(tmp_path / "modele.pdf")  # the picker's own keys are tui-shell's
        await until(pilot, lambda: app.screen is dialog)
        assert "modele.pdf" in str(dialog.query_one("#files", Label).render())
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen.changed or app.errors)

    app = play(portal_server.url, token(AGENT), complement, files_dir=tmp_path)
    assert not app.errors
    applicant = api(APPLICANT, acting_as=FIDUCIAIRE)
    asked = [m for m in applicant.list_messages(ident) if m["complement_request"]]
    assert [a["filename"] for a in asked[0]["attachments"]] == ["modele.pdf"]


def test_note_lands_in_the_notes(portal_server, token, api, new_dossiers) -> None:
    (ident,) = new_dossiers(1)
    maxime = api(AGENT)
    item = queue_item(maxime, ident)

    async def note(app, screen, pilot) -> None:
        _prepare(screen, "note", item)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, NoteDialog))
        await pilot.press(*"Appeler", "space", *"lundi")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen.changed)

    app = play(portal_server.url, token(AGENT), note)
    assert not app.errors and said(app, f"Note added to {ident}.")
    assert [n["body"] for n in maxime.list_notes(ident)] == ["Appeler lundi"]


@pytest.mark.parametrize("outcome", ["accept", "refuse"])
def test_decision_files_the_document(portal_server, token, api, new_dossiers, outcome) -> None:
    (ident,) = new_dossiers(1)
    maxime = api(AGENT)
    maxime.claim(ident)
    item = queue_item(maxime, ident)

    async def decide(app, screen, pilot) -> None:
        _prepare(screen, outcome, item)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, DecideDialog))
        dialog = app.screen
        shown = str(dialog.query_one("#outcome", Label).render())
        assert ("ACCEPTED" if outcome == "accept" else "REFUSED") in shown
        assert dialog.has_class("-refuse") == (outcome == "refuse")
        await pilot.press("ctrl+s")
        assert "Write the motivation" in str(dialog.query_one("#dialog-error", Label).render())
        dialog.query_one("#motivation", TextArea).text = "x" * 10_001
        await pilot.press("ctrl+s")
        assert "at most 10000" in str(dialog.query_one("#dialog-error", Label).render())
        dialog.query_one("#motivation", TextArea).text = "Dossier complet et conforme."
        await pilot.press("tab", "tab")  # motivation → appeal → the outcome's button
        await pilot.press("enter")
        await until(pilot, lambda: screen.changed)

    app = play(portal_server.url, token(AGENT), decide)
    assert not app.errors and said(app, "the decision is in the applicant's vault")
    expected = "accepted" if outcome == "accept" else "refused"
    assert queue_item(maxime, ident)["status"] == expected
    vault = api(APPLICANT, acting_as=FIDUCIAIRE)
    kinds = [d["kind"] for d in vault.iter_documents() if d["dossier_id"] == ident]
    assert "decision" in kinds


def test_stale_version_is_said_and_nothing_is_overwritten(
    portal_server, token, api, new_dossiers
) -> None:
    (ident,) = new_dossiers(1)
    item = queue_item(api(AGENT), ident)
    anne = api(SUPERVISOR)
    anne.claim(ident)  # meanwhile, the supervisor takes it and gives it back
    anne.release(ident)

    async def claim(app, screen, pilot) -> None:
        _prepare(screen, "claim", item)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmActionDialog))
        await pilot.press("enter")
        await until(pilot, lambda: screen.changed)
        assert screen.changed == [[ident]]

    app = play(portal_server.url, token(AGENT), claim)
    assert said(app, f"{ident} changed meanwhile: reloaded")
    after = queue_item(api(AGENT), ident)
    assert after["assigned_to"] is None and after["version"] == item["version"] + 2


def test_complement_and_note_are_one_at_a_time(portal_server, token, api, new_dossiers) -> None:
    items = [queue_item(api(AGENT), i) for i in new_dossiers(2)]

    async def several(app, screen, pilot) -> None:
        screen.action, screen.items = "note", items
        await pilot.press("x")
        await until(pilot, lambda: said(app, "one dossier at a time"))
        assert app.screen is screen

    play(portal_server.url, token(AGENT), several)
