"""``agent show``: the agent's view of one dossier.

Built on the applicant's view
(:func:`monespace_cli.commands._shared.dossier_view.render_dossier` for the
summary, data and attachments, prefilled fields marked) with what only the
back office has: service, assignee, legal decision date, messages, the
private notes and the history with assignments. Scripts (``-o json``) get
the AgentDossier exactly as the portal sent it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import typer

from monespace_cli.commands._shared.arguments import DOSSIER_ID
from monespace_cli.commands._shared.dossier_view import render_dossier
from monespace_cli.commands._shared.verbs import verb_group
from monespace_cli.commands.agent.history import with_change
from monespace_cli.context import Factory, current
from monespace_cli.errors import UsageProblem
from monespace_cli.i18n import _
from monespace_cli.output import Column

verbs = verb_group()


@verbs.command("show")
def show(
    dossier_id: DOSSIER_ID,
    purpose: Annotated[
        str | None,
        typer.Option(
            "--purpose",
            help=_("Why you open it (written in the applicant's access log)."),
            metavar="TEXT",
        ),
    ] = None,
) -> None:
    """A dossier with its data, attachments, messages, notes and history."""
    if purpose is not None and len(purpose) > 300:
        raise UsageProblem(_("--purpose is at most 300 characters."))
    f = current()
    with f.client() as client:
        dossier: dict[str, Any] = dict(client.agent_dossier(dossier_id, purpose=purpose))
        history: Sequence[Mapping[str, Any]] = []
        if f.printer.human:
            history = client.agent_history(dossier_id)
            dossier["messages"] = client.agent_messages(dossier_id)
    render_agent_dossier(f, dossier, history)


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
    f: Factory, dossier: Mapping[str, Any], history: Sequence[Mapping[str, Any]]
) -> None:
    """Summary, back-office fields, data, attachments, messages, notes, history."""
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


def _render_messages(f: Factory, messages: Sequence[Mapping[str, Any]]) -> None:
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


def _render_notes(f: Factory, notes: Sequence[Mapping[str, Any]]) -> None:
    if not notes:
        return
    printer = f.printer
    printer.heading(_("Notes (private)"))
    for note in notes:
        author = (note.get("author") or {}).get("name", "")
        printer.text(f"  {note.get('created_at', '')}  {author}: {note.get('body', '')}")
