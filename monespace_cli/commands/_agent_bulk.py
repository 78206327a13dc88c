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

from typing import Any

from monespace_cli.context import Factory
from monespace_cli.errors import PartialSuccess, UsageProblem
from monespace_cli.i18n import N_, _, plural
from monespace_cli.output import Column

ACTIONS = ("claim", "release", "assign", "decide")


def bulk_params(
    f: Factory,
    action: str,
    value: str | None,
    motivation: str | None,
    motivation_file: str | None,
    appeal: str | None,
) -> dict[str, Any]:
    """The ``params`` of the action, checked (usage errors name what is missing)."""
    from monespace_cli.commands import _agent_options as opt

    if action not in ACTIONS:
        message = _("Unknown bulk action {value!r}: use one of {actions}.")
        raise UsageProblem(message.format(value=action, actions=", ".join(ACTIONS)))
    if action == "assign":
        if value is None:
            raise UsageProblem(_("bulk assign needs the agent's NRN."))
        return {"nrn": opt.check_nrn(value)}
    if action == "decide":
        from monespace_cli.commands.agent import check_outcome

        if value is None:
            raise UsageProblem(_("bulk decide needs accept or refuse."))
        check_outcome(value)
        text = opt.read_motivation(motivation, motivation_file, f.io.stdin)
        params = {"outcome": value, "motivation": text}
        if appeal is not None:
            params["appeal"] = appeal
        return params
    if value is not None:
        raise UsageProblem(_("bulk {action} takes no value.").format(action=action))
    return {}


def _selection(client: Any, ids: list[str] | None, filters: dict[str, Any]) -> dict[str, Any]:
    """``ids=`` or ``filter=`` for the dry run; a filter too big for one request becomes ids."""
    from monespace_cli.client import BULK_MAX
    from monespace_cli.commands._agent_options import selected_statuses

    if ids is not None:
        return {"ids": ids}
    wanted = {k: v for k, v in filters.items() if v is not None}
    counts = client.agent_counts(**wanted).get("counts") or {}
    matching = sum(int(counts.get(s, 0)) for s in selected_statuses(wanted.get("status")))
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
        preview = dict(
            client.agent_bulk(action, params, dry_run=True, **_selection(client, ids, filters))
        )
        results = [dict(r) for r in preview.get("results") or []]
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
        done = dict(client.agent_bulk(action, params, items=items))
    _finish(f, done, _merge(results, [dict(r) for r in done.get("results") or []]))


def _merge(preview: list[dict[str, Any]], done: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The real run's results, plus the dossiers the dry run already refused, in preview order."""
    by_id = {r["id"]: r for r in done}
    return [by_id.get(r["id"], r) for r in preview]


def _finish(f: Factory, answer: dict[str, Any], results: list[dict[str, Any]]) -> None:
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


def _summary(results: list[dict[str, Any]]) -> dict[str, int]:
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


def _report(f: Factory, answer: dict[str, Any], results: list[dict[str, Any]]) -> None:
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


def _say_summary(f: Factory, answer: dict[str, Any], label: str) -> None:
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
