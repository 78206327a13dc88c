"""``monespace dossier …``: create, fill, validate, submit and follow dossiers.

Thin commands: parse → call :mod:`monespace_cli.client` → render with the
shared printer. Portal errors are not caught here: :mod:`monespace_cli.errors`
maps them (404 → exit 4, 422 → exit 5 with the field list, 401 → exit 3).
Human output marks the fields the portal prefilled from an authentic source,
so a person sees what they did not type and can check it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from monespace_cli.app import noun_app
from monespace_cli.client import DOSSIER_STATUSES
from monespace_cli.context import Factory, current
from monespace_cli.errors import CliError, RejectedInput, UsageProblem, field_lines
from monespace_cli.forms import nearest_pointer
from monespace_cli.i18n import _
from monespace_cli.output import Column

if TYPE_CHECKING:
    from monespace_cli.client import PortalClient
    from monespace_cli.commands._dossier_download import FileSaver

app = noun_app(_("Create, fill, submit and follow your dossiers."))

SOURCES = {"rn": _("national register"), "bce": _("enterprise register")}

DOSSIER_ID = Annotated[
    str, typer.Argument(help=_("Dossier reference, e.g. MSP-2026-000042."), metavar="ID")
]
#: ``--set`` of ``dossier new`` and ``dossier fill``: one syntax, one help text.
SETS = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help=_("Set one field: path=value (path:=JSON for raw JSON)."),
        metavar="PATH=VALUE",
    ),
]


def _list_columns(with_context: bool = False) -> list[Column]:
    columns = [
        Column("id", _("ID")),
        Column("procedure", _("PROCEDURE")),
        Column("status", _("STATUS")),
        Column("applicant.name", _("APPLICANT")),
        Column("updated_at", _("UPDATED")),
        Column("title", _("TITLE")),
    ]
    if with_context:
        columns.insert(1, Column("acting_as", _("CONTEXT")))
    return columns


def _summary_columns() -> list[Column]:
    return [
        Column("id", _("Dossier")),
        Column("procedure", _("Procedure")),
        Column("procedure_version", _("Version")),
        Column("title", _("Title")),
        Column("status", _("Status")),
        Column("applicant", _("Applicant"), _party),
        Column("acting_as", _("Acting as")),
        Column("created_at", _("Created")),
        Column("updated_at", _("Updated")),
        Column("submitted_at", _("Submitted")),
        Column("decided_at", _("Decided")),
        Column("due_at", _("Due")),
        Column("receipt_document_id", _("Receipt")),
        Column("payment_id", _("Payment")),
    ]


def _party(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    return f"{value.get('name', '')} ({value.get('kind', '')} {value.get('id', '')})"


def data_leaves(data: Any, pointer: str = "") -> list[tuple[str, Any]]:
    """Every scalar of a data object with its JSON pointer, in document order."""
    if isinstance(data, dict):
        if not data and pointer:
            return [(pointer, {})]
        out: list[tuple[str, Any]] = []
        for key, value in data.items():
            escaped = str(key).replace("~", "~0").replace("/", "~1")
            out.extend(data_leaves(value, f"{pointer}/{escaped}"))
        return out
    if isinstance(data, list):
        if not data:
            return [(pointer, [])]
        out = []
        for index, value in enumerate(data):
            out.extend(data_leaves(value, f"{pointer}/{index}"))
        return out
    return [(pointer or "/", data)]


def _value_text(value: Any) -> str:
    import json

    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _prefill_source(pointer: str, prefilled: dict[str, str]) -> str | None:
    """The source that filled ``pointer`` (or one of its parents)."""
    probe = nearest_pointer(pointer, prefilled)
    return None if probe is None else prefilled[probe]


def render_dossier(f: Factory, dossier: dict[str, Any]) -> None:
    """The dossier for people (with prefilled marks) or as the API object."""
    printer = f.printer
    if not printer.human:
        printer.object(dossier)
        return
    columns = [c for c in _summary_columns() if dossier.get(c.key.split(".")[0]) not in (None, "")]
    printer.object(dossier, columns, show_context=True)
    _render_data(f, dossier)
    _render_attachments(f, dossier.get("attachments") or [])


def _render_data(f: Factory, dossier: dict[str, Any]) -> None:
    data = dossier.get("data")
    if data is None:
        return
    prefilled = dossier.get("prefilled") or {}
    leaves = data_leaves(data)
    printer = f.printer
    printer.text("")
    printer.text(printer.style(_("Data"), "bold") if leaves else _("Data: (empty)"))
    width = max((len(p) for p, _v in leaves), default=0)
    for pointer, value in leaves:
        source = _prefill_source(pointer, prefilled)
        mark = ""
        if source:
            label = _("prefilled from the {source}").format(source=SOURCES.get(source, source))
            mark = "  " + printer.style(f"[{label}]", "dim")
        printer.text(f"  {pointer.ljust(width)}  {_value_text(value)}{mark}")


def _render_attachments(f: Factory, attachments: list[dict[str, Any]]) -> None:
    if not attachments:
        return
    printer = f.printer
    printer.heading(_("Attachments"))
    for att in attachments:
        sha = str(att.get("sha256", ""))[:12]
        size = f"{att.get('size', '')} B"
        printer.text(f"  {att.get('kind', '')}  {att.get('filename', '')}  {size}  sha256:{sha}…")


def _get_form(client: PortalClient, code: str, version: int | None = None) -> dict[str, Any] | None:
    """The procedure's form (JSON Schema); typed --set values depend on it."""
    procedure = client.get_procedure(code, version=version)
    form = procedure.get("form")
    return form if isinstance(form, dict) else None


