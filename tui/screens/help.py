"""``?``: every key of the current screen, with what it does.

The footer shows the main keys; this lists all of them (the screen's, its
focused widget's ancestors' and the app's), so that a keyboard-only user
never has to guess. It reads the live binding map rather than a hand-kept
list, so it cannot go stale.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label

from monespace_cli.i18n import _


def screen_bindings(screen: Screen[object]) -> list[tuple[str, str]]:
    """``(key, description)`` of every active binding with a description."""
    rows: list[tuple[tuple[str, str], bool]] = []
    seen: set[tuple[str, str]] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description:
            continue
        shown = screen.app.get_key_display(binding) if binding.key_display is None else None
        # _() again: Textual's own descriptions are msgids (tui/textual_keys.py);
        # ours are already translated and come back unchanged.
        row = (binding.key_display or shown or key, _(binding.description))
        if row not in seen:
            seen.add(row)
            rows.append((row, active.node in (screen, screen.app)))
    # The screen's and the app's keys first: the widgets' navigation keys after.
    return [row for row, own in rows if own] + [row for row, own in rows if not own]


class HelpScreen(ModalScreen[None]):
    """The keys of the screen underneath."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", _("Close")),
        Binding("question_mark", "dismiss", _("Close"), show=False),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 60; max-width: 100%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    HelpScreen #help-title { text-style: bold; margin-bottom: 1; }
    HelpScreen DataTable { height: auto; max-height: 18; }
    """

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self._rows = screen_bindings(screen)
        self._name = type(screen).__name__

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("Keys — press Esc to close"), id="help-title")
            table: DataTable[str] = DataTable(cursor_type="row", zebra_stripes=True)
            table.add_columns(_("Key"), _("Action"))
            for key, description in self._rows:
                table.add_row(key, description)
            yield table

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(None)
