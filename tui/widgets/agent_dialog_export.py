"""The export dialog: format, columns and the file to write.

It only asks (dismissing with the choices); ``tui.agent_actions`` checks the
file, asks before replacing one, and streams the portal's export into it.
The file name follows the format while the person has not typed their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from textual.widget import Widget
from textual.widgets import Input, Label, RadioButton, RadioSet, SelectionList

from monespace_cli.i18n import _
from tui.widgets.agent_dialogs import ActionDialog, InvalidInput

#: (format, excel, extension) of each choice, in the order shown.
FORMATS = (("csv", False, ".csv"), ("csv", True, ".csv"), ("jsonl", False, ".jsonl"))


def format_labels() -> list[str]:
    return [_("CSV"), _("CSV for Excel (; and BOM)"), _("JSON Lines")]


class ExportDialog(ActionDialog):
    """Choose the format, the fields (default all) and the path of the export."""

    DEFAULT_CSS = """
    ExportDialog RadioSet { width: 100%; height: auto; layout: horizontal; }
    ExportDialog RadioButton { width: auto; margin-right: 2; }
    ExportDialog SelectionList { height: 7; }
    """

    def __init__(self, default_path: Path, fields: tuple[str, ...]) -> None:
        super().__init__(_("Export the queue (current filters)"), _("Export"))
        self.default_path = default_path
        self.all_fields = fields

    def fields(self) -> Iterator[Widget]:
        yield Label(_("Format:"), classes="field-label")
        with RadioSet(id="format", compact=True):
            for index, label in enumerate(format_labels()):
                yield RadioButton(label, value=index == 0)
        yield Label(_("Columns (space toggles):"), classes="field-label")
        yield SelectionList[str](
            *[(name, name, True) for name in self.all_fields], id="fields", compact=True
        )
        yield Label(_("File:"), classes="field-label")
        yield Input(str(self.default_path), id="path")

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    def _choice(self) -> tuple[str, bool, str]:
        index = self.query_one("#format", RadioSet).pressed_index
        return FORMATS[index if index >= 0 else 0]

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        """Follow the format's extension, unless the name was typed by hand."""
        box = self.query_one("#path", Input)
        path = Path(box.value)
        if path.suffix in (".csv", ".jsonl"):
            box.value = str(path.with_suffix(self._choice()[2]))

    def collect(self) -> dict[str, Any]:
        fmt, excel, _suffix = self._choice()
        selected = set(self.query_one("#fields", SelectionList).selected)
        chosen = [name for name in self.all_fields if name in selected]
        if not chosen:
            raise InvalidInput(_("Choose at least one column."))
        text = self.query_one("#path", Input).value.strip()
        if not text:
            raise InvalidInput(_("Give the file to write."))
        path = Path(text).expanduser()
        if path.is_dir():
            raise InvalidInput(_("{path} is a folder: give a file name.").format(path=path))
        if not path.resolve().parent.is_dir():
            message = _("No such folder: {path}")
            raise InvalidInput(message.format(path=path.resolve().parent))
        fields = None if len(chosen) == len(self.all_fields) else chosen
        return {"format": fmt, "excel": excel, "fields": fields, "path": path}
