"""``monespace agent …``: the back office of the administrations' agents.

Agents triage and decide dossiers of their services' procedures: a queue with
filters, claiming, assigning (supervisors), complement requests, private
notes, decisions, bulk runs and exports, and the webhooks that hand dossiers
over to business applications. Thin commands as everywhere in the CLI: parse
and check → :mod:`monespace_cli.client` (``AgentAPI``) → the shared printer;
portal errors go to :mod:`monespace_cli.errors` (404 → 4, 422/409 → 5).

The only refusal mapped here is 403: for an agent it means "only a
supervisor of the service may do this", not "pick another acting context"
(the back office ignores ``--as``), so the hint is the agent's, not the
applicant's. The bulk flow, the human dossier view, export and webhooks have
their own private modules (``_agent_*.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from monespace_cli.app import noun_app
from monespace_cli.commands import _agent_options as opt
from monespace_cli.commands._agent_webhook import webhook_app
from monespace_cli.context import Factory, current
from monespace_cli.errors import AuthProblem, UsageProblem
from monespace_cli.i18n import _
from monespace_cli.output import Column

app = noun_app(_("Back office for agents: queue, claim, complement, decide, bulk, export."))
app.add_typer(webhook_app, name="webhook")

OUTCOMES = ("accept", "refuse")
#: Files one complement request carries at most (the portal's limit).
MAX_ATTACHMENTS = 10


@contextmanager
def supervisor_only() -> Iterator[None]:
    """A 403 from the back office: the action needs a supervisor of the service (exit 3)."""
    from monespace_cli.client import Forbidden

    try:
        yield
    except Forbidden as exc:
        raise AuthProblem(
            _("Not allowed: {detail}").format(detail=exc),
            hint=_("Only a supervisor of the service may do this."),
        ) from None


def _queue_columns() -> list[Column]:
    return [
        Column("id", _("ID")),
        Column("procedure", _("PROCEDURE")),
        Column("status", _("STATUS")),
        Column("applicant.name", _("APPLICANT")),
        Column("submitted_at", _("SUBMITTED"), _day),
        Column("decision_due_at", _("DUE"), _day),
        Column("overdue", _("LATE"), lambda v: "!" if v else ""),
        Column("age_days", _("AGE")),
        Column("assigned_to.name", _("ASSIGNED")),
        Column("title", _("TITLE")),
    ]


def _day(value: Any) -> str:
    """The date part of an RFC 3339 time (a queue is read by day)."""
    return str(value)[:10] if value else ""


# -- queue --------------------------------------------------------------------


@app.command("queue")
def queue(
    status: opt.STATUS = None,
    procedure: opt.PROCEDURE = None,
    service: opt.SERVICE = None,
    assigned: opt.ASSIGNED = None,
    overdue: opt.OVERDUE = False,
    older_than: opt.OLDER_THAN = None,
    search: opt.SEARCH = None,
    sort: Annotated[
        str | None,
        typer.Option(
            "--sort", help=_("age, -age, due, -due or updated (default: age)."), metavar="KEY"
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", help=_("At most this many dossiers."), min=1)
    ] = 50,
    every: Annotated[bool, typer.Option("--all", help=_("Every matching dossier."))] = False,
) -> None:
    """The dossiers of your services to handle, oldest first; counts per status on stderr."""
    import itertools

    f = current()
    filters = opt.queue_filters(status, procedure, service, assigned, overdue, older_than, search)
    order = opt.check_sort(sort)
    from monespace_cli.client._agent_models import QueueItem
    from monespace_cli.output import fields_of

    with f.client() as client, agents_only():
        found = iter(
            client.iter_agent_queue(sort=order, limit=500 if every else min(limit, 500), **filters)
        )
        items = [dict(i) for i in (found if every else itertools.islice(found, limit))]
        more = not every and next(found, None) is not None
        counts = dict(client.agent_counts(**filters)) if f.printer.human else None
    f.printer.list(
        items, _queue_columns(), empty=_("No dossier in the queue."), fields=fields_of(QueueItem)
    )
    if counts is not None:
        _say_counts(f, counts)
    if more:
        message = _("More dossiers match than the {n} shown.")
        f.io.warn(message.format(n=len(items)))
        f.io.info(_("Get them all with --all, or more with --limit N."))


@contextmanager
def agents_only() -> Iterator[None]:
    """The back office answers 404 to anyone who is not an agent (it hides itself):
    on a list of the caller's own services that can only mean "not an agent"."""
    from monespace_cli.client import NotFound

    try:
        yield
    except NotFound:
        from monespace_cli.errors import NotFoundProblem

        raise NotFoundProblem(
            _("You are not an agent of any service: the back office is for the portal's agents."),
            hint=_("Ask the supervisor of your service to add you as an agent."),
        ) from None


