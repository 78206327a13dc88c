"""``agent download``: every attachment of a dossier, its own and its messages', in a folder.

Saved by the same :class:`~monespace_cli.commands._shared.file_saver.FileSaver`
as ``dossier download``, so running it again adds no duplicates.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from monespace_cli.commands._shared.arguments import DOSSIER_ID, DOWNLOAD_DIR
from monespace_cli.commands._shared.verbs import verb_group
from monespace_cli.context import current
from monespace_cli.i18n import _
from monespace_cli.output import Column

verbs = verb_group()


@verbs.command("download")
def download(
    dossier_id: DOSSIER_ID,
    directory: DOWNLOAD_DIR = None,
) -> None:
    """Save every attachment of a dossier (its own and its messages') in a folder."""
    # hashlib and the file helpers cost milliseconds: loaded when a download runs, not on --help
    from monespace_cli.commands._shared.file_saver import FileSaver

    f = current()
    target = directory or Path(dossier_id)
    saved: list[dict[str, Any]] = []
    saver = FileSaver()
    with f.client() as client:
        dossier = client.agent_dossier(dossier_id)
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
