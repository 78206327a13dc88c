"""The verbs that handle one dossier: claim, release, assign, complement, note(s), decide.

After each action people get one line saying what happened; scripts get the
AgentDossier (or the note) the portal answered. Only supervisors may
release another agent's dossier or assign one: their 403 is worded for an
agent (:mod:`.access`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import typer

from monespace_cli.client import Note
from monespace_cli.commands._shared.arguments import DOSSIER_ID
from monespace_cli.commands._shared.input_files import existing_file
from monespace_cli.commands._shared.verbs import verb_group
from monespace_cli.commands.agent import options as opt
from monespace_cli.commands.agent.access import supervisor_only
from monespace_cli.context import Factory, current
from monespace_cli.dates import understood
from monespace_cli.errors import UsageProblem
from monespace_cli.i18n import _
from monespace_cli.output import Column, fields_of

verbs = verb_group()

#: Files one complement request carries at most (the portal's limit).
MAX_ATTACHMENTS = 10


def _done(f: Factory, answer: Mapping[str, Any], message: str) -> None:
    """After an action: one line for people, the portal's answer for scripts."""
    if f.printer.human:
        f.io.success(message)
    else:
        f.printer.object(answer)


@verbs.command("claim")
def claim(dossier_id: DOSSIER_ID) -> None:
    """Take a dossier for yourself (a submitted one goes in review)."""
    f = current()
    with f.client() as client:
        dossier = client.claim(dossier_id)
    message = _("Dossier {id} is yours ({status}).")
    _done(f, dossier, message.format(id=dossier_id, status=dossier.get("status", "")))


@verbs.command("release")
def release(dossier_id: DOSSIER_ID) -> None:
    """Give a dossier back to the queue (your own, or any as a supervisor)."""
    f = current()
    with f.client() as client, supervisor_only():
        dossier = client.release(dossier_id)
    _done(f, dossier, _("Dossier {id} released: nobody handles it now.").format(id=dossier_id))


@verbs.command("assign")
def assign(
    dossier_id: DOSSIER_ID,
    nrn: Annotated[str, typer.Argument(help=_("The agent's national register number."))],
) -> None:
    """Give a dossier to an agent of its service (supervisors)."""
    f = current()
    number = opt.check_nrn(nrn)
    with f.client() as client, supervisor_only():
        dossier = client.assign(dossier_id, number)
    assignee = dossier.get("assigned_to")
    who = (assignee.get("name") if assignee else None) or number
    _done(f, dossier, _("Dossier {id} assigned to {name}.").format(id=dossier_id, name=who))


@verbs.command("complement")
def complement(
    dossier_id: DOSSIER_ID,
    message: Annotated[
        str | None,
        typer.Option("--message", help=_("What the applicant must send."), metavar="TEXT"),
    ] = None,
    message_file: Annotated[
        str | None,
        typer.Option(
            "--message-file", help=_("The message from a file (- for stdin)."), metavar="FILE"
        ),
    ] = None,
    due: Annotated[
        str,
        typer.Option("--due", help=_("Due date: YYYY-MM-DD, dd/mm/yyyy or +Nd."), metavar="DATE"),
    ] = "",
    attach: Annotated[
        list[str] | None,
        typer.Option(
            "--attach",
            help=_("Send a file with the request: PDF, PNG or JPEG (repeatable)."),
            metavar="FILE",
        ),
    ] = None,
) -> None:
    """Ask the applicant for a complement by a due date (→ awaiting_complement)."""
    f = current()
    if not due:
        raise UsageProblem(_("Give the due date with --due."))
    body = opt.read_text_option(message, message_file, f.io.stdin, name="message")
    due_date = opt.parse_due(due)
    f.io.info(understood("--due", due, due_date))
    paths = [existing_file(name) for name in attach or []]
    if len(paths) > MAX_ATTACHMENTS:
        message_text = _("At most {n} files go with one request.")
        raise UsageProblem(message_text.format(n=MAX_ATTACHMENTS))
    with f.client() as client:
        ids = [client.agent_upload_attachment(dossier_id, path)["id"] for path in paths]
        dossier = client.request_complement(dossier_id, body, due_date, attachment_ids=ids)
    message_text = _("Complement requested for {id}, due {due}; the dossier awaits the applicant.")
    _done(f, dossier, message_text.format(id=dossier_id, due=due_date))


@verbs.command("note")
def note(
    dossier_id: DOSSIER_ID,
    text: Annotated[str, typer.Argument(help=_("The note (private to the service's agents)."))],
) -> None:
    """Add a private note (never shown to the applicant, never exported)."""
    f = current()
    if not text.strip():
        raise UsageProblem(_("The note is empty."))
    with f.client() as client:
        added = client.add_note(dossier_id, text)
    _done(f, added, _("Note added to {id}.").format(id=dossier_id))


@verbs.command("notes")
def notes(dossier_id: DOSSIER_ID) -> None:
    """The private notes of a dossier, oldest first."""
    f = current()
    with f.client() as client:
        found = client.list_notes(dossier_id)
    columns = [
        Column("created_at", _("WHEN")),
        Column("author.name", _("WHO")),
        Column("body", _("NOTE")),
    ]
    f.printer.list(found, columns, empty=_("No note."), fields=fields_of(Note))


@verbs.command("decide")
def decide(
    dossier_id: DOSSIER_ID,
    outcome: Annotated[str, typer.Argument(help=_("accept or refuse."), metavar="accept|refuse")],
    motivation: opt.MOTIVATION = None,
    motivation_file: opt.MOTIVATION_FILE = None,
    appeal: opt.APPEAL = None,
) -> None:
    """Accept or refuse a dossier in review; a sealed decision goes to the applicant's vault."""
    f = current()
    opt.check_outcome(outcome)
    text = opt.read_motivation(motivation, motivation_file, f.io.stdin)
    with f.client() as client:
        dossier = client.decide(dossier_id, outcome, text, appeal=appeal)
    message = _("Dossier {id} {status}; decision document {doc} filed in the applicant's vault.")
    status = dossier.get("status", "")
    doc = dossier.get("decision_document_id") or "?"
    _done(f, dossier, message.format(id=dossier_id, status=status, doc=doc))
