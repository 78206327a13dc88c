"""The look of the decision dialog and of the bulk summary at 80×24 (pytest-textual-snapshot).

Both dialogs only show what they are given, so they are pictured with fixed
data in a bare app: no portal, no clock, the same picture on every run.
"""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea

from tui.agent_actions import ACTIONS
from tui.widgets.agent_dialog_bulk import BulkSummaryDialog
from tui.widgets.agent_dialogs import DecideDialog, dossier_line

ITEM = {
    "id": "MSP-2026-000042",
    "title": "Chèques-Entreprises",
    "applicant": {"kind": "organisation", "id": "0856712314", "name": "Fiduciaire Meuse & Sambre"},
}

RESULTS = [
    {"id": f"MSP-2026-0001{n:02d}", "version": 3, "outcome": "changed"}
    | {"old_status": "in_review", "new_status": "refused"}
    for n in range(7)
] + [
    {"id": "MSP-2026-000201", "version": 5, "outcome": "skipped", "reason": "changed"},
    {"id": "MSP-2026-000202", "version": 2, "outcome": "skipped", "reason": "unchanged"},
    {"id": "MSP-2026-000203", "version": 4, "outcome": "failed", "reason": "not in review"},
    {"id": "MSP-2026-000204", "version": 4, "outcome": "failed", "reason": "not in review"},
]
for result in RESULTS[7:]:
    result.update(old_status="accepted", new_status="accepted")


class DialogApp(App[None]):
    """Shows one dialog over an empty screen."""

    def __init__(self, dialog: ModalScreen[Any]) -> None:
        super().__init__()
        self.dialog = dialog

    def compose(self) -> ComposeResult:
        yield Label("queue")

    def on_mount(self) -> None:
        self.push_screen(self.dialog)


def test_refuse_dialog_snapshot(snap_compare: Any) -> None:
    dialog = DecideDialog("refuse", f"{ACTIONS['refuse']}: {dossier_line(ITEM)}")

    async def fill(pilot: Any) -> None:
        await pilot.pause()
        for area in dialog.query(TextArea):
            area.cursor_blink = False
        dialog.query_one(
            "#motivation", TextArea
        ).text = "Le dossier ne contient pas la convention signée par les deux parties."
        await pilot.pause()

    assert snap_compare(DialogApp(dialog), terminal_size=(80, 24), run_before=fill)


def test_bulk_summary_snapshot(snap_compare: Any) -> None:
    dialog = BulkSummaryDialog("Dry run: Refuse on 11 dossiers", RESULTS, dry_run=True)
    assert snap_compare(DialogApp(dialog), terminal_size=(80, 24))
