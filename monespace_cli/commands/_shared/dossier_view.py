"""A dossier for people: summary, data with prefilled fields marked, attachments.

``dossier show`` (the applicant) and ``agent show`` (the back office) print
the same summary and data, so both take it from here. The fields the portal
prefilled from an authentic source are marked, so a person sees what they did
not type and can check it. Scripts (``-o json``) get the API object as is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from monespace_cli.context import Factory
from monespace_cli.i18n import _
from monespace_cli.output import Column
from monespace_cli.status_text import acting_label, status_label

#: The authentic sources a prefilled field comes from, as the portal names them.
SOURCES = {"rn": _("national register"), "bce": _("enterprise register")}


def _summary_columns() -> list[Column]:
    return [
        Column("id", _("Dossier")),
        Column("procedure", _("Procedure")),
        Column("procedure_version", _("Version")),
        Column("title", _("Title")),
        Column("status", _("Status"), status_label),
        Column("applicant", _("Applicant"), _party),
        Column("acting_as", _("Acting as"), acting_label),
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


def value_text(value: Any) -> str:
    """A data value as typed: strings as they are, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _prefill_source(pointer: str, prefilled: Mapping[str, str]) -> str | None:
    """The source that filled ``pointer`` (or one of its parents)."""
    # forms loads the identifier checks (decimal…): only when data is shown, not on --help
    from monespace_cli.forms import nearest_pointer

    probe = nearest_pointer(pointer, prefilled)
    return None if probe is None else prefilled[probe]


def render_dossier(f: Factory, dossier: Mapping[str, Any]) -> None:
    """The dossier for people (with prefilled marks) or as the API object."""
    printer = f.printer
    if not printer.human:
        printer.object(dossier)
        return
    columns = [c for c in _summary_columns() if dossier.get(c.key.split(".")[0]) not in (None, "")]
    printer.object(dossier, columns, show_context=True)
    _render_data(f, dossier)
    _render_attachments(f, dossier.get("attachments") or [])


def _render_data(f: Factory, dossier: Mapping[str, Any]) -> None:
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
        printer.text(f"  {pointer.ljust(width)}  {value_text(value)}{mark}")


def _render_attachments(f: Factory, attachments: list[dict[str, Any]]) -> None:
    if not attachments:
        return
    printer = f.printer
    printer.heading(_("Attachments"))
    for att in attachments:
        sha = str(att.get("sha256", ""))[:12]
        size = f"{att.get('size', '')} B"
        printer.text(f"  {att.get('kind', '')}  {att.get('filename', '')}  {size}  sha256:{sha}…")
