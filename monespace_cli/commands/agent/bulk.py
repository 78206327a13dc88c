"""``agent bulk``: one action on many dossiers, safely.

Why a dry run before every real run: an agent about to accept 800 dossiers
must see what would change and confirm it, and the real run must change
exactly that. So the real run sends ``items`` — each dossier with the
version the dry run saw — and the portal skips (never overwrites) a dossier
that changed in between. Dossiers the dry run already found impossible are
not sent again; they stay in the report as failed.

A filter that matches more than the portal takes in one request
(``BULK_MAX``) is turned into ids through the queue, and the client sends
chunks. Exit 0 when every dossier changed, 7 (partial) otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from monespace_cli.client import BULK_MAX
from monespace_cli.commands._shared.verbs import verb_group
from monespace_cli.commands.agent import options as opt
from monespace_cli.context import Factory, current
from monespace_cli.errors import PartialSuccess, UsageProblem
from monespace_cli.i18n import N_, _, plural
from monespace_cli.output import Column

if TYPE_CHECKING:
    from monespace_cli.client import BulkResultItem, PortalClient

verbs = verb_group()

ACTIONS = ("claim", "release", "assign", "decide")


@verbs.command("bulk")
def bulk(
    action: Annotated[
        str, typer.Argument(help=_("claim, release, assign or decide."), metavar="ACTION")
    ],
    value: Annotated[
        str | None,
        typer.Argument(
            help=_("assign: the agent's NRN; decide: accept or refuse."), metavar="[NRN|OUTCOME]"
        ),
    ] = None,
    ids: Annotated[
        list[str] | None,
        typer.Option(
            "--ids", help=_("Dossier references (repeat or comma-separate)."), metavar="ID"
        ),
    ] = None,
    from_file: Annotated[
        str | None,
        typer.Option(
            "--from-file", help=_("Dossier references, one a line (- for stdin)."), metavar="FILE"
        ),
    ] = None,
    status: opt.STATUS = None,
    procedure: opt.PROCEDURE = None,
    service: opt.SERVICE = None,
    assigned: opt.ASSIGNED = None,
    overdue: opt.OVERDUE = False,
    older_than: opt.OLDER_THAN = None,
    search: opt.SEARCH = None,
    motivation: opt.MOTIVATION = None,
    motivation_file: opt.MOTIVATION_FILE = None,
    appeal: opt.APPEAL = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=_("Show what would change; change nothing."))
    ] = False,
) -> None:
    """One action on many dossiers: by --ids, --from-file or the queue filters.

    The run is checked first (a dry run), confirmed, then sent with the
    versions seen: a dossier changed in between is skipped, never overwritten.
    Exit 7 when some dossiers were not changed.
    """
    f = current()
    selected = opt.read_ids(ids, from_file, f.io.stdin)
    filters = opt.queue_filters(status, procedure, service, assigned, overdue, older_than, search)
    if selected is not None and any(v is not None for v in filters.values()):
        raise UsageProblem(
            _("Select dossiers either by --ids/--from-file or by filters, not both.")
        )
    params = bulk_params(f, action, value, motivation, motivation_file, appeal)
    run(f, action, params, selected, filters, dry_run=dry_run)


def bulk_params(
    f: Factory,
    action: str,
    value: str | None,
    motivation: str | None,
    motivation_file: str | None,
    appeal: str | None,
) -> dict[str, Any]:
    """The ``params`` of the action, checked (usage errors name what is missing)."""
    if action not in ACTIONS:
        message = _("Unknown bulk action {value!r}: use one of {actions}.")
        raise UsageProblem(message.format(value=action, actions=", ".join(ACTIONS)))
    if action == "assign":
        if value is None:
            raise UsageProblem(_("bulk assign needs the agent's NRN."))
        return {"nrn": opt.check_nrn(value)}
    if action == "decide":
        if value is None:
            raise UsageProblem(_("bulk decide needs accept or refuse."))
        opt.check_outcome(value)
        text = opt.read_motivation(motivation, motivation_file, f.io.stdin)
        params = {"outcome": value, "motivation": text}
        if appeal is not None:
            params["appeal"] = appeal
        return params
    if value is not None:
        raise UsageProblem(_("bulk {action} takes no value.").format(action=action))
    return {}


def _selection(
    client: PortalClient, ids: list[str] | None, filters: dict[str, Any]
) -> dict[str, Any]:
    """``ids=`` or ``filter=`` for the dry run; a filter too big for one request becomes ids."""
    if ids is not None:
        return {"ids": ids}
    wanted = {k: v for k, v in filters.items() if v is not None}
    counts = client.agent_counts(**wanted).get("counts") or {}
    matching = sum(int(counts.get(s, 0)) for s in opt.selected_statuses(wanted.get("status")))
    if matching <= BULK_MAX:
        return {"filter": wanted}
    return {"ids": [item["id"] for item in client.iter_agent_queue(limit=500, **wanted)]}


def run(
    f: Factory,
    action: str,
    params: dict[str, Any],
    ids: list[str] | None,
    filters: dict[str, Any],
    *,
    dry_run: bool,
) -> None:
    """Dry run; then (unless ``dry_run``) confirm and apply with the versions seen."""
    with f.client() as client:
        preview = client.agent_bulk(
            action, params, dry_run=True, **_selection(client, ids, filters)
        )
        results = list(preview.get("results") or [])
        if dry_run or not results:
            _report(f, preview, results)
            return
        _say_summary(f, preview, _("Would change"))
        items = [
            {"id": r["id"], "version": r["version"]}
            for r in results
            if r.get("outcome") == "changed"
        ]
        if not items:
            _finish(f, preview, results)
            return
        question = plural(
            len(items), N_("Apply {action} to {n} dossier?"), N_("Apply {action} to {n} dossiers?")
        ).format(action=action, n=len(items))
        if not f.confirm(question):
            raise UsageProblem(_("Nothing was changed."))
        done = client.agent_bulk(action, params, items=items)
    _finish(f, done, _merge(results, done.get("results") or []))


def _merge(
    preview: Sequence[BulkResultItem], done: Sequence[BulkResultItem]
) -> list[BulkResultItem]:
    """The real run's results, plus the dossiers the dry run already refused, in preview order."""
    by_id = {r["id"]: r for r in done}
    return [by_id.get(r["id"], r) for r in preview]


