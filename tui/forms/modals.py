"""The form screen's dialogs: pick a file, confirm a submit, a stale draft.

Each is a ``ModalScreen`` that answers with ``dismiss(result)``, so the form
screen pushes it with a callback and never waits on the UI thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Input, Label, Select, Static

from monespace_cli.i18n import _, pick_language

_DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 90%; max-width: 100; height: auto; max-height: 90%;
    border: thick $primary; background: $surface; padding: 0 1;
}}
{name} .dialog-title {{ text-style: bold; margin-bottom: 1; }}
{name} .buttons {{ height: auto; align-horizontal: right; margin-top: 1; }}
{name} .buttons > Button {{ margin-left: 1; }}
"""


def first_to_attach(kinds: list[dict[str, Any]], attached: set[str]) -> str | None:
    """The kind a person most likely attaches next: a required one still without a file,
    else any one without a file, else the first."""
    missing = [k for k in kinds if k["kind"] not in attached]
    required = [k for k in missing if k.get("required")]
    found = required or missing or kinds
    return str(found[0]["kind"]) if found else None


class FilePicker(ModalScreen[tuple[str, Path] | None]):
    """Choose the attachment kind and a file: type a path or browse the tree."""

    DEFAULT_CSS = (
        _DIALOG_CSS.format(name="FilePicker")
        + "FilePicker DirectoryTree { height: 12; } FilePicker .error { color: $error; }"
    )
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(
        self,
        kinds: list[dict[str, Any]],
        kind: str | None,
        start: Path,
        attached: set[str] | None = None,
    ) -> None:
        super().__init__()
        self.kinds = kinds
        self.kind = kind or first_to_attach(kinds, attached or set())
        self.start = start

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("Attach a file"), classes="dialog-title")
            yield Select(
                [(pick_language(k.get("title")) or k["kind"], k["kind"]) for k in self.kinds],
                value=self.kind if self.kind else Select.NULL,
                allow_blank=False,
                id="picker-kind",
            )
            yield Static(self._accepted(), id="picker-types")
            yield Input(placeholder=_("Path of the file (Enter to attach)"), id="picker-path")
            yield DirectoryTree(self.start, id="picker-tree")
            yield Static("", classes="error", id="picker-error")
            with Horizontal(classes="buttons"):
                yield Button(_("Cancel"), id="picker-cancel")

    def on_mount(self) -> None:
        self.query_one("#picker-path", Input).focus()

    def _accepted(self) -> str:
        kind = next((k for k in self.kinds if k["kind"] == self.kind), None)
        types = ", ".join((kind or {}).get("content_types") or []) or "PDF, PNG, JPEG"
        return _("Accepted: {types}").format(types=types)

    def on_select_changed(self, event: Select.Changed) -> None:
        if not isinstance(event.value, str):
            return
        self.kind = event.value
        self.query_one("#picker-types", Static).update(self._accepted())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._pick(Path(event.value.strip()).expanduser())

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self._pick(event.path)

    def _pick(self, path: Path) -> None:
        if not path.is_file():
            self.query_one("#picker-error", Static).update(
                _("No such file: {path}").format(path=path)
            )
            return
        if self.kind is None:
            return
        self.dismiss((self.kind, path))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "picker-cancel":
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmSubmit(ModalScreen[bool]):
    """What will be sent — every field and attachment — before the final "submit"."""

    DEFAULT_CSS = (
        _DIALOG_CSS.format(name="ConfirmSubmit")
        + "ConfirmSubmit VerticalScroll { height: auto; max-height: 16; }"
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "answer(False)", _("Cancel")),
        Binding("ctrl+g,ctrl+s", "answer(True)", _("Submit")),
    ]

    def __init__(self, title: str, lines: list[str], attachments: list[str]) -> None:
        super().__init__()
        self.heading = title
        self.lines = lines
        self.files = attachments

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("Submit {title}?").format(title=self.heading), classes="dialog-title")
            with VerticalScroll(id="summary"):
                yield Static("\n".join(self.lines), id="summary-fields", markup=False)
                yield Label(_("Attachments"), classes="dialog-title")
                yield Static(
                    "\n".join(f"• {f}" for f in self.files) or _("(none)"),
                    id="summary-files",
                    markup=False,
                )
            yield Static(_("Once submitted, the dossier can no longer be edited."))
            with Horizontal(classes="buttons"):
                yield Button(_("Cancel"), id="confirm-no")
                yield Button(_("Submit"), id="confirm-yes", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#confirm-yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class StaleDraft(ModalScreen[bool]):
    """Someone else saved this dossier since it was read: reload (losing edits) or not."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="StaleDraft")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "answer(False)", _("Cancel"))]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("This dossier changed elsewhere"), classes="dialog-title")
            yield Static(
                _(
                    "It was saved by someone else (or another window) since you opened it, "
                    "so your changes were not saved. Reload it to see the current version "
                    "(your unsaved changes are lost), or keep editing and copy them first."
                )
            )
            with Horizontal(classes="buttons"):
                yield Button(_("Keep editing"), id="stale-keep")
                yield Button(_("Reload"), id="stale-reload", variant="warning")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "stale-reload")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class Receipt(ModalScreen[None]):
    """The dossier is submitted: its number, the receipt, and how to pay if there is a fee."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="Receipt")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", _("Close"))]

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("Dossier submitted"), classes="dialog-title")
            yield Static("\n".join(self.lines), id="receipt-text", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(_("Close"), id="receipt-close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#receipt-close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
