"""The small dialogs of an agent's daily actions on one dossier (or one bulk run's parameters).

Why every dialog only *asks* (it dismisses with the parameters, or None): the
calls, the version checks and the notifications live in ``tui.agent_actions``,
so a dialog can be shown, tested and pictured without a portal, and the same
decision dialog serves one dossier and a bulk run.

Keys are the same everywhere: Enter confirms (in a one-line field or on a
button), Escape cancels, Tab moves between fields. A multi-line text keeps
Enter for new lines, so Ctrl+S confirms from anywhere as well. Invalid input
is named inline, in the dialog, and the dialog stays open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from monespace_cli.dates import DateError, parse_date
from monespace_cli.i18n import _
from tui.widgets.file_picker import FilePicker

#: Limits of the portal (docs/api.md, "Back office: agents").
MOTIVATION_MAX = 10_000
APPEAL_MAX = 2_000

DIALOG_CSS = """
ActionDialog { align: center middle; }
ActionDialog > #dialog {
    width: 76; max-width: 100%; height: auto; max-height: 100%; overflow-y: auto;
    border: thick $accent; background: $surface; padding: 0 1;
}
ActionDialog #dialog-title { text-style: bold; width: 100%; }
ActionDialog .field-label { color: $text-muted; margin-top: 1; }
ActionDialog TextArea { height: 5; }
ActionDialog TextArea.short { height: 3; }
ActionDialog #dialog-error { color: $error; text-style: bold; height: auto; }
ActionDialog #dialog-buttons { height: auto; align-horizontal: right; }
ActionDialog #dialog-buttons Button { margin: 0 0 0 2; min-width: 10; }
ActionDialog #dialog-hint { color: $text-muted; width: 100%; }
ActionDialog OptionList { height: auto; max-height: 10; }
"""


class InvalidInput(ValueError):
    """What is wrong with the dialog's input, as the sentence shown inline."""


def dossier_line(item: dict[str, Any]) -> str:
    """``MSP-2026-000042 · Title — Applicant``: how a dialog names the dossier."""
    applicant = (item.get("applicant") or {}).get("name") or ""
    title = item.get("title") or item.get("procedure") or ""
    text = f"{item.get('id')} · {title}"
    return f"{text} — {applicant}" if applicant else text