def _finish(f: Factory, answer: Mapping[str, Any], results: Sequence[BulkResultItem]) -> None:
    summary = _summary(results)
    _report(f, {**answer, "results": results, "summary": summary}, results)
    not_changed = summary["skipped"] + summary["failed"]
    if not_changed:
        message = plural(
            not_changed,
            N_("{n} dossier not changed: see the report."),
            N_("{n} dossiers not changed: see the report."),
        )
        raise PartialSuccess(message.format(n=not_changed))


def _summary(results: Sequence[BulkResultItem]) -> dict[str, int]:
    """Dossiers per outcome (the report's summary is counted from the results shown)."""
    summary = {"changed": 0, "skipped": 0, "failed": 0}
    for result in results:
        outcome = str(result.get("outcome"))
        summary[outcome] = summary.get(outcome, 0) + 1
    return summary


def _columns() -> list[Column]:
    return [
        Column("id", _("ID")),
        Column("change", _("CHANGE")),
        Column("outcome", _("OUTCOME")),
        Column("reason", _("REASON")),
    ]


def _report(f: Factory, answer: Mapping[str, Any], results: Sequence[BulkResultItem]) -> None:
    """Per-dossier table (old → new, outcome) for people; the bulk answer for scripts."""
    if not f.printer.human:
        f.printer.object({**answer, "results": results, "summary": _summary(results)})
        return
    rows = [
        {**r, "change": f"{r.get('old_status') or ''} → {r.get('new_status') or ''}"}
        for r in results
    ]
    f.printer.list(rows, _columns(), empty=_("No dossier matches."))
    label = _("Would change") if answer.get("dry_run") else _("Changed")
    _say_summary(f, {"summary": _summary(results)}, label)


def _say_summary(f: Factory, answer: Mapping[str, Any], label: str) -> None:
    summary = answer.get("summary") or _summary(answer.get("results") or [])
    message = _("{label}: {changed}; skipped: {skipped}; failed: {failed}.")
    f.io.info(
        message.format(
            label=label,
            changed=summary.get("changed", 0),
            skipped=summary.get("skipped", 0),
            failed=summary.get("failed", 0),
        )
    )
