"""``agent queue``: the dossiers of the agent's services to handle, oldest first.

The table stays parseable on stdout; the counts per status for the same
filters go to stderr (people see them, pipes do not), and so does the hint
when more dossiers match than the ``--limit`` shown.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Annotated, Any

import typer

from monespace_cli.client import AGENT_STATUSES, QueueItem
from monespace_cli.commands._shared.verbs import verb_group
from monespace_cli.commands.agent import options as opt
from monespace_cli.commands.agent.access import agents_only
from monespace_cli.context import Factory, current
from monespace_cli.i18n import _
from monespace_cli.output import Column, fields_of

verbs = verb_group()


def _queue_columns() -> list[Column]:
    return [
        Column("id", _("ID")),
        Column("procedure", _("PROCEDURE")),
        Column("status", _("STATUS")),
        Column("applicant.name", _("APPLICANT")),
        Column("submitted_at", _("SUBMITTED"), _day),
        Column("decision_due_at", _("DUE"), _day),
        Column("overdue", _("LATE"), lambda v: "!" if v else ""),
        Column("age_days", _("AGE")),
        Column("assigned_to.name", _("ASSIGNED")),
        Column("title", _("TITLE")),
    ]


def _day(value: Any) -> str:
    """The date part of an RFC 3339 time (a queue is read by day)."""
    return str(value)[:10] if value else ""


@verbs.command("queue")
def queue(
    status: opt.STATUS = None,
    procedure: opt.PROCEDURE = None,
    service: opt.SERVICE = None,
    assigned: opt.ASSIGNED = None,
    overdue: opt.OVERDUE = False,
    older_than: opt.OLDER_THAN = None,
    search: opt.SEARCH = None,
    sort: Annotated[
        str | None,
        typer.Option(
            "--sort", help=_("age, -age, due, -due or updated (default: age)."), metavar="KEY"
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", help=_("At most this many dossiers."), min=1)
    ] = 50,
    every: Annotated[bool, typer.Option("--all", help=_("Every matching dossier."))] = False,
) -> None:
    """The dossiers of your services to handle, oldest first; counts per status on stderr."""
    f = current()
    filters = opt.queue_filters(status, procedure, service, assigned, overdue, older_than, search)
    order = opt.check_sort(sort)
    with f.client() as client, agents_only():
        found = iter(
            client.iter_agent_queue(sort=order, limit=500 if every else min(limit, 500), **filters)
        )
        items = list(found if every else itertools.islice(found, limit))
        more = not every and next(found, None) is not None
        counts = client.agent_counts(**filters) if f.printer.human else None
    f.printer.list(
        items, _queue_columns(), empty=_("No dossier in the queue."), fields=fields_of(QueueItem)
    )
    if counts is not None:
        _say_counts(f, counts)
    if more:
        message = _("More dossiers match than the {n} shown.")
        f.io.warn(message.format(n=len(items)))
        f.io.info(_("Get them all with --all, or more with --limit N."))


def _say_counts(f: Factory, counts: Mapping[str, Any]) -> None:
    """Dossiers per status for the same filters (stderr: the table stays parseable)."""
    per_status = counts.get("counts") or {}
    width = max(len(s) for s in AGENT_STATUSES)
    f.io.info("")
    for name in AGENT_STATUSES:
        f.io.info(f"  {name.ljust(width)}  {per_status.get(name, 0):>6}")
    f.io.info(f"  {_('open').ljust(width)}  {counts.get('total', 0):>6}")
