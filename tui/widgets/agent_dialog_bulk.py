"""The bulk run's two dialogs: its progress, and its summary (dry run or done).

Why a summary before anything is written: an agent about to refuse 300
dossiers must see what would change and what would not, and why, before
confirming. The same dialog then reports what the real run did. Reasons are
grouped ("changed: 2, not allowed in status accepted: 5") so a long list
reads at a glance; every dossier is still listed below, in a scrollable table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label, ProgressBar

from monespace_cli.i18n import _

OUTCOMES = ("changed", "skipped", "failed")


def outcome_label(outcome: str) -> str:
    return {"changed": _("changed"), "skipped": _("skipped"), "failed": _("failed")}.get(
        outcome, outcome
    )


def count_outcomes(results: Sequence[dict[str, Any]]) -> dict[str, int]:
    """``{"changed": n, "skipped": n, "failed": n}`` counted from the results themselves."""
    counts = Counter(str(r.get("outcome")) for r in results)
    return {outcome: counts.get(outcome, 0) for outcome in OUTCOMES}


def grouped_reasons(results: Sequence[dict[str, Any]], outcome: str) -> list[tuple[str, int]]:
    """The reasons of one outcome with how many dossiers each, most frequent first."""
    reasons = Counter(
        str(r.get("reason") or _("no reason given")) for r in results if r.get("outcome") == outcome
    )
    return sorted(reasons.items(), key=lambda pair: (-pair[1], pair[0]))


def summary_lines(results: Sequence[dict[str, Any]], dry_run: bool) -> list[str]:
    """The three headline lines: will change / changed N, skipped M (why), failed K (why)."""
    counts = count_outcomes(results)
    first = _("Will change: {n}") if dry_run else _("Changed: {n}")
    lines = [first.format(n=counts["changed"])]
    for outcome, text in (("skipped", _("Skipped: {n}")), ("failed", _("Failed: {n}"))):
        line = text.format(n=counts[outcome])
        reasons = grouped_reasons(results, outcome)
        if reasons:
            line += " (" + ", ".join(f"{reason}: {n}" for reason, n in reasons) + ")"
        lines.append(line)
    return lines


class BulkSummaryDialog(ModalScreen[bool]):
    """What a bulk run would do (confirm to apply) or did (close); True = apply."""

    DEFAULT_CSS = """
    BulkSummaryDialog { align: center middle; }
    BulkSummaryDialog > Vertical {
        width: 78; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    BulkSummaryDialog #bulk-title { text-style: bold; width: 100%; }
    BulkSummaryDialog .count { width: 100%; }
    BulkSummaryDialog #count-changed { color: $text-success; }
    BulkSummaryDialog #count-failed { color: $text-error; }
    BulkSummaryDialog DataTable { height: auto; max-height: 12; margin: 1 0; }
    BulkSummaryDialog Horizontal { height: auto; align-horizontal: right; }
    BulkSummaryDialog Button { margin: 0 0 0 2; min-width: 10; }
    BulkSummaryDialog #bulk-hint { color: $text-muted; width: 100%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close(False)", _("Cancel")),
        Binding("ctrl+s", "apply", _("Apply"), priority=True),
    ]

    def __init__(self, title: str, results: Sequence[dict[str, Any]], *, dry_run: bool) -> None:
        super().__init__()
        self.title_text = title
        self.results = [dict(r) for r in results]
        self.dry_run = dry_run
        self.will_change = count_outcomes(self.results)["changed"]

    @property
    def can_apply(self) -> bool:
        return self.dry_run and self.will_change > 0

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, id="bulk-title", markup=False)
            for outcome, line in zip(
                OUTCOMES, summary_lines(self.results, self.dry_run), strict=True
            ):
                yield Label(line, id=f"count-{outcome}", classes="count", markup=False)
            table: DataTable[str] = DataTable(cursor_type="row", zebra_stripes=True, id="results")
            table.add_columns(_("Dossier"), _("Status"), _("Outcome"), _("Reason"))
            for r in self.results:
                change = f"{r.get('old_status') or '-'} → {r.get('new_status') or '-'}"
                outcome = outcome_label(str(r.get("outcome")))
                table.add_row(str(r.get("id")), change, outcome, str(r.get("reason") or ""))
            yield table
            with Horizontal():
                if self.can_apply:
                    label = _("Apply to {n}").format(n=self.will_change)
                    yield Button(label, variant="warning", id="apply", compact=True)
                    yield Button(_("Cancel"), id="cancel", compact=True)
                else:
                    yield Button(_("Close"), variant="primary", id="cancel", compact=True)
            yield Label(self._hint(), id="bulk-hint")

    def _hint(self) -> str:
        if self.can_apply:
            return _("Enter: apply · Esc: cancel (nothing is changed) · Tab: the list")
        return _("Enter or Esc: close · Tab: the list")

    def on_mount(self) -> None:
        self.query_one("#apply" if self.can_apply else "#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "apply")

    def action_close(self, apply: bool) -> None:
        self.dismiss(apply)

    def action_apply(self) -> None:
        """ctrl+s, as in every dialog: apply, when the dry run found something to apply."""
        self.dismiss(self.can_apply)


class BulkProgressDialog(ModalScreen[None]):
    """A bulk run under way: how many dossiers are done; Esc stops after the current batch.

    Stopping between batches is safe: each dossier is its own transaction on
    the portal, so what was sent is done and what was not is untouched.
    """

    DEFAULT_CSS = """
    BulkProgressDialog { align: center middle; }
    BulkProgressDialog > Vertical {
        width: 60; max-width: 100%; height: auto;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    BulkProgressDialog Label { width: 100%; }
    BulkProgressDialog #progress-hint { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "stop", _("Stop"))]

    def __init__(self, title: str, total: int) -> None:
        super().__init__()
        self.title_text = title
        self.total = total
        #: Read by the worker between batches.
        self.stop_requested = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, id="progress-title", markup=False)
            yield ProgressBar(total=self.total, show_eta=False, id="bar")
            yield Label(self._done_text(0), id="progress-count")
            yield Label(_("Esc: stop after this batch"), id="progress-hint")

    def _done_text(self, done: int) -> str:
        return _("{done} / {total} dossiers").format(done=done, total=self.total)

    def advance(self, done: int) -> None:
        """Called (on the UI thread) after each batch with the dossiers done so far."""
        if not self.is_mounted:
            return
        self.query_one("#bar", ProgressBar).update(progress=done)
        self.query_one("#progress-count", Label).update(self._done_text(done))

    def action_stop(self) -> None:
        self.stop_requested = True
        self.query_one("#progress-hint", Label).update(_("Stopping after this batch…"))
