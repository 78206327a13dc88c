"""The queue's preview pane: the highlighted dossier as an agent opens it.

What an agent needs before acting, in one scrolling pane: the summary
line (status, applicant, assignee, due dates), the form data, the
attachments (of the dossier and of its messages — open one with the
system viewer, or save it), the message thread, the history (with the
agent-only ``assigned`` and ``note`` events) and the service's private notes.

Loading is the screen's job (debounced, cached per dossier version,
because opening a dossier writes the applicant's access log), and so is
saving an attachment; this widget only draws a :class:`Preview` and says
which attachment is under its cursor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Label, Static

from monespace_cli.i18n import _
from tui import format as fmt


@dataclass
class Preview:
    """One dossier as the back office shows it (``agent_dossier`` + thread + history)."""

    dossier: dict[str, Any]
    messages: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, int]:
        return str(self.dossier.get("id")), int(self.dossier.get("version") or 0)

    def attachments(self) -> list[dict[str, Any]]:
        """The dossier's attachments, then those of its messages (oldest first)."""
        found = [dict(a, origin=_("dossier")) for a in self.dossier.get("attachments") or []]
        for message in self.messages:
            for attachment in message.get("attachments") or []:
                found.append(dict(attachment, origin=_("message")))
        return found


def load_preview(client: Any, dossier_id: str, purpose: str | None = None) -> Preview:
    """Read a dossier, its thread and its history (blocking; the dossier read is logged)."""
    dossier = dict(client.agent_dossier(dossier_id, purpose=purpose))
    messages = [dict(m) for m in client.agent_messages(dossier_id)]
    history = [dict(e) for e in client.agent_history(dossier_id)]
    return Preview(dossier, messages, history)


def data_lines(data: Any, prefix: str = "") -> list[str]:
    """Form data as ``field: value`` lines (nested objects dotted, lists numbered)."""
    lines: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            lines.extend(data_lines(value, f"{prefix}{key}."))
    elif isinstance(data, list):
        for index, value in enumerate(data, start=1):
            lines.extend(data_lines(value, f"{prefix}{index}."))
    else:
        shown = "" if data is None else str(data)
        lines.append(f"{prefix.rstrip('.')}: {shown}")
    return lines


def summary_text(dossier: dict[str, Any]) -> str:
    applicant = dossier.get("applicant") or {}
    assigned = (dossier.get("assigned_to") or {}).get("name") or _("nobody")
    lines = [
        f"{fmt.ref(dossier.get('id'))} — {dossier.get('title') or dossier.get('procedure')}",
        _("Status: {status} · applicant: {who} ({id})").format(
            status=fmt.status_label(dossier.get("status")),
            who=applicant.get("name", ""),
            id=applicant.get("id", ""),
        ),
        _("Assigned to: {who} · decision due: {due}{late}").format(
            who=assigned,
            due=fmt.day(dossier.get("decision_due_at")),
            late=" (" + _("overdue") + ")" if dossier.get("overdue") else "",
        ),
    ]
    if dossier.get("due_at"):
        lines.append(_("Complement due: {due}").format(due=fmt.day(dossier.get("due_at"))))
    return "\n".join(lines)


def message_lines(messages: list[dict[str, Any]]) -> str:
    if not messages:
        return _("No messages.")
    out = []
    for message in messages:
        author = message.get("author") or {}
        tag = " [" + _("complement request") + "]" if message.get("complement_request") else ""
        out.append(f"{fmt.when(message.get('created_at'))} {author.get('name', '')}{tag}")
        out.append("  " + " ".join(str(message.get("body", "")).split()))
    return "\n".join(out)


def history_lines(events: list[dict[str, Any]]) -> str:
    if not events:
        return _("No history.")
    out = []
    for event in events:
        actor = (event.get("actor") or {}).get("name", "")
        change = ""
        if event.get("type") in ("status_changed", "submitted"):
            change = f"{fmt.status_label(event.get('old'))} → {fmt.status_label(event.get('new'))}"
        elif event.get("type") == "assigned":
            change = str(event.get("new") or "—")
        what = fmt.event_label(event.get("type"))
        out.append(f"{fmt.when(event.get('at'))} {what} {actor} {change}".rstrip())
    return "\n".join(out)


