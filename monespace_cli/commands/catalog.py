"""``monespace catalog list|show|form``: the procedures one can file.

Titles and summaries come in the user's language (``title.fr``/``title.en``
picked from the locale); ``--output json`` gives the API objects untouched.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from monespace_cli.app import noun_app
from monespace_cli.context import current
from monespace_cli.errors import UsageProblem
from monespace_cli.i18n import _, pick_language, schema_title
from monespace_cli.output import Column
from monespace_cli.procedure_text import audiences, fee, legal_time

app = noun_app(_("Browse the catalogue of procedures."))

AUDIENCES = ("citizen", "enterprise", "non_profit")


@app.command("list")
def list_(
    audience: Annotated[
        str | None,
        typer.Option(
            "--audience", help=_("citizen, enterprise or non_profit."), metavar="AUDIENCE"
        ),
    ] = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search", "-s", help=_("Words to look for in titles and summaries."), metavar="TEXT"
        ),
    ] = None,
) -> None:
    """List the procedures (all pages)."""
    if audience is not None and audience not in AUDIENCES:
        raise UsageProblem(
            _("Unknown audience {audience!r}: use one of {choices}.").format(
                audience=audience, choices=", ".join(AUDIENCES)
            )
        )
    from monespace_cli.client import Procedure
    from monespace_cli.output import fields_of

    f = current()
    with f.client(auth="optional") as client:
        items = list(client.iter_procedures(audience=audience, q=search))
    f.printer.list(
        items,
        [
            Column("code", _("CODE")),
            Column("title", _("TITLE")),
            Column("audience", _("AUDIENCE"), audiences),
            Column("fee", _("FEE"), fee),
            Column("legal_days", _("LEGAL TIME"), legal_time),
        ],
        empty=_("No procedure matches."),
        fields=fields_of(Procedure),
    )


def _schema_fields(schema: Any, prefix: str = "") -> list[dict[str, Any]]:
    """The form's fields as rows (pointer, title, type, required), nested groups walked."""
    rows: list[dict[str, Any]] = []
    if not isinstance(schema, dict):
        return rows
    required = set(schema.get("required", []))
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        pointer = f"{prefix}/{name}"
        kind = prop.get("type", "")
        if isinstance(kind, list):
            kind = "|".join(str(k) for k in kind)
        if "enum" in prop:
            kind = f"{kind or 'enum'}: " + ", ".join(str(v) for v in prop["enum"])
        elif prop.get("format"):
            kind = f"{kind} ({prop['format']})"
        rows.append(
            {
                "pointer": pointer,
                "title": schema_title(prop),
                "type": kind,
                "required": name in required,
                "prefill": prop.get("x-prefill"),
            }
        )
        if prop.get("type") == "object":
            rows.extend(_schema_fields(prop, pointer))
        elif prop.get("type") == "array" and isinstance(prop.get("items"), dict):
            rows.extend(_schema_fields(prop["items"], pointer + "/*"))
    return rows


@app.command("show")
def show(
    code: Annotated[
        str, typer.Argument(help=_("Procedure code (see catalog list)."), metavar="CODE")
    ],
) -> None:
    """A procedure: fields of its form, attachments, fee, legal time."""
    f = current()
    with f.client(auth="optional") as client:
        procedure = client.get_procedure(code)
    if not f.printer.human:
        f.printer.object(procedure)
        return
    f.printer.object(
        procedure,
        [
            Column("code", _("Code")),
            Column("version", _("Version")),
            Column("title", _("Title")),
            Column("summary", _("Summary")),
            Column("audience", _("Audience"), audiences),
            Column("domain", _("Domain")),
            Column("service.name", _("Service")),
            Column("fee", _("Fee"), fee),
            Column("legal_days", _("Legal time"), legal_time),
        ],
    )
    kinds = procedure.get("attachment_kinds") or []
    if kinds:
        f.printer.heading(_("Attachments"))
        f.printer.list(
            kinds,
            [
                Column("kind", _("KIND")),
                Column("title", _("TITLE"), pick_language),
                Column("required", _("REQUIRED")),
                Column("content_types", _("TYPES")),
            ],
        )
    fields = _schema_fields(procedure.get("form"))
    if fields:
        f.printer.heading(_("Form fields"))
        f.printer.list(
            fields,
            [
                Column("pointer", _("FIELD")),
                Column("title", _("TITLE")),
                Column("type", _("TYPE")),
                Column("required", _("REQUIRED")),
                Column("prefill", _("PREFILLED FROM")),
            ],
        )


@app.command("form")
def form(
    code: Annotated[
        str, typer.Argument(help=_("Procedure code (see catalog list)."), metavar="CODE")
    ],
    version: Annotated[
        int | None, typer.Option("--version", help=_("An older version."), metavar="N")
    ] = None,
) -> None:
    """Print the procedure's form (JSON Schema 2020-12)."""
    f = current()
    with f.client(auth="optional") as client:
        procedure = client.get_procedure(code, version=version)
    f.printer.json(procedure.get("form"))
