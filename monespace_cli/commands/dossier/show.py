"""``dossier list``, ``dossier show`` and ``dossier history``: reading dossiers.

``list`` shows the acting context's dossiers, or with ``--all-contexts``
those of every context the person may act for (one query per context, the
context shown in a column). ``history`` gives scripts the events as the API
sent them and people a readable old → new column.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Annotated, Any

import typer

from monespace_cli.client import DOSSIER_STATUSES, Dossier, Event
from monespace_cli.commands._shared.arguments import DOSSIER_ID
from monespace_cli.commands._shared.dossier_view import render_dossier, value_text
from monespace_cli.commands._shared.verbs import verb_group
from monespace_cli.context import current
from monespace_cli.errors import UsageProblem
from monespace_cli.i18n import _
from monespace_cli.output import Column, fields_of

verbs = verb_group()


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


@verbs.command("list")
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
    f = current()
    items: list[Dossier] = []
    with f.client() as client:
        contexts = [c["id"] for c in client.me()["contexts"]] if all_contexts else [f.acting_as]
        for context in contexts:
            found = client.iter_dossiers(
                acting_as=context, status=status, procedure=procedure, limit=min(limit, 500)
            )
            items.extend(itertools.islice(found, limit))
    f.printer.list(
        items,
        _list_columns(all_contexts),
        empty=_("No dossier."),
        show_context=not all_contexts,
        fields=fields_of(Dossier),
    )


@verbs.command("show")
def show(dossier_id: DOSSIER_ID) -> None:
    """Show a dossier: status, data (prefilled fields marked), attachments."""
    f = current()
    with f.client() as client:
        dossier = client.get_dossier(dossier_id)
    render_dossier(f, dossier)


def _change(event: Mapping[str, Any]) -> str:
    """Old → new as typed (JSON for anything but a string), or the event's detail."""
    old, new = event.get("old"), event.get("new")
    if old is None and new is None:
        detail = event.get("detail")
        return "" if detail is None else value_text(detail)
    if old is None:
        return value_text(new)
    return f"{value_text(old)} → {value_text(new)}"


@verbs.command("history")
def history(dossier_id: DOSSIER_ID) -> None:
    """Every change of a dossier: who, acting as whom, when, old → new."""
    f = current()
    with f.client() as client:
        events = client.dossier_events(dossier_id)
    if not f.printer.human:  # scripts get the events as the API sent them
        f.printer.list(events, [], empty=_("No event."), fields=fields_of(Event))
        return
    rows = [{**event, "change": _change(event)} for event in events]
    columns = [
        Column("at", _("WHEN")),
        Column("type", _("EVENT")),
        Column("actor.name", _("WHO")),
        Column("acting_as", _("AS")),
        Column("change", _("CHANGE")),
    ]
    f.printer.list(rows, columns, empty=_("No event."))