def _upload(client: PortalClient, dossier_id: str, kind: str, path: Path) -> dict[str, Any]:
    import mimetypes

    ctype = mimetypes.guess_type(path.name)[0]
    with path.open("rb") as handle:
        return dict(client.add_attachment(dossier_id, kind, path.name, handle, content_type=ctype))


def _new_key() -> str:
    from monespace_cli.client import new_idempotency_key

    return new_idempotency_key()


@contextmanager
def _retry_hint(command: list[str], key: str) -> Iterator[None]:
    """When a write may or may not have reached the portal, say how to retry it safely."""
    from monespace_cli.client import PortalUnavailable

    try:
        yield
    except PortalUnavailable as exc:
        retry = " ".join([*command, "--idempotency-key", key])
        raise CliError(
            _("The portal cannot be reached: {detail}").format(detail=exc),
            hint=_("It may have received the request. Retry safely with: {command}").format(
                command=retry
            ),
        ) from exc


# -- new --------------------------------------------------------------------


@app.command("new")
def new(
    code: Annotated[str, typer.Argument(help=_("Procedure code (see: monespace catalog list)."))],
    data: Annotated[
        str | None,
        typer.Option(
            "--data", help=_("Data as a JSON or YAML file, or - for stdin."), metavar="FILE|-"
        ),
    ] = None,
    sets: SETS = None,
    attach: Annotated[
        list[str] | None,
        typer.Option("--attach", help=_("Attach a file: kind=FILE."), metavar="KIND=FILE"),
    ] = None,
    idempotency_key: Annotated[
        str | None,
        typer.Option("--idempotency-key", help=_("Key to make a retried creation safe.")),
    ] = None,
) -> None:
    """Start a dossier for a procedure (prefilled from the authentic sources)."""
    from monespace_cli.commands import _data_input as di

    f = current()
    body = di.load_data(data, f.io.stdin) if data else None
    uploads = [di.parse_attach(a) for a in attach or []]
    with f.client() as client:
        if sets:
            body = di.apply_assignments(body or {}, sets, _get_form(client, code))
        key = idempotency_key or _new_key()
        with _retry_hint(["monespace", "dossier", "new", code, "…"], key):
            dossier = dict(client.create_dossier(code, body, idempotency_key=key))
        if uploads:
            for kind, path in uploads:
                _upload(client, dossier["id"], kind, path)
            dossier = dict(client.get_dossier(dossier["id"]))
    if f.printer.human:
        f.io.success(_("Dossier {id} created (draft).").format(id=dossier["id"]))
    render_dossier(f, dossier)


