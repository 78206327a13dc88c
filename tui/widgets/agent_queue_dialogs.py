"""Two small questions the queue asks: which columns to show, which bulk action to run.

Both are modal screens answering through ``dismiss`` (None = cancelled), so
the queue screen stays the only place that changes the table or calls the
actions module.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, SelectionList
from textual.widgets.option_list import Option

from monespace_cli.i18n import N_, _
from tui.agent_queue_model import COLUMNS

#: The actions of a bulk run on the marked dossiers (names of tui.agent_actions.run_action).
BULK_ACTIONS: tuple[tuple[str, str], ...] = (
    ("claim", N_("Claim")),
    ("release", N_("Release")),
    ("assign", N_("Assign to an agent")),
    ("accept", N_("Accept (decision)")),
    ("refuse", N_("Refuse (decision)")),
)

_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 50; max-width: 100%; height: auto; max-height: 90%;
    border: round $accent; background: $surface; padding: 0 1;
}}
{name} .dialog-title {{ text-style: bold; margin-bottom: 1; }}
{name} .dialog-help {{ color: $text-muted; }}
"""


class ColumnChooser(ModalScreen[set[str] | None]):
    """Tick the columns to show; Enter keeps the choice, Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", _("Cancel")),
        Binding("enter,ctrl+s", "done", _("Apply"), priority=True),
    ]
    DEFAULT_CSS = _CSS.format(name="ColumnChooser")

    def __init__(self, hidden: set[str]) -> None:
        super().__init__()
        self._hidden = set(hidden)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("Columns to show"), classes="dialog-title")
            yield SelectionList[str](
                *((_(header), key, key not in self._hidden) for key, header in COLUMNS),
                id="columns",
            )
            yield Label(_("Space ticks, Enter applies, Esc cancels."), classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_done(self) -> None:
        shown = set(self.query_one(SelectionList).selected)
        self.dismiss({key for key, _h in COLUMNS if key not in shown})

    def action_cancel(self) -> None:
        self.dismiss(None)


class BulkChoice(ModalScreen[str | None]):
    """Which action to run on the marked dossiers."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", _("Cancel"))]
    DEFAULT_CSS = _CSS.format(name="BulkChoice")

    def __init__(self, count: int) -> None:
        super().__init__()
        self._count = count

    def compose(self) -> ComposeResult:
        with Vertical():
            title = _("Bulk action on {n} dossier(s)").format(n=self._count)
            yield Label(title, classes="dialog-title")
            yield OptionList(*(Option(_(label), id=key) for key, label in BULK_ACTIONS))
            yield Label(_("Enter chooses, Esc cancels."), classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