class ActionDialog(ModalScreen[dict[str, Any] | None]):
    """A titled dialog with fields, an inline error line, Confirm and Cancel.

    Subclasses yield their fields from :meth:`fields` and turn them into the
    action's parameters in :meth:`collect` (raising :class:`InvalidInput`).
    """

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", _("Cancel")),
        Binding("ctrl+s", "confirm", _("Confirm"), priority=True),
    ]
    #: Whether a field takes several lines (then Enter is a new line there).
    multiline = False
    confirm_variant = "primary"

    def __init__(self, title: str, confirm_label: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.confirm_label = confirm_label or _("Confirm")

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title", markup=False)
            yield from self.fields()
            yield Label("", id="dialog-error", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button(
                    self.confirm_label,
                    variant=self.confirm_variant,  # type: ignore[arg-type]
                    id="confirm",
                    compact=True,
                )
                yield Button(_("Cancel"), id="cancel", compact=True)
            yield Label(self.hint(), id="dialog-hint")

    def fields(self) -> Iterator[Widget]:
        """The dialog's input widgets (none: a plain confirmation)."""
        return iter(())

    def hint(self) -> str:
        if self.multiline:
            return _("Ctrl+S: confirm · Esc: cancel · Tab: next field")
        return _("Enter: confirm · Esc: cancel · Tab: next field")

    def collect(self) -> dict[str, Any]:
        """The parameters of the action, checked; :class:`InvalidInput` says what is wrong."""
        return {}

    def show_error(self, message: str) -> None:
        self.query_one("#dialog-error", Label).update(message)

    def action_confirm(self) -> None:
        try:
            params = self.collect()
        except InvalidInput as problem:
            self.show_error(str(problem))
            return
        self.dismiss(params)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "confirm":
            self.action_confirm()
        else:
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()


class ConfirmActionDialog(ActionDialog):
    """Claim or release: "are you sure?", naming the dossier; Enter confirms."""

    def __init__(self, title: str, question: str, confirm_label: str) -> None:
        super().__init__(title, confirm_label)
        self.question = question

    def fields(self) -> Iterator[Widget]:
        yield Label(self.question, markup=False)

    def on_mount(self) -> None:
        self.query_one("#confirm", Button).focus()


def agent_label(agent: dict[str, Any], services: Sequence[str] = ()) -> str:
    """``Name (NRN) · supervisor · SPW-EER``: one agent in the assign list."""
    parts = [f"{agent.get('name') or agent.get('nrn')} ({agent.get('nrn')})"]
    if agent.get("role") == "supervisor":
        parts.append(_("supervisor"))
    if services:
        parts.append(", ".join(services))
    return " · ".join(parts)


class AssignDialog(ActionDialog):
    """Choose the agent to give the dossier(s) to; Enter on a line confirms."""

    def __init__(
        self, title: str, agents: Sequence[tuple[str, str]], current: str | None = None
    ) -> None:
        """``agents``: ``(nrn, label)`` pairs; ``current`` the present assignee's NRN."""
        super().__init__(title, _("Assign"))
        self.agents = list(agents)
        self.current = current

    def fields(self) -> Iterator[Widget]:
        yield Label(_("Give it to:"), classes="field-label")
        options = [
            Option(label + (f"  ← {_('now')}" if nrn == self.current else ""), id=nrn)
            for nrn, label in self.agents
        ]
        yield OptionList(*options, id="agents")

    def on_mount(self) -> None:
        agents = self.query_one("#agents", OptionList)
        agents.highlighted = 0 if self.agents else None
        agents.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_confirm()

    def collect(self) -> dict[str, Any]:
        agents = self.query_one("#agents", OptionList)
        if agents.highlighted is None:
            raise InvalidInput(_("Choose an agent."))
        nrn = agents.get_option_at_index(agents.highlighted).id
        if nrn == self.current:
            raise InvalidInput(_("The dossier is already with this agent."))
        return {"nrn": nrn}


def required_text(area: TextArea, empty: str, limit: int) -> str:
    """The text of a required multi-line field (``empty``: what to say when there is none)."""
    text = area.text.strip()
    if not text:
        raise InvalidInput(empty)
    if len(text) > limit:
        message = _("The text is {n} characters long: at most {limit}.")
        raise InvalidInput(message.format(n=len(text), limit=limit))
    return text


class NoteDialog(ActionDialog):
    """A private note for the service's agents (never shown to the applicant)."""

    multiline = True

    def fields(self) -> Iterator[Widget]:
        yield Label(_("Note (only agents of the service see it):"), classes="field-label")
        yield TextArea(id="body")

    def on_mount(self) -> None:
        self.query_one("#body", TextArea).focus()

    def collect(self) -> dict[str, Any]:
        return {
            "body": required_text(self.query_one("#body", TextArea), _("Write the note."), 10_000)
        }


def due_date(text: str, today: dt.date) -> str:
    """The due date as ISO text, in the future; the CLI's date rule (``--due``) is the one used."""
    if not text.strip():
        raise InvalidInput(_("Give the due date."))
    try:
        iso = parse_date(text, relative=True, today=today)
    except DateError:
        message = _("{value!r} is not a date: type dd/mm/yyyy or +Nd (days from today).")
        raise InvalidInput(message.format(value=text.strip())) from None
    if dt.date.fromisoformat(iso) <= today:
        raise InvalidInput(_("The due date must be after today ({iso}).").format(iso=iso))
    return iso


#: How the files the portal accepts begin (it checks the content, not the name).
FILE_SIGNATURES = (b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def acceptable_file(path: Path) -> bool:
    """Whether ``path`` is a PDF, PNG or JPEG file, told by its first bytes."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        return False
    return head.startswith(FILE_SIGNATURES)


class ComplementDialog(ActionDialog):
    """Ask the applicant for more: message, due date, optional files (when uploads exist)."""

    multiline = True
    DEFAULT_CSS = """
    ComplementDialog .due-row, ComplementDialog .files-row { height: auto; }
    ComplementDialog #due { width: 24; }
    ComplementDialog #due-resolved { padding: 1 1; }
    ComplementDialog .files-row { margin-top: 1; }
    ComplementDialog #files { padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        *ActionDialog.BINDINGS,
        Binding("ctrl+f", "attach", _("Attach a file")),
    ]

    def __init__(self, title: str, *, files_dir: Path, today: dt.date | None = None) -> None:
        super().__init__(title, _("Request"))
        self.files_dir = files_dir
        self.today = today or dt.date.today()
        self.files: list[Path] = []

    def fields(self) -> Iterator[Widget]:
        yield Label(_("Message to the applicant:"), classes="field-label")
        yield TextArea(id="message")
        yield Label(_("Due date (dd/mm/yyyy or +Nd):"), classes="field-label")
        with Horizontal(classes="due-row"):
            yield Input("+14d", id="due")
            yield Label("", id="due-resolved", markup=False)
        with Horizontal(classes="files-row"):
            yield Button(_("Attach a file (ctrl+f)"), id="attach", compact=True)
            yield Label(_("No file."), id="files", markup=False)

    def on_mount(self) -> None:
        self.query_one("#message", TextArea).focus()
        self._show_due(self.query_one("#due", Input).value)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "due":
            self._show_due(event.value)

    def _show_due(self, text: str) -> None:
        try:
            shown = "→ " + due_date(text, self.today)
        except InvalidInput:
            shown = ""
        self.query_one("#due-resolved", Label).update(shown)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "attach":
            event.stop()
            self.action_attach()
            return
        super().on_button_pressed(event)

    def action_attach(self) -> None:
        self.app.push_screen(FilePicker(self.files_dir), self._attached)

    def _attached(self, path: Path | None) -> None:
        if path is None:
            return
        if not acceptable_file(path):
            message = _("{name}: the portal takes PDF, PNG or JPEG files only.")
            self.show_error(message.format(name=path.name))
            return
        self.show_error("")
        if path not in self.files:
            self.files.append(path)
        names = ", ".join(p.name for p in self.files)
        self.query_one("#files", Label).update(names)

    def collect(self) -> dict[str, Any]:
        area = self.query_one("#message", TextArea)
        message = required_text(area, _("Write the message."), 10_000)
        due = due_date(self.query_one("#due", Input).value, self.today)
        return {"message": message, "due_date": due, "files": list(self.files)}


class DecideDialog(ActionDialog):
    """Accept or refuse with a motivation (required) and optional appeal text.

    The outcome is said in words and in colour (refusal in the error colour),
    so nobody refuses a dossier believing they accept it.
    """

    multiline = True

    DEFAULT_CSS = """
    DecideDialog.-accept > #dialog { border: thick $success; }
    DecideDialog.-refuse > #dialog { border: thick $error; }
    DecideDialog #outcome { text-style: bold; width: 100%; }
    DecideDialog.-accept #outcome { color: $text-success; }
    DecideDialog.-refuse #outcome { color: $text-error; }
    DecideDialog #count { color: $text-muted; width: 100%; }
    """

    def __init__(self, outcome: str, title: str) -> None:
        self.outcome = outcome
        label = _("Accept") if outcome == "accept" else _("Refuse")
        super().__init__(title, label)
        self.confirm_variant = "success" if outcome == "accept" else "error"

    def fields(self) -> Iterator[Widget]:
        if self.outcome == "accept":
            text = _("Outcome: ACCEPTED. The applicant receives a sealed decision.")
        else:
            text = _("Outcome: REFUSED. The applicant receives a sealed decision.")
        yield Label(text, id="outcome")
        yield Label(_("Motivation (required):"), classes="field-label")
        yield TextArea(id="motivation")
        yield Label("", id="count")
        yield Label(
            _("Appeal information (empty: the standard text, Conseil d'État, 60 days):"),
            classes="field-label",
        )
        yield TextArea(id="appeal", classes="short")

    def on_mount(self) -> None:
        self.add_class("-accept" if self.outcome == "accept" else "-refuse")
        self.query_one("#motivation", TextArea).focus()
        self._count()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.id == "motivation":
            self._count()

    def _count(self) -> None:
        n = len(self.query_one("#motivation", TextArea).text.strip())
        text = _("{n} / {limit} characters").format(n=n, limit=MOTIVATION_MAX)
        self.query_one("#count", Label).update(text)

    def collect(self) -> dict[str, Any]:
        motivation = required_text(
            self.query_one("#motivation", TextArea), _("Write the motivation."), MOTIVATION_MAX
        )
        params: dict[str, Any] = {"outcome": self.outcome, "motivation": motivation}
        appeal = self.query_one("#appeal", TextArea).text.strip()
        if len(appeal) > APPEAL_MAX:
            message = _("The appeal text is {n} characters long: at most {limit}.")
            raise InvalidInput(message.format(n=len(appeal), limit=APPEAL_MAX))
        if appeal:
            params["appeal"] = appeal
        return params