# -- fill -------------------------------------------------------------------


@app.command("fill")
def fill(
    dossier_id: DOSSIER_ID,
    editor: Annotated[
        bool, typer.Option("--editor", help=_("Edit the data as YAML in $EDITOR."))
    ] = False,
    data: Annotated[
        str | None,
        typer.Option(
            "--data",
            help=_("Replace the data with a JSON or YAML file (- for stdin)."),
            metavar="FILE|-",
        ),
    ] = None,
    sets: SETS = None,
) -> None:
    """Fill a draft: field by field, in $EDITOR, or from --data/--set."""
    from monespace_cli.commands import _data_input as di

    f = current()
    with f.client() as client:
        dossier = dict(client.get_dossier(dossier_id))
        form = _get_form(client, dossier["procedure"], dossier.get("procedure_version"))
        if data is not None or sets:
            body = (
                di.load_data(data, f.io.stdin)
                if data is not None
                else dict(dossier.get("data") or {})
            )
            body = di.apply_assignments(body, sets or [], form)
            dossier = dict(client.put_dossier_data(dossier_id, body, version=dossier["version"]))
        elif editor:
            from monespace_cli.commands._editor_fill import edit_loop

            dossier = edit_loop(f, client, dossier)
        else:
            from monespace_cli.commands._form_fill import fill_interactively

            dossier = fill_interactively(f, client, dossier, form or {})
        result = dict(client.validate_dossier(dossier_id))
    if not f.printer.human:
        f.printer.object(dossier)
        return
    message = _("Dossier {id} saved (version {version}).")
    f.io.success(message.format(id=dossier_id, version=dossier.get("version")))
    _say_validation(f, result)


def _say_validation(f: Factory, result: dict[str, Any]) -> None:
    """Tell what is still missing before a dossier can be submitted."""
    if result.get("valid"):
        f.io.success(_("The dossier is complete: submit it with monespace dossier submit."))
        return
    f.io.warn(_("Still to do before submitting:"))
    for line in field_lines(result.get("errors") or []):
        f.io.info(f"  {line}")
    for kind in result.get("missing_attachments") or []:
        f.io.info("  " + _("missing attachment: {kind}").format(kind=kind))


# -- validate / submit / withdraw --------------------------------------------


@app.command("validate")
def validate(dossier_id: DOSSIER_ID) -> None:
    """Check a dossier against its form and required attachments (exit 5 if incomplete)."""
    f = current()
    with f.client() as client:
        result = dict(client.validate_dossier(dossier_id))
    if not f.printer.human:
        f.printer.object(result)
    if not result.get("valid"):
        details = field_lines(result.get("errors") or [])
        details += [
            _("missing attachment: {kind}").format(kind=k)
            for k in result.get("missing_attachments") or []
        ]
        raise RejectedInput(
            _("Dossier {id} is not complete.").format(id=dossier_id), details=details
        )
    if f.printer.human:
        f.io.success(_("Dossier {id} is complete and can be submitted.").format(id=dossier_id))