def _say_counts(f: Factory, counts: dict[str, Any]) -> None:
    """Dossiers per status for the same filters (stderr: the table stays parseable)."""
    per_status = counts.get("counts") or {}
    width = max(len(s) for s in opt.AGENT_STATUSES)
    f.io.info("")
    for name in opt.AGENT_STATUSES:
        f.io.info(f"  {name.ljust(width)}  {per_status.get(name, 0):>6}")
    f.io.info(f"  {_('open').ljust(width)}  {counts.get('total', 0):>6}")


# -- one dossier ----------------------------------------------------------------


@app.command("show")
def show(
    dossier_id: opt.DOSSIER_ID,
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
    from monespace_cli.commands._agent_show import render_agent_dossier

    if purpose is not None and len(purpose) > 300:
        raise UsageProblem(_("--purpose is at most 300 characters."))
    f = current()
    with f.client() as client:
        dossier = dict(client.agent_dossier(dossier_id, purpose=purpose))
        history: list[dict[str, Any]] = []
        if f.printer.human:
            history = [dict(e) for e in client.agent_history(dossier_id)]
            dossier["messages"] = [dict(m) for m in client.agent_messages(dossier_id)]
    render_agent_dossier(f, dossier, history)


@app.command("download")
def download(
    dossier_id: opt.DOSSIER_ID,
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help=_("Folder to save into (default: ./ID)."), metavar="DIR"),
    ] = None,
) -> None:
    """Save every attachment of a dossier (its own and its messages') in a folder."""
    from functools import partial

    from monespace_cli.commands._dossier_download import FileSaver

    f = current()
    target = directory or Path(dossier_id)
    saved: list[dict[str, Any]] = []
    saver = FileSaver()  # shared with ``dossier download``: re-runs add no duplicates
    with f.client() as client:
        dossier = dict(client.agent_dossier(dossier_id))
        attachments = list(dossier.get("attachments") or [])
        for message in client.agent_messages(dossier_id):
            attachments += message.get("attachments") or []
        for attachment in attachments:
            name = attachment.get("filename") or attachment["id"]
            fetch = partial(client.agent_download_attachment, attachment["id"])
            path, _status = saver.save(
                target / "attachments", name, attachment.get("sha256"), fetch
            )
            saved.append(
                {"id": attachment["id"], "kind": attachment.get("kind", ""), "path": str(path)}
            )
    f.printer.list(
        saved,
        [Column("id", _("ID")), Column("kind", _("KIND")), Column("path", _("SAVED AS"))],
        empty=_("Nothing to download."),
    )


def _done(f: Factory, dossier: dict[str, Any], message: str) -> None:
    """After an action: one line for people, the AgentDossier for scripts."""
    if f.printer.human:
        f.io.success(message)
    else:
        f.printer.object(dossier)


@app.command("claim")
def claim(dossier_id: opt.DOSSIER_ID) -> None:
    """Take a dossier for yourself (a submitted one goes in review)."""
    f = current()
    with f.client() as client:
        dossier = dict(client.claim(dossier_id))
    message = _("Dossier {id} is yours ({status}).")
    _done(f, dossier, message.format(id=dossier_id, status=dossier.get("status", "")))


