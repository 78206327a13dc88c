"""Bulk runs from the keyboard against the real portal: dry run, summary, real run.

The summary of the dry run must say what the real run then does; a dossier
changed between the two is skipped ("changed"), never overwritten.
"""

from __future__ import annotations

from typing import Any

import pytest
from agent_actions_support import AGENT, SUPERVISOR, play, queue_item, until
from textual.widgets import DataTable, Label, OptionList, TextArea

import tui.agent_actions as actions
from tui.widgets.agent_dialog_bulk import OUTCOMES, BulkProgressDialog, BulkSummaryDialog
from tui.widgets.agent_dialogs import AssignDialog, DecideDialog


def _counts(dialog: Any) -> list[str]:
    return [str(dialog.query_one(f"#count-{o}", Label).render()) for o in OUTCOMES]


def _summary(app: Any, dry_run: bool) -> bool:
    return isinstance(app.screen, BulkSummaryDialog) and app.screen.dry_run is dry_run


def test_dry_run_says_what_the_real_run_does(
    portal_server, token, api, new_dossiers, monkeypatch
) -> None:
    monkeypatch.setattr(actions, "CHUNK", 2)  # three requests: the progress moves
    fresh = new_dossiers(3)
    taken, mine = new_dossiers(2)
    api(SUPERVISOR).claim(taken)
    maxime = api(AGENT)
    maxime.claim(mine)
    items = [queue_item(maxime, i) for i in [*fresh, taken, mine]]
    seen: dict[str, Any] = {}

    async def bulk(app, screen, pilot) -> None:
        screen.action, screen.items = "claim", items
        await pilot.press("x")
        await until(pilot, lambda: _summary(app, True))
        dialog = app.screen
        seen["dry"] = _counts(dialog)
        assert dialog.query_one("#results", DataTable).row_count == 5
        await pilot.press("enter")  # "Apply to 3" has the focus
        await until(
            pilot, lambda: isinstance(app.screen, BulkProgressDialog) or _summary(app, False)
        )
        await until(pilot, lambda: _summary(app, False))
        seen["done"] = _counts(app.screen)
        assert screen.changed == [fresh]
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)

    app = play(portal_server.url, token(AGENT), bulk)
    assert not app.errors
    dry, done = seen["dry"], seen["done"]
    assert dry[0] == "Will change: 3" and done[0] == "Changed: 3"
    assert dry[1:] == done[1:]
    assert dry[1] == "Skipped: 1 (unchanged: 1)" and dry[2].startswith("Failed: 1 (")
    for ident in fresh:
        assert queue_item(maxime, ident)["assigned_to"]["nrn"] == AGENT
    assert queue_item(maxime, taken)["assigned_to"]["nrn"] == SUPERVISOR


def test_a_dossier_changed_after_the_dry_run_is_skipped(
    portal_server, token, api, new_dossiers
) -> None:
    first, second = new_dossiers(2)
    maxime, anne = api(AGENT), api(SUPERVISOR)
    items = [queue_item(maxime, i) for i in (first, second)]
    seen: dict[str, Any] = {}

    async def bulk(app, screen, pilot) -> None:
        screen.action, screen.items = "claim", items
        await pilot.press("x")
        await until(pilot, lambda: _summary(app, True))
        seen["dry"] = _counts(app.screen)
        anne.claim(second)  # between the dry run and the confirmation
        anne.release(second)
        await pilot.press("enter")
        await until(pilot, lambda: _summary(app, False))
        seen["done"] = _counts(app.screen)
        assert screen.changed == [[first]]

    app = play(portal_server.url, token(AGENT), bulk)
    assert not app.errors
    assert seen["dry"][:2] == ["Will change: 2", "Skipped: 0"]
    assert seen["done"][:2] == ["Changed: 1", "Skipped: 1 (changed: 1)"]
    assert queue_item(maxime, first)["assigned_to"]["nrn"] == AGENT
    assert queue_item(maxime, second)["assigned_to"] is None  # not overwritten


def test_escape_on_the_summary_changes_nothing(portal_server, token, api, new_dossiers) -> None:
    ids = new_dossiers(2)
    items = [queue_item(api(AGENT), i) for i in ids]

    async def bulk(app, screen, pilot) -> None:
        screen.action, screen.items = "claim", items
        await pilot.press("x")
        await until(pilot, lambda: _summary(app, True))
        await pilot.press("escape")
        await until(
            pilot,
            lambda: app.screen is screen and any("Nothing was changed" in m for m, _s in app.said),
        )
        assert screen.changed == []

    app = play(portal_server.url, token(AGENT), bulk)
    assert any("Nothing was changed" in m for m, _s in app.said)
    assert all(queue_item(api(AGENT), i)["assigned_to"] is None for i in ids)


