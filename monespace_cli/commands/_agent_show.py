"""The agent's view of one dossier: what ``agent show`` prints for people.

Built on the applicant's view (:func:`monespace_cli.commands.dossier.render_dossier`
for the summary, data and attachments, prefilled fields marked) with what
only the back office has: service, assignee, legal decision date, messages,
the private notes and the history with assignments. Scripts (``-o json``)
get the AgentDossier exactly as the portal sent it.
"""

from __future__ import annotations

from typing import Any

from monespace_cli.context import Factory
from monespace_cli.i18n import _
from monespace_cli.output import Column, cell_text


def _person(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    return f"{value.get('name', '')} ({value.get('nrn', '')})"


def _back_office_columns() -> list[Column]:
    return [
        Column("service", _("Service")),
        Column("assigned_to", _("Assigned to"), _person),
        Column("decision_due_at", _("Decision due")),
        Column("overdue", _("Overdue")),
        Column("decision_document_id", _("Decision")),
    ]


def render_agent_dossier(
    f: Factory, dossier: dict[str, Any], history: list[dict[str, Any]]
) -> None:
    """Summary, back-office fields, data, attachments, messages, notes, history."""
    from monespace_cli.commands.dossier import render_dossier

    printer = f.printer
    if not printer.human:
        printer.object(dossier)
        return
    printer.context = None  # an agent acts as themself: no "Acting as" line
    render_dossier(f, dossier)
    printer.heading(_("Back office"))
    for column in _back_office_columns():
        value = dossier.get(column.key)
        if value not in (None, ""):
            printer.text(f"  {column.title()}: {column.cell(dossier)}")
    _render_messages(f, dossier.get("messages") or [])
    _render_notes(f, dossier.get("notes") or [])
    if history:
        printer.heading(_("History"))
        for event in with_change(history):
            who = (event.get("actor") or {}).get("name", "")
            change = event.get("change", "")
            printer.text(f"  {event.get('at', '')}  {event.get('type', '')}  {who}  {change}")


def _render_messages(f: Factory, messages: list[dict[str, Any]]) -> None:
    if not messages:
        return
    printer = f.printer
    printer.heading(_("Messages"))
    for message in messages:
        author = message.get("author") or {}
        mark = ""
        if message.get("complement_request"):
            due = str(message.get("due_at") or "")[:10]
            mark = "  " + printer.style(_("[complement due {due}]").format(due=due), "yellow")
        head = (
            f"{message.get('created_at', '')}  {author.get('name', '')} ({author.get('role', '')})"
        )
        printer.text(f"  {head}{mark}")
        for line in str(message.get("body", "")).splitlines() or [""]:
            printer.text(f"    {line}")
        for attachment in message.get("attachments") or []:
            printer.text(f"    📎 {attachment.get('filename', '')}  ({attachment.get('id', '')})")


def _render_notes(f: Factory, notes: list[dict[str, Any]]) -> None:
    if not notes:
        return
    printer = f.printer
    printer.heading(_("Notes (private)"))
    for note in notes:
        author = (note.get("author") or {}).get("name", "")
        printer.text(f"  {note.get('created_at', '')}  {author}: {note.get('body', '')}")


def _change(event: dict[str, Any]) -> str:
    old, new = event.get("old"), event.get("new")
    if old is None and new is None:
        return cell_text(event.get("detail"))
    if old is None:
        return cell_text(new)
    return f"{cell_text(old)} → {cell_text(new)}"


def with_change(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events with a readable ``change`` (old → new) for the history table."""
    return [{**event, "change": _change(event)} for event in events]


def history_columns() -> list[Column]:
    return [
        Column("at", _("WHEN")),
        Column("type", _("EVENT")),
        Column("actor.name", _("WHO")),
        Column("change", _("CHANGE")),
    ]