@app.command("release")
def release(dossier_id: opt.DOSSIER_ID) -> None:
    """Give a dossier back to the queue (your own, or any as a supervisor)."""
    f = current()
    with f.client() as client, supervisor_only():
        dossier = dict(client.release(dossier_id))
    _done(f, dossier, _("Dossier {id} released: nobody handles it now.").format(id=dossier_id))


@app.command("assign")
def assign(
    dossier_id: opt.DOSSIER_ID,
    nrn: Annotated[str, typer.Argument(help=_("The agent's national register number."))],
) -> None:
    """Give a dossier to an agent of its service (supervisors)."""
    f = current()
    number = opt.check_nrn(nrn)
    with f.client() as client, supervisor_only():
        dossier = dict(client.assign(dossier_id, number))
    who = (dossier.get("assigned_to") or {}).get("name") or number
    _done(f, dossier, _("Dossier {id} assigned to {name}.").format(id=dossier_id, name=who))


@app.command("complement")
def complement(
    dossier_id: opt.DOSSIER_ID,
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
    from monespace_cli.commands._data_input import existing_file

    f = current()
    if not due:
        raise UsageProblem(_("Give the due date with --due."))
    body = opt.read_text_option(message, message_file, f.io.stdin, name="message")
    due_date = opt.parse_due(due)
    from monespace_cli.dates import understood

    f.io.info(understood("--due", due, due_date))
    paths = [existing_file(name) for name in attach or []]
    if len(paths) > MAX_ATTACHMENTS:
        message_text = _("At most {n} files go with one request.")
        raise UsageProblem(message_text.format(n=MAX_ATTACHMENTS))
    with f.client() as client:
        ids = [client.agent_upload_attachment(dossier_id, path)["id"] for path in paths]
        dossier = dict(client.request_complement(dossier_id, body, due_date, attachment_ids=ids))
    message_text = _("Complement requested for {id}, due {due}; the dossier awaits the applicant.")
    _done(f, dossier, message_text.format(id=dossier_id, due=due_date))


@app.command("note")
def note(
    dossier_id: opt.DOSSIER_ID,
    text: Annotated[str, typer.Argument(help=_("The note (private to the service's agents)."))],
) -> None:
    """Add a private note (never shown to the applicant, never exported)."""
    f = current()
    if not text.strip():
        raise UsageProblem(_("The note is empty."))
    with f.client() as client:
        added = dict(client.add_note(dossier_id, text))
    _done(f, added, _("Note added to {id}.").format(id=dossier_id))


@app.command("notes")
def notes(dossier_id: opt.DOSSIER_ID) -> None:
    """The private notes of a dossier, oldest first."""
    f = current()
    with f.client() as client:
        found = [dict(n) for n in client.list_notes(dossier_id)]
    columns = [
        Column("created_at", _("WHEN")),
        Column("author.name", _("WHO")),
        Column("body", _("NOTE")),
    ]
    from monespace_cli.client._agent_models import Note
    from monespace_cli.output import fields_of

    f.printer.list(found, columns, empty=_("No note."), fields=fields_of(Note))


@app.command("decide")
def decide(
    dossier_id: opt.DOSSIER_ID,
    outcome: Annotated[str, typer.Argument(help=_("accept or refuse."), metavar="accept|refuse")],
    motivation: opt.MOTIVATION = None,
    motivation_file: opt.MOTIVATION_FILE = None,
    appeal: opt.APPEAL = None,
) -> None:
    """Accept or refuse a dossier in review; a sealed decision goes to the applicant's vault."""
    f = current()
    check_outcome(outcome)
    text = opt.read_motivation(motivation, motivation_file, f.io.stdin)
    with f.client() as client:
        dossier = dict(client.decide(dossier_id, outcome, text, appeal=appeal))
    message = _("Dossier {id} {status}; decision document {doc} filed in the applicant's vault.")
    status = dossier.get("status", "")
    doc = dossier.get("decision_document_id") or "?"
    _done(f, dossier, message.format(id=dossier_id, status=status, doc=doc))


def check_outcome(outcome: str) -> None:
    if outcome not in OUTCOMES:
        message = _("Unknown outcome {value!r}: use accept or refuse.")
        raise UsageProblem(message.format(value=outcome))


@app.command("history")
def history(dossier_id: opt.DOSSIER_ID) -> None:
    """Every change of a dossier, with assignments and notes (not their text)."""
    from monespace_cli.commands._agent_show import history_columns, with_change

    f = current()
    with f.client() as client:
        events = [dict(e) for e in client.agent_history(dossier_id)]
    if not f.printer.human:
        from monespace_cli.client._models import Event
        from monespace_cli.output import fields_of

        f.printer.list(events, [], empty=_("No event."), fields=fields_of(Event))
        return
    f.printer.list(with_change(events), history_columns(), empty=_("No event."))


# -- bulk and export ---------------------------------------------------------------


@app.command("bulk")
def bulk(
    action: Annotated[
        str, typer.Argument(help=_("claim, release, assign or decide."), metavar="ACTION")
    ],
    value: Annotated[
        str | None,
        typer.Argument(
            help=_("assign: the agent's NRN; decide: accept or refuse."), metavar="[NRN|OUTCOME]"
        ),
    ] = None,
    ids: Annotated[
        list[str] | None,
        typer.Option(
            "--ids", help=_("Dossier references (repeat or comma-separate)."), metavar="ID"
        ),
    ] = None,
    from_file: Annotated[
        str | None,
        typer.Option(
            "--from-file", help=_("Dossier references, one a line (- for stdin)."), metavar="FILE"
        ),
    ] = None,
    status: opt.STATUS = None,
    procedure: opt.PROCEDURE = None,
    service: opt.SERVICE = None,
    assigned: opt.ASSIGNED = None,
    overdue: opt.OVERDUE = False,
    older_than: opt.OLDER_THAN = None,
    search: opt.SEARCH = None,
    motivation: opt.MOTIVATION = None,
    motivation_file: opt.MOTIVATION_FILE = None,
    appeal: opt.APPEAL = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=_("Show what would change; change nothing."))
    ] = False,
) -> None:
    """One action on many dossiers: by --ids, --from-file or the queue filters.

    The run is checked first (a dry run), confirmed, then sent with the
    versions seen: a dossier changed in between is skipped, never overwritten.
    Exit 7 when some dossiers were not changed.
    """
    from monespace_cli.commands import _agent_bulk

    f = current()
    selected = opt.read_ids(ids, from_file, f.io.stdin)
    filters = opt.queue_filters(status, procedure, service, assigned, overdue, older_than, search)
    if selected is not None and any(v is not None for v in filters.values()):
        raise UsageProblem(
            _("Select dossiers either by --ids/--from-file or by filters, not both.")
        )
    params = _agent_bulk.bulk_params(f, action, value, motivation, motivation_file, appeal)
    _agent_bulk.run(f, action, params, selected, filters, dry_run=dry_run)


@app.command("export")
def export(
    status: opt.STATUS = None,
    procedure: opt.PROCEDURE = None,
    service: opt.SERVICE = None,
    assigned: opt.ASSIGNED = None,
    overdue: opt.OVERDUE = False,
    older_than: opt.OLDER_THAN = None,
    search: opt.SEARCH = None,
    fields: Annotated[
        str | None,
        typer.Option("--fields", help=_("Columns, comma-separated (default: all)."), metavar="A,B"),
    ] = None,
    excel: Annotated[
        bool, typer.Option("--excel", help=_("CSV for Excel: ';' separator and a BOM."))
    ] = False,
    file: Annotated[
        Path | None,
        typer.Option("--file", help=_("Write to this file (default: stdout)."), metavar="PATH"),
    ] = None,
) -> None:
    """Export the queue as CSV or JSON Lines (-o csv|jsonl), streamed."""
    from monespace_cli.commands._agent_export import export_queue

    f = current()
    filters = opt.queue_filters(status, procedure, service, assigned, overdue, older_than, search)
    export_queue(f, filters, fields=fields, excel=excel, file=file)