@app.command("submit")
def submit(
    dossier_id: DOSSIER_ID,
    idempotency_key: Annotated[
        str | None,
        typer.Option(
            "--idempotency-key",
            help=_("Reuse the key of an interrupted submit to retry it safely."),
        ),
    ] = None,
) -> None:
    """Submit a dossier; prints the receipt and the payment to make, if any."""
    f = current()
    key = idempotency_key or _new_key()
    with f.client() as client:
        with _retry_hint(["monespace", "dossier", "submit", dossier_id], key):
            dossier = dict(client.submit_dossier(dossier_id, idempotency_key=key))
        receipt = _receipt(client, dossier)
        payment = (
            dict(client.get_payment(dossier["payment_id"])) if dossier.get("payment_id") else None
        )
    if not f.printer.human:
        f.printer.object(dossier)
        return
    f.io.success(
        _("Dossier {id} submitted on {at}.").format(
            id=dossier_id, at=dossier.get("submitted_at", "")
        )
    )
    render_dossier(f, {k: v for k, v in dossier.items() if k != "data"})
    if receipt:
        f.printer.text("")
        f.printer.text(
            _(
                "Acknowledgement of receipt: {title} (document {id}) — download it with: "
                "monespace document download {id}"
            ).format(title=receipt.get("title", ""), id=receipt["id"])
        )
    if payment:
        f.printer.text(
            _(
                "To pay: {amount} {currency} to {iban}, communication {ref} "
                "(see: monespace payment show {id})"
            ).format(
                amount=payment.get("amount"),
                currency=payment.get("currency"),
                iban=payment.get("iban"),
                ref=payment.get("structured_ref"),
                id=payment.get("id"),
            )
        )


def _receipt(client: PortalClient, dossier: dict[str, Any]) -> dict[str, Any] | None:
    """The receipt document filed in the vault on submit (None if not found)."""
    receipt_id = dossier.get("receipt_document_id")
    if not receipt_id:
        return None
    for document in client.iter_documents():
        if document.get("id") == receipt_id:
            return dict(document)
    return {"id": receipt_id}


@app.command("withdraw")
def withdraw(dossier_id: DOSSIER_ID) -> None:
    """Withdraw a dossier (from draft, submitted or awaiting complement)."""
    f = current()
    if not f.confirm(_("Withdraw dossier {id}? This cannot be undone.").format(id=dossier_id)):
        raise UsageProblem(_("Not withdrawn."))
    with f.client() as client:
        dossier = dict(client.withdraw_dossier(dossier_id))
    if f.printer.human:
        f.io.success(_("Dossier {id} withdrawn.").format(id=dossier_id))
    else:
        f.printer.object(dossier)


# -- list / show / history ----------------------------------------------------


@app.command("list")
def list_(
    status: Annotated[
        str | None,
        typer.Option("--status", help=_("Only this status: ") + ", ".join(DOSSIER_STATUSES)),
    ] = None,
    procedure: Annotated[
        str | None, typer.Option("--procedure", help=_("Only this procedure code."))
    ] = None,
    all_contexts: Annotated[
        bool, typer.Option("--all-contexts", help=_("Dossiers of every context you may act for."))
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", help=_("At most this many dossiers."), min=1)
    ] = 50,
) -> None:
    """List your dossiers, most recently updated first."""
    if status is not None and status not in DOSSIER_STATUSES:
        raise UsageProblem(
            _("Unknown status {status!r}: use one of {statuses}.").format(
                status=status, statuses=", ".join(DOSSIER_STATUSES)
            )
        )
    import itertools

    f = current()
    items: list[dict[str, Any]] = []
    with f.client() as client:
        contexts = [c["id"] for c in client.me()["contexts"]] if all_contexts else [f.acting_as]
        for context in contexts:
            client.acting_as = context
            found = client.iter_dossiers(status=status, procedure=procedure, limit=min(limit, 500))
            items.extend(dict(d) for d in itertools.islice(found, limit))
    from monespace_cli.client._models import Dossier
    from monespace_cli.output import fields_of

    f.printer.list(
        items,
        _list_columns(all_contexts),
        empty=_("No dossier."),
        show_context=not all_contexts,
        fields=fields_of(Dossier),
    )


