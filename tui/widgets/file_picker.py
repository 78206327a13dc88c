"""Modal dialogs for the file system: pick a file to attach, choose a folder to save to.

A ``DirectoryTree`` in a modal is enough to attach a document to a message
without leaving the keyboard: arrows to move, Enter to pick, ``u`` to go up
a folder (the tree cannot climb above its root on its own), Esc to cancel.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Input, Label

from monespace_cli.i18n import _


class FilePicker(ModalScreen[Path | None]):
    """Choose one file; dismissed with its path, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", _("Cancel")),
        Binding("u", "up", _("Parent folder")),
    ]

    DEFAULT_CSS = """
    FilePicker { align: center middle; }
    FilePicker > Vertical {
        width: 90%; height: 80%; border: round $accent; background: $surface;
    }
    FilePicker #picker-title { text-style: bold; padding: 0 1; }
    FilePicker #picker-folder { color: $text-muted; padding: 0 1; }
    """

    def __init__(self, start: Path, title: str | None = None) -> None:
        super().__init__()
        self.folder = start.resolve()
        self._title = title or _("Choose a file (Enter), u: parent folder, Esc: cancel")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, id="picker-title")
            yield Label(str(self.folder), id="picker-folder", markup=False)
            yield DirectoryTree(self.folder, id="picker-tree")

    def on_mount(self) -> None:
        self.query_one(DirectoryTree).focus()

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.dismiss(Path(event.path))

    def action_up(self) -> None:
        parent = self.folder.parent
        if parent == self.folder:
            return
        self.folder = parent
        self.query_one(DirectoryTree).path = parent
        self.query_one("#picker-folder", Label).update(str(parent))

    def action_cancel(self) -> None:
        self.dismiss(None)


class FolderPrompt(ModalScreen[Path | None]):
    """Type (or accept) the folder to save a file in."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", _("Cancel"))]

    DEFAULT_CSS = """
    FolderPrompt { align: center middle; }
    FolderPrompt > Vertical {
        width: 70; max-width: 100%; height: auto; border: round $accent;
        background: $surface; padding: 0 1;
    }
    """

    def __init__(self, start: Path, question: str) -> None:
        super().__init__()
        self.start = start
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question, markup=False)
            yield Input(str(self.start), id="folder")
            yield Label(_("Enter to save, Esc to cancel."))

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        self.dismiss(Path(value).expanduser() if value else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