def note_lines(notes: list[dict[str, Any]]) -> str:
    if not notes:
        return _("No notes.")
    out = []
    for note in notes:
        author = (note.get("author") or {}).get("name", "")
        out.append(f"{fmt.when(note.get('created_at'))} {author}")
        out.append("  " + " ".join(str(note.get("body", "")).split()))
    return "\n".join(out)


class AgentPreview(VerticalScroll):
    """The highlighted dossier, read-only."""

    DEFAULT_CSS = """
    AgentPreview { padding: 0 1; }
    AgentPreview .pv-title { text-style: bold; background: $boost; width: 1fr; margin-top: 1; }
    AgentPreview #pv-summary { text-style: bold; }
    AgentPreview #pv-attachments { height: auto; max-height: 8; }
    AgentPreview .pv-muted { color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.preview: Preview | None = None

    def compose(self) -> ComposeResult:
        yield Static(_("No dossier highlighted."), id="pv-summary", markup=False)
        yield Label(_("Data"), classes="pv-title")
        yield Static("", id="pv-data", markup=False)
        yield Label(_("Attachments (o open, w save)"), classes="pv-title")
        table: DataTable[str] = DataTable(cursor_type="row", id="pv-attachments")
        table.add_columns(_("File"), _("Kind"), _("Size"), _("From"))
        yield table
        yield Label(_("Messages"), classes="pv-title")
        yield Static("", id="pv-messages", markup=False)
        yield Label(_("History"), classes="pv-title")
        yield Static("", id="pv-history", markup=False)
        yield Label(_("Notes"), classes="pv-title")
        yield Static("", id="pv-notes", markup=False)

    def show_loading(self, dossier_id: str) -> None:
        self.query_one("#pv-summary", Static).update(
            _("Loading {id}…").format(id=fmt.ref(dossier_id))
        )

    def show_empty(self, filtered: bool = False) -> None:
        """Nothing to preview: an empty list says why (the filter), not "no highlight"."""
        self.preview = None
        text = _("No dossier matches this filter.") if filtered else _("No dossier highlighted.")
        self.query_one("#pv-summary", Static).update(text)
        for name in ("data", "messages", "history", "notes"):
            self.query_one(f"#pv-{name}", Static).update("")
        self.query_one("#pv-attachments", DataTable).clear()

    def show(self, preview: Preview) -> None:
        """Draw a loaded dossier (and scroll back to its top when it is another one)."""
        other = self.preview is None or self.preview.key[0] != preview.key[0]
        self.preview = preview
        dossier = preview.dossier
        self.query_one("#pv-summary", Static).update(summary_text(dossier))
        data = "\n".join(data_lines(dossier.get("data") or {})) or _("No data.")
        self.query_one("#pv-data", Static).update(data)
        table = self.query_one("#pv-attachments", DataTable)
        table.clear()
        for index, attachment in enumerate(preview.attachments()):
            table.add_row(
                str(attachment.get("filename", "")),
                str(attachment.get("kind", "")),
                _size(attachment.get("size")),
                str(attachment.get("origin", "")),
                key=str(index),
            )
        self.query_one("#pv-messages", Static).update(message_lines(preview.messages))
        self.query_one("#pv-history", Static).update(history_lines(preview.history))
        self.query_one("#pv-notes", Static).update(note_lines(list(dossier.get("notes") or [])))
        if other:
            self.scroll_home(animate=False)

    def current_attachment(self) -> dict[str, Any] | None:
        """The attachment under the attachments table's cursor (the first one by default)."""
        if self.preview is None:
            return None
        attachments = self.preview.attachments()
        if not attachments:
            return None
        row = self.query_one("#pv-attachments", DataTable).cursor_row
        return attachments[row] if 0 <= row < len(attachments) else attachments[0]


def _size(value: Any) -> str:
    try:
        size = int(value)
    except (TypeError, ValueError):
        return ""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} kB"
    return f"{size / 1024 / 1024:.1f} MB"
