"""``dossier fill`` and ``dossier validate``: complete a draft, see what is missing.

``fill`` has three ways in, one per kind of person or script: ``--data``/
``--set`` (scripts), ``--editor`` (YAML in $EDITOR, :mod:`.editor`) and,
by default, field by field from the form (:mod:`.form_filler`). After
saving it runs the portal's validation and says what is still to do, so the
person learns it before ``submit``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import typer

from monespace_cli.commands._shared.arguments import DOSSIER_ID
from monespace_cli.commands._shared.verbs import verb_group
from monespace_cli.commands.dossier.options import SETS, procedure_form
from monespace_cli.context import Factory, current
from monespace_cli.errors import RejectedInput, field_lines
from monespace_cli.i18n import _

verbs = verb_group()


@verbs.command("fill")
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
    # The three ways in (and their dataclasses, YAML, temporary files) load only when
    # ``fill`` runs: imported with the noun, they cost ``dossier --help`` ~10 ms.
    from monespace_cli.commands.dossier import data_input
    from monespace_cli.commands.dossier.editor import edit_loop
    from monespace_cli.commands.dossier.form_filler import fill_interactively

    f = current()
    with f.client() as client:
        dossier = client.get_dossier(dossier_id)
        form = procedure_form(client, dossier["procedure"], dossier.get("procedure_version"))
        if data is not None or sets:
            body = (
                data_input.load_data(data, f.io.stdin)
                if data is not None
                else dossier.get("data") or {}
            )
            body = data_input.apply_assignments(body, sets or [], form)  # works on a copy
            dossier = client.put_dossier_data(dossier_id, body, version=dossier["version"])
        elif editor:
            dossier = edit_loop(f, client, dossier)
        else:
            dossier = fill_interactively(f, client, dossier, form or {})
        result = client.validate_dossier(dossier_id)
    if not f.printer.human:
        f.printer.object(dossier)
        return
    message = _("Dossier {id} saved (version {version}).")
    f.io.success(message.format(id=dossier_id, version=dossier.get("version")))
    _say_validation(f, result)


def _say_validation(f: Factory, result: Mapping[str, Any]) -> None:
    """Tell what is still missing before a dossier can be submitted."""
    if result.get("valid"):
        f.io.success(_("The dossier is complete: submit it with monespace dossier submit."))
        return
    f.io.warn(_("Still to do before submitting:"))
    for line in field_lines(result.get("errors") or []):
        f.io.info(f"  {line}")
    for kind in result.get("missing_attachments") or []:
        f.io.info("  " + _("missing attachment: {kind}").format(kind=kind))


@verbs.command("validate")
def validate(dossier_id: DOSSIER_ID) -> None:
    """Check a dossier against its form and required attachments (exit 5 if incomplete)."""
    f = current()
    with f.client() as client:
        result = client.validate_dossier(dossier_id)
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
