"""``dossier new``: start a dossier for a procedure.

The data comes as a file (``--data``) and/or field by field (``--set``,
typed by the procedure's form). The dossier is created with an idempotency
key (a retry after a lost answer files nothing twice), then the ``--attach``
files are uploaded as ``dossier attach`` does.
"""

from __future__ import annotations

from typing import Annotated

import typer

from monespace_cli.commands._shared.dossier_view import render_dossier
from monespace_cli.commands._shared.verbs import verb_group
from monespace_cli.commands.dossier.files import upload
from monespace_cli.commands.dossier.options import SETS, new_key, procedure_form, retry_hint
from monespace_cli.context import current
from monespace_cli.i18n import _

verbs = verb_group()


@verbs.command("new")
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
    # --data/--set parsing loads only when ``new`` runs (~5 ms off ``dossier --help``)
    from monespace_cli.commands.dossier import data_input

    f = current()
    body = data_input.load_data(data, f.io.stdin) if data else None
    uploads = [data_input.parse_attach(a) for a in attach or []]
    with f.client() as client:
        if sets:
            body = data_input.apply_assignments(body or {}, sets, procedure_form(client, code))
        key = idempotency_key or new_key()
        with retry_hint(["monespace", "dossier", "new", code, "…"], key):
            dossier = client.create_dossier(code, body, idempotency_key=key)
        if uploads:
            for kind, path in uploads:
                upload(client, dossier["id"], kind, path)
            dossier = client.get_dossier(dossier["id"])
    if f.printer.human:
        f.io.success(_("Dossier {id} created (draft).").format(id=dossier["id"]))
    render_dossier(f, dossier)
