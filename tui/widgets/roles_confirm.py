"""Small modal questions of the roles screen: "are you sure?" and "which one?".

Why modals that answer through ``dismiss``: the screen pushes them with a
callback and carries on, so nothing waits on the UI thread; ``escape``
always means "no" (the convention of every screen of the app).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList

from monespace_cli.i18n import _

MODAL_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 70; max-width: 100%; height: auto; max-height: 100%;
    border: thick $accent; background: $surface; padding: 0 1;
}}
{name} Horizontal {{ height: auto; align-horizontal: right; }}
{name} Button {{ margin: 0 1; min-width: 10; }}
"""


class ConfirmModal(ModalScreen[bool]):
    """Yes/no on a destructive action (revoke, refuse): ``y``/``enter`` yes, ``n``/``escape`` no."""

    DEFAULT_CSS = MODAL_CSS.format(name="ConfirmModal")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,ctrl+s", "answer(True)", _("Yes")),
        Binding("n,escape", "answer(False)", _("No")),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question, id="question")
            with Horizontal():
                yield Button(_("Yes"), variant="error", id="yes")
                yield Button(_("No"), id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ChooseModal(ModalScreen[int | None]):
    """Pick one of several lines (a cell holding more than one role); the index or None."""

    DEFAULT_CSS = MODAL_CSS.format(name="ChooseModal") + "ChooseModal OptionList { height: auto; }"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, title: str, choices: Sequence[str]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text)
            yield OptionList(*self.choices)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)

    def action_cancel(self) -> None:
        self.dismiss(None)
