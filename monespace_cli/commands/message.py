"""``monespace message list|send``: the thread between applicant and agent.

Answering a complement request is just sending a message (with the missing
piece attached): the portal moves the dossier back to review by itself.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from monespace_cli.app import noun_app
from monespace_cli.context import current
from monespace_cli.i18n import _
from monespace_cli.output import Column

app = noun_app(_("Read and send messages about a dossier."))

DOSSIER_ID = Annotated[
    str, typer.Argument(help=_("Dossier reference, e.g. MSP-2026-000042."), metavar="ID")
]


def _attachment_names(value: Any) -> str:
    return ", ".join(str(a.get("filename", "")) for a in value or [] if isinstance(a, dict))


@app.command("list")
def list_(dossier_id: DOSSIER_ID) -> None:
    """The messages of a dossier, oldest first; complement requests are marked."""
    f = current()
    with f.client() as client:
        messages = client.list_messages(dossier_id)
    columns = [
        Column("created_at", _("WHEN")),
        Column("author.name", _("FROM")),
        Column("author.role", _("ROLE")),
        Column("complement_request", _("COMPLEMENT?")),
        Column("due_at", _("DUE")),
        Column("body", _("MESSAGE")),
        Column("attachments", _("ATTACHMENTS"), _attachment_names),
    ]
    from monespace_cli.client import Message
    from monespace_cli.output import fields_of

    f.printer.list(messages, columns, empty=_("No message."), fields=fields_of(Message))


@app.command("send")
def send(
    dossier_id: DOSSIER_ID,
    text: Annotated[
        str, typer.Argument(help=_("The message; - reads it from stdin."), metavar="TEXT")
    ],
    attach: Annotated[
        list[str] | None,
        typer.Option(
            "--attach",
            help=_("Attach a file: FILE or kind=FILE (repeatable)."),
            metavar="[KIND=]FILE",
        ),
    ] = None,
) -> None:
    """Send a message to the agent handling the dossier."""
    from monespace_cli.commands._shared.input_files import existing_file
    from monespace_cli.errors import UsageProblem

    f = current()
    body = f.io.stdin.read() if text == "-" else text
    if not body.strip():
        raise UsageProblem(_("The message is empty."))
    files = [_attach_spec(spec, existing_file) for spec in attach or []]
    with f.client() as client:
        ids = []
        for kind, path in files:
            import mimetypes

            ctype = mimetypes.guess_type(path.name)[0]
            with path.open("rb") as handle:
                ids.append(
                    client.add_attachment(dossier_id, kind, path.name, handle, content_type=ctype)[
                        "id"
                    ]
                )
        message = client.send_message(dossier_id, body, attachment_ids=ids or None)
        status = client.get_dossier(dossier_id)["status"] if f.printer.human else None
    if not f.printer.human:
        f.printer.object(message)
        return
    f.io.success(
        _("Message sent on dossier {id} (now {status}).").format(id=dossier_id, status=status)
    )


def _attach_spec(spec: str, existing_file: Any) -> tuple[str, Any]:
    """``kind=FILE`` or ``FILE`` (kind ``other``): message attachments need a kind too."""
    kind, sep, name = spec.partition("=")
    if sep and kind and name and "/" not in kind:
        return kind, existing_file(name)
    return "other", existing_file(spec)
