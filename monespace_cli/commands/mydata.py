"""``monespace mydata show|access-log``: my data in the authentic sources, and who read it.

The access log is the citizen's (or organisation's) right to know: every
read by someone else — a prefill, an agent opening a dossier — with when,
which data and why.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any

import typer

from monespace_cli.app import noun_app
from monespace_cli.context import current
from monespace_cli.i18n import _
from monespace_cli.output import Column

app = noun_app(_("What the authentic sources hold about you, and who read it."))

SOURCES = {"rn": _("National register"), "bce": _("Enterprise register (BCE)")}


def _leaves(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        out: list[tuple[str, str]] = []
        for key, sub in value.items():
            out.extend(_leaves(sub, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            out = []
            for index, sub in enumerate(value):
                out.extend(_leaves(sub, f"{prefix}[{index}]"))
            return out
        return [(prefix, ", ".join(str(v) for v in value))]
    return [(prefix, "" if value is None else str(value))]


@app.command("show")
def show() -> None:
    """What the authentic sources hold on you (or on the organisation you act for)."""
    f = current()
    with f.client() as client:
        data = client.mydata()
    if not f.printer.human:
        f.printer.object(data)
        return
    source = str(data.get("source", ""))
    f.io.info(_("Source: {source}").format(source=SOURCES.get(source, source)))
    record = {k: v for k, v in data.items() if k != "source"}
    rows = [{"field": k, "value": v} for k, v in _leaves(record)]
    f.printer.list(
        rows, [Column("field", _("FIELD")), Column("value", _("VALUE"))], show_context=True
    )


@app.command("access-log")
def access_log(
    limit: Annotated[
        int, typer.Option("--limit", help=_("At most this many entries."), min=1)
    ] = 50,
) -> None:
    """Who read your data, when, which data and why (newest first)."""
    f = current()
    with f.client() as client:
        entries = list(itertools.islice(client.iter_access_log(), limit))
    columns = [
        Column("at", _("WHEN")),
        Column("accessor.name", _("WHO")),
        Column("accessor_organisation", _("FOR"), _organisation),
        Column("data", _("DATA")),
        Column("purpose", _("PURPOSE")),
        Column("dossier_id", _("DOSSIER")),
    ]
    f.printer.list(entries, columns, empty=_("Nobody has read your data."), show_context=True)


def _organisation(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("bce") or "")
    return "" if value is None else str(value)