@app.command("show")
def show(dossier_id: DOSSIER_ID) -> None:
    """Show a dossier: status, data (prefilled fields marked), attachments."""
    f = current()
    with f.client() as client:
        dossier = dict(client.get_dossier(dossier_id))
    render_dossier(f, dossier)


def _change(event: dict[str, Any]) -> str:
    old, new_ = event.get("old"), event.get("new")
    if old is None and new_ is None:
        detail = event.get("detail")
        return "" if detail is None else _value_text(detail)
    if old is None:
        return _value_text(new_)
    return f"{_value_text(old)} → {_value_text(new_)}"


@app.command("history")
def history(dossier_id: DOSSIER_ID) -> None:
    """Every change of a dossier: who, acting as whom, when, old → new."""
    f = current()
    with f.client() as client:
        events = [dict(e) for e in client.dossier_events(dossier_id)]
    if not f.printer.human:  # scripts get the events as the API sent them
        from monespace_cli.client._models import Event
        from monespace_cli.output import fields_of

        f.printer.list(events, [], empty=_("No event."), fields=fields_of(Event))
        return
    for event in events:
        event["change"] = _change(event)
    columns = [
        Column("at", _("WHEN")),
        Column("type", _("EVENT")),
        Column("actor.name", _("WHO")),
        Column("acting_as", _("AS")),
        Column("change", _("CHANGE")),
    ]
    f.printer.list(events, columns, empty=_("No event."))


# -- attachments and downloads ------------------------------------------------


@app.command("attach")
def attach(
    dossier_id: DOSSIER_ID,
    kind: Annotated[
        str, typer.Argument(help=_("Attachment kind (see: monespace catalog show CODE)."))
    ],
    file: Annotated[str, typer.Argument(help=_("PDF, PNG or JPEG file."), metavar="FILE")],
) -> None:
    """Add an attachment to a dossier."""
    from monespace_cli.commands._data_input import existing_file

    f = current()
    path = existing_file(file)
    with f.client() as client:
        attachment = _upload(client, dossier_id, kind, path)
    if f.printer.human:
        f.io.success(
            _("Attached {name} as {kind} to {id} (sha256 {sha}).").format(
                name=attachment.get("filename"),
                kind=kind,
                id=dossier_id,
                sha=attachment.get("sha256"),
            )
        )
    else:
        f.printer.object(attachment)


ONLY = ("dossier", "messages")


@app.command("download")
def download(
    dossier_id: DOSSIER_ID,
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help=_("Folder to save into (default: ./ID)."), metavar="DIR"),
    ] = None,
    only: Annotated[
        str | None,
        typer.Option(
            "--only",
            help=_("Only the dossier's own files, or only the messages' attachments."),
            metavar="dossier|messages",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help=_("Replace files of an earlier download that differ.")),
    ] = False,
) -> None:
    """Save a dossier's attachments, documents (with seals) and messages' files.

    A file already saved with the same content is left alone, so running the
    command again only fetches what is new (e.g. the agent's latest files).
    """
    from monespace_cli.commands._dossier_download import FileSaver

    if only is not None and only not in ONLY:
        raise UsageProblem(_("--only is one of: {choices}.").format(choices=", ".join(ONLY)))
    f = current()
    target = directory or Path(dossier_id)
    saver = FileSaver(force=force)
    saved: list[dict[str, Any]] = []
    with f.client() as client:
        dossier = dict(client.get_dossier(dossier_id))  # 404 (not mine) before any folder
        messages = [dict(m) for m in client.list_messages(dossier_id)] if only != "dossier" else []
        target.mkdir(parents=True, exist_ok=True)
        if only != "messages":
            saved += _save_dossier_files(client, saver, dossier, target)
        saved += _save_message_files(client, saver, messages, target)
    f.printer.list(
        saved,
        [
            Column("kind", _("KIND")),
            Column("id", _("ID")),
            Column("author", _("FROM"), _from_text),
            Column("status", _("STATUS"), _status_text),
            Column("path", _("SAVED AS")),
        ],
        empty=_("Nothing to download."),
    )