@pytest.mark.parametrize("outcome", ["refuse"])
def test_bulk_decision(portal_server, token, api, new_dossiers, outcome) -> None:
    ids = new_dossiers(2)
    maxime = api(AGENT)
    for ident in ids:
        maxime.claim(ident)
    items = [queue_item(maxime, i) for i in ids]

    async def bulk(app, screen, pilot) -> None:
        screen.action, screen.items = outcome, items
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, DecideDialog))
        assert "2 dossiers" in str(app.screen.query_one("#dialog-title", Label).render())
        app.screen.query_one("#motivation", TextArea).text = "Hors délai."
        await pilot.press("ctrl+s")
        await until(pilot, lambda: _summary(app, True))
        assert _counts(app.screen)[0] == "Will change: 2"
        await pilot.press("enter")
        await until(pilot, lambda: _summary(app, False))
        assert sorted(screen.changed[0]) == sorted(ids)

    app = play(portal_server.url, token(AGENT), bulk)
    assert not app.errors
    assert {queue_item(maxime, i)["status"] for i in ids} == {"refused"}


def test_bulk_assign_by_a_supervisor(portal_server, token, api, new_dossiers) -> None:
    ids = new_dossiers(2)
    anne = api(SUPERVISOR)
    items = [queue_item(anne, i) for i in ids]

    async def bulk(app, screen, pilot) -> None:
        screen.action, screen.items = "assign", items
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, AssignDialog))
        agents = app.screen.query_one("#agents", OptionList)
        nrns = [agents.get_option_at_index(i).id for i in range(agents.option_count)]
        agents.highlighted = nrns.index(AGENT)
        await pilot.press("enter")
        await until(pilot, lambda: _summary(app, True))
        await pilot.press("enter")
        await until(pilot, lambda: _summary(app, False))

    app = play(portal_server.url, token(SUPERVISOR), bulk)
    assert not app.errors
    assert {queue_item(anne, i)["assigned_to"]["nrn"] for i in ids} == {AGENT}


def _stop_after_first_batch(monkeypatch, *, dry_run: bool) -> None:
    """As if Esc were pressed while the first batch of the given run is under way."""
    original = BulkProgressDialog.advance

    def advance(self: BulkProgressDialog, done: int) -> None:
        original(self, done)
        if self.title_text.startswith("Dry run") == dry_run:
            self.action_stop()

    monkeypatch.setattr(BulkProgressDialog, "advance", advance)
    monkeypatch.setattr(actions, "CHUNK", 1)


def test_stopping_the_dry_run_changes_nothing(
    portal_server, token, api, new_dossiers, monkeypatch
) -> None:
    _stop_after_first_batch(monkeypatch, dry_run=True)
    ids = new_dossiers(2)
    items = [queue_item(api(AGENT), i) for i in ids]

    async def bulk(app, screen, pilot) -> None:
        screen.action, screen.items = "claim", items
        await pilot.press("x")
        await until(pilot, lambda: any("Dry run stopped" in m for m, _s in app.said))
        assert app.screen is screen and screen.changed == []

    play(portal_server.url, token(AGENT), bulk)
    assert all(queue_item(api(AGENT), i)["assigned_to"] is None for i in ids)


def test_stopping_the_real_run_keeps_what_was_done(
    portal_server, token, api, new_dossiers, monkeypatch
) -> None:
    _stop_after_first_batch(monkeypatch, dry_run=False)
    ids = new_dossiers(3)
    maxime = api(AGENT)
    items = [queue_item(maxime, i) for i in ids]
    seen: dict[str, Any] = {}

    async def bulk(app, screen, pilot) -> None:
        screen.action, screen.items = "claim", items
        await pilot.press("x")
        await until(pilot, lambda: _summary(app, True))
        await pilot.press("enter")
        await until(pilot, lambda: _summary(app, False))
        seen["done"] = _counts(app.screen)
        assert screen.changed == [ids[:1]]

    app = play(portal_server.url, token(AGENT), bulk)
    assert not app.errors
    assert seen["done"][:2] == ["Changed: 1", "Skipped: 2 (not sent (stopped): 2)"]
    assigned = [(queue_item(maxime, i)["assigned_to"] or {}).get("nrn") for i in ids]
    assert assigned == [AGENT, None, None]
