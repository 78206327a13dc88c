"""``dossier attach`` and ``dossier download``: files into a dossier and out of it.

``download`` saves a dossier's attachments, documents (with seals) and
messages' files. They are saved by :class:`~monespace_cli.commands._shared.file_saver.FileSaver`,
which recognises a file already saved with the same content: running the
command again only fetches what is new (e.g. the agent's latest files).
The summary says for each file where it came from and what was done.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from monespace_cli.commands._shared.arguments import DOSSIER_ID, DOWNLOAD_DIR
from monespace_cli.commands._shared.input_files import existing_file
from monespace_cli.commands._shared.verbs import verb_group
from monespace_cli.context import current
from monespace_cli.errors import UsageProblem
from monespace_cli.i18n import _
from monespace_cli.output import Column

if TYPE_CHECKING:
    from monespace_cli.client import Attachment, Message, PortalClient
    from monespace_cli.commands._shared.file_saver import FileSaver

verbs = verb_group()

#: The values of ``--only``.
ONLY = ("dossier", "messages")


def upload(client: PortalClient, dossier_id: str, kind: str, path: Path) -> Attachment:
    """Send one file as an attachment of ``kind`` (``attach``, and ``new --attach``)."""
    import mimetypes  # ~5 ms: loaded when a file is sent, not on ``dossier --help``

    ctype = mimetypes.guess_type(path.name)[0]
    with path.open("rb") as handle:
        return client.add_attachment(dossier_id, kind, path.name, handle, content_type=ctype)


@verbs.command("attach")
def attach(
    dossier_id: DOSSIER_ID,
    kind: Annotated[
        str, typer.Argument(help=_("Attachment kind (see: monespace catalog show CODE)."))
    ],
    file: Annotated[str, typer.Argument(help=_("PDF, PNG or JPEG file."), metavar="FILE")],
) -> None:
    """Add an attachment to a dossier."""
    f = current()
    path = existing_file(file)
    with f.client() as client:
        attachment = upload(client, dossier_id, kind, path)
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


@verbs.command("download")
def download(
    dossier_id: DOSSIER_ID,
    directory: DOWNLOAD_DIR = None,
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
    # hashlib and the file helpers cost milliseconds: loaded when a download runs, not on --help
    from monespace_cli.commands._shared.file_saver import FileSaver

    if only is not None and only not in ONLY:
        raise UsageProblem(_("--only is one of: {choices}.").format(choices=", ".join(ONLY)))
    f = current()
    target = directory or Path(dossier_id)
    saver = FileSaver(force=force)
    saved: list[dict[str, Any]] = []
    with f.client() as client:
        dossier = client.get_dossier(dossier_id)  # 404 (not mine) before any folder
        messages = client.list_messages(dossier_id) if only != "dossier" else []
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
    client: PortalClient, saver: FileSaver, dossier: Mapping[str, Any], target: Path
) -> list[dict[str, Any]]:
    """The dossier's own attachments, then its documents with their seals."""
    # loaded with the download (see download()), not on ``dossier --help``
    from monespace_cli.commands._shared.file_saver import UNCHANGED
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
    client: PortalClient, saver: FileSaver, messages: list[Message], target: Path
) -> list[dict[str, Any]]:
    """Every message's attachments (the agent's files and the applicant's answers)."""
    rows: list[dict[str, Any]] = []
    for message in messages:
        author = message.get("author")
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
    author: Mapping[str, Any] | None,
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


def _from_text(author: Mapping[str, Any] | None) -> str:
    """Who sent the file: the dossier itself, or a message's author and role."""
    if not author:
        return _("dossier")
    role = _("agent") if author.get("role") == "agent" else _("applicant")
    return _("{role} {name}").format(role=role, name=author.get("name") or "?")


def _status_text(status: str) -> str:
    """The summary's status in the user's language (JSON keeps the English word)."""
    labels = {"saved": _("saved"), "unchanged": _("unchanged"), "replaced": _("replaced")}
    return labels.get(status, status)
