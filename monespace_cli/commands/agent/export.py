"""``agent export``: the queue as CSV or JSON Lines, streamed to a file or stdout.

The portal builds the file (Excel variant, formula-injection-safe cells);
the CLI only streams it, so an export of 100,000 dossiers never sits in
memory. Written to a file, it goes to a temporary file in the same folder
that is renamed at the end: an interrupted export never leaves a truncated
file under the name asked for.

The format comes from the global ``-o/--output`` (``csv`` by default,
``jsonl``), since ``--output`` is a global option everywhere in the CLI.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from monespace_cli.client import EXPORT_FIELDS
from monespace_cli.commands._shared.verbs import verb_group
from monespace_cli.commands.agent import options as opt
from monespace_cli.context import Factory, current
from monespace_cli.errors import UsageProblem
from monespace_cli.i18n import _
from monespace_cli.sizes import human_size

verbs = verb_group()

FORMATS = ("csv", "jsonl")


@verbs.command("export")
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
    f = current()
    filters = opt.queue_filters(status, procedure, service, assigned, overdue, older_than, search)
    export_queue(f, filters, fields=fields, excel=excel, file=file)


def export_format(f: Factory) -> str:
    """``csv`` or ``jsonl`` from ``-o``; anything else is a usage error."""
    if f.options.jq is not None:
        raise UsageProblem(_("agent export streams the portal's file: --jq does not apply."))
    fmt = f.options.output or "csv"
    if fmt not in FORMATS:
        message = _("agent export writes csv or jsonl, not {fmt!r}: use -o csv or -o jsonl.")
        raise UsageProblem(message.format(fmt=fmt))
    return fmt


def check_fields(text: str | None) -> list[str] | None:
    if text is None:
        return None
    fields = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [name for name in fields if name not in EXPORT_FIELDS]
    if unknown or not fields:
        message = _("Unknown field {name!r}: use some of {fields}.")
        raise UsageProblem(
            message.format(name=(unknown or [text])[0], fields=", ".join(EXPORT_FIELDS))
        )
    return fields


def export_queue(
    f: Factory, filters: dict[str, Any], *, fields: str | None, excel: bool, file: Path | None
) -> None:
    """Stream the export into ``file`` (atomically) or stdout."""
    fmt = export_format(f)
    if excel and fmt != "csv":
        raise UsageProblem(_("--excel is for CSV exports."))
    names = check_fields(fields)
    wanted = {k: v for k, v in filters.items() if v is not None}
    with f.client() as client:
        if file is None:
            out = _stdout_bytes(f)
            client.agent_export(out, format=fmt, fields=names, excel=excel, **wanted)
            out.flush()
            return
        size = _atomic_write(
            file,
            lambda out: client.agent_export(out, format=fmt, fields=names, excel=excel, **wanted),
        )
    f.io.success(_("Exported {size} to {path}.").format(size=human_size(size), path=file))


def _stdout_bytes(f: Factory) -> IO[bytes]:
    """The byte stream under the command's stdout (the export is bytes, BOM included)."""
    f.io.stdout.flush()
    buffer = getattr(f.io.stdout, "buffer", None)
    return buffer if buffer is not None else sys.stdout.buffer


def _atomic_write(path: Path, write: Any) -> int:
    """:func:`monespace_cli.files.atomic_write`, with the CLI's message for a missing folder."""
    from monespace_cli.files import atomic_write  # tempfile, ~8 ms: not on ``agent --help``

    try:
        return atomic_write(path, write)
    except FileNotFoundError:
        folder = path.resolve().parent
        raise UsageProblem(_("No such folder: {path}").format(path=folder)) from None