def _save_dossier_files(
    client: PortalClient, saver: FileSaver, dossier: dict[str, Any], target: Path
) -> list[dict[str, Any]]:
    """The dossier's own attachments, then its documents with their seals."""
    import json

    from monespace_cli.commands._dossier_download import UNCHANGED
    from monespace_cli.files import SEAL_SUFFIX, with_suffix_added

    rows: list[dict[str, Any]] = []
    for att in dossier.get("attachments") or []:
        path, status = saver.save(
            target / "attachments",
            att.get("filename") or att["id"],
            att.get("sha256"),
            partial(client.download_attachment, att["id"]),
        )
        rows.append(_row("attachment", att["id"], None, None, status, path))
    for doc in client.iter_documents():
        if doc.get("dossier_id") != dossier["id"]:
            continue
        path, status = saver.save(
            target / "documents",
            doc.get("filename") or doc["id"],
            doc.get("sha256"),
            partial(client.download_document, doc["id"]),
            reserve=len(SEAL_SUFFIX),
        )
        seal = with_suffix_added(path, SEAL_SUFFIX)
        if status != UNCHANGED or not seal.exists():
            seal.write_text(json.dumps(client.get_seal(doc["id"]), indent=2) + "\n")
        rows.append(_row("document", doc["id"], None, None, status, path))
    return rows


def _save_message_files(
    client: PortalClient, saver: FileSaver, messages: list[dict[str, Any]], target: Path
) -> list[dict[str, Any]]:
    """Every message's attachments (the agent's files and the applicant's answers)."""
    rows: list[dict[str, Any]] = []
    for message in messages:
        author = dict(message.get("author") or {})
        for att in message.get("attachments") or []:
            path, status = saver.save(
                target / "messages",
                att.get("filename") or att["id"],
                att.get("sha256"),
                partial(client.download_attachment, att["id"]),
            )
            rows.append(_row("message", att["id"], author, message.get("id"), status, path))
    return rows


def _row(
    kind: str,
    item_id: str,
    author: dict[str, Any] | None,
    message_id: str | None,
    status: str,
    path: Path,
) -> dict[str, Any]:
    """One line of the summary: which file, from which message, what was done."""
    return {
        "kind": kind,
        "id": item_id,
        "message_id": message_id,
        "author": author,
        "status": status,
        "path": str(path),
    }


def _from_text(author: dict[str, Any] | None) -> str:
    """Who sent the file: the dossier itself, or a message's author and role."""
    if not author:
        return _("dossier")
    role = _("agent") if author.get("role") == "agent" else _("applicant")
    return _("{role} {name}").format(role=role, name=author.get("name") or "?")


def _status_text(status: str) -> str:
    """The summary's status in the user's language (JSON keeps the English word)."""
    labels = {"saved": _("saved"), "unchanged": _("unchanged"), "replaced": _("replaced")}
    return labels.get(status, status)


# -- watch --------------------------------------------------------------------


@app.command("watch")
def watch(
    dossier_id: Annotated[
        str | None, typer.Argument(help=_("Only this dossier."), metavar="[ID]")
    ] = None,
    until_decided: Annotated[
        bool,
        typer.Option("--until-decided", help=_("Stop once the dossier is decided (needs ID).")),
    ] = False,
    since: Annotated[
        str | None,
        typer.Option("--since", help=_("Replay events after this event id."), metavar="EVENT_ID"),
    ] = None,
) -> None:
    """Follow dossier events live; reconnects by itself after a drop."""
    from monespace_cli.commands._watch import watch_events

    if until_decided and not dossier_id:
        raise UsageProblem(_("--until-decided needs a dossier ID."))
    watch_events(current(), dossier_id, until_decided=until_decided, since=since)
