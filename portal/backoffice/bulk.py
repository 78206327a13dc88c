"""Bulk actions: one action over a list of dossiers or a queue filter, with a dry run.

Why each dossier in its own transaction: "accept these 800 dossiers" must not
be all-or-nothing — one dossier withdrawn meanwhile fails alone, the others
go on, and every dossier gets its own result. Each is written with the
conditional update of :func:`portal.backoffice.actions.apply` against the
version the caller saw (``items``) or the one read when the run started
(``ids``, ``filter``): a dossier changed in between is *skipped* with reason
``changed``, never overwritten.

The dry run goes through the same reading and planning code and stops before
writing, so it lists exactly what the real run would do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.backoffice import actions
from portal.backoffice.access import AgentCaller, service_of
from portal.backoffice.queue import SORTS, iter_dossiers, parse_filters
from portal.models import Dossier, parse_dossier_id
from portal.problems import FieldError, Problem, validation_failed

MAX_DOSSIERS = 5_000
ACTIONS = ("claim", "release", "assign", "decide")
CHANGED, SKIPPED, FAILED = "changed", "skipped", "failed"


@dataclass(frozen=True)
class Target:
    """One dossier of the run, with the version the caller saw (or None)."""

    id: str
    version: int | None = None


@dataclass(frozen=True)
class BulkRequest:
    """``POST /agent/bulk`` once the body is parsed."""

    action: str
    params: dict[str, Any] = field(default_factory=dict)
    ids: Sequence[str] | None = None
    items: Sequence[Target] | None = None
    filter: dict[str, Any] | None = None
    dry_run: bool = False


def _check(request: BulkRequest) -> actions.Decision | None:
    """422 for a request that cannot run at all (every problem at once)."""
    errors: list[FieldError] = []
    given = [k for k in ("ids", "items", "filter") if getattr(request, k) is not None]
    if len(given) != 1:
        errors.append(FieldError("", "give exactly one of ids, items or filter"))
    if request.action not in ACTIONS:
        errors.append(FieldError("/action", f"one of {', '.join(ACTIONS)}"))
    listed = request.ids if request.ids is not None else request.items
    if listed is not None and len(listed) > MAX_DOSSIERS:
        where = "/ids" if request.ids is not None else "/items"
        errors.append(FieldError(where, f"at most {MAX_DOSSIERS} dossiers a run; split it"))
    nrn = request.params.get("nrn")
    if request.action == "assign" and not (isinstance(nrn, str) and len(nrn) == 11):
        errors.append(FieldError("/params/nrn", "the 11-digit NRN of an agent of the service"))
    if errors:
        raise validation_failed("the bulk request is not valid", errors)
    if request.action != "decide":
        return None
    decision = actions.Decision(
        outcome=str(request.params.get("outcome") or ""),
        motivation=str(request.params.get("motivation") or ""),
        appeal=request.params.get("appeal"),
    )
    return actions.check_decision(decision, "/params")


def targets_of(db: Session, caller: AgentCaller, request: BulkRequest) -> list[Target]:
    """The dossiers of the run, in order, without duplicates (filter: oldest first)."""
    if request.items is not None:
        return list({t.id: t for t in request.items}.values())
    if request.ids is not None:
        return [Target(i) for i in dict.fromkeys(request.ids)]
    raw = dict(request.filter or {})
    known = {"status", "procedure", "service", "assigned", "overdue", "older_than", "q"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise validation_failed(
            "unknown filter", [FieldError(f"/filter/{k}", "not a queue filter") for k in unknown]
        )
    filters = parse_filters(
        **{k: raw[k] for k in known if raw.get(k) is not None}, pointer="/filter"
    )
    found: list[Target] = []
    for batch in iter_dossiers(db, caller, filters, SORTS["age"]):
        found.extend(Target(d.public_id) for d in batch)
        if len(found) > MAX_DOSSIERS:
            raise validation_failed(
                "the filter matches too many dossiers",
                [FieldError("/filter", f"more than {MAX_DOSSIERS} dossiers; narrow it or split")],
            )
    return found


def _snapshot(
    db: Session, caller: AgentCaller, targets: list[Target]
) -> dict[str, tuple[Dossier, str, int]]:
    """``{public id: (dossier, service, version)}`` of the visible targets, read at start.

    One query a batch of 500: the run then plans from this reading, and the
    conditional update of each write checks that nothing changed since.
    """
    pks: dict[int, str] = {}
    for target in targets:
        parsed = parse_dossier_id(target.id)
        if parsed is not None:
            pks[parsed[1]] = target.id
    found: dict[str, tuple[Dossier, str, int]] = {}
    chunk = list(pks)
    for start in range(0, len(chunk), 500):
        query = select(Dossier).where(Dossier.id.in_(chunk[start : start + 500]))
        for dossier in db.scalars(query):
            public = pks[dossier.id]
            service = service_of(caller, dossier)
            if service is not None and dossier.public_id == public:
                found[public] = (dossier, service, dossier.version)
    return found


def _plan(
    db: Session,
    caller: AgentCaller,
    dossier: Dossier,
    service: str,
    request: BulkRequest,
    decision: actions.Decision | None,
) -> actions.Change:
    if request.action == "claim":
        return actions.plan_claim(caller, dossier)
    if request.action == "release":
        return actions.plan_release(caller, dossier, service)
    if request.action == "assign":
        nrn = str(request.params["nrn"])
        return actions.plan_assign(db, caller, dossier, service, nrn, "/params/nrn")
    assert decision is not None
    return actions.plan_decide(dossier, decision)


def _result(
    target: Target,
    version: int | None,
    outcome: str,
    old: str | None,
    new: str | None,
    reason: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": target.id,
        "version": version,
        "outcome": outcome,
        "old_status": old,
        "new_status": new,
    }
    if reason is not None:
        body["reason"] = reason
    return body


def _reason(problem: Problem) -> str:
    if problem.errors:
        return "; ".join(e["message"] for e in problem.errors)
    return problem.detail


def _one(
    db: Session,
    caller: AgentCaller,
    target: Target,
    found: tuple[Dossier, str, int] | None,
    request: BulkRequest,
    decision: actions.Decision | None,
) -> dict[str, Any]:
    """Plan (and unless dry run, apply and commit) the action on one dossier."""
    if found is None:
        return _result(target, target.version, FAILED, None, None, "not found")
    dossier, service, version_at_start = found
    expected = target.version if target.version is not None else version_at_start
    if dossier.version != expected:
        return _result(target, expected, SKIPPED, dossier.status, dossier.status, "changed")
    try:
        change = _plan(db, caller, dossier, service, request, decision)
    except Problem as problem:
        return _result(target, expected, FAILED, dossier.status, dossier.status, _reason(problem))
    if change.empty:
        return _result(target, expected, SKIPPED, dossier.status, dossier.status, "unchanged")
    if not request.dry_run:
        try:
            actions.apply(db, caller, dossier, change, expected)
        except Problem as problem:
            db.rollback()
            if problem.kind == "stale-version":
                return _result(
                    target, expected, SKIPPED, change.old_status, change.old_status, "changed"
                )
            return _result(
                target, expected, FAILED, change.old_status, change.old_status, _reason(problem)
            )
        db.commit()  # this dossier's own transaction
    return _result(target, expected, CHANGED, change.old_status, change.new_status)


def run(db: Session, caller: AgentCaller, request: BulkRequest) -> dict[str, Any]:
    """Run (or dry-run) the bulk request; one result per dossier, then a summary.

    The dry run reads and plans in one transaction and writes nothing. A real
    run ends the reading transaction first; each change then runs in its own
    (a dossier a rollback expired is simply read again when planned).
    """
    decision = _check(request)
    targets = targets_of(db, caller, request)
    snapshot = _snapshot(db, caller, targets)
    if not request.dry_run:
        db.commit()  # nothing written; ends the read without expiring the snapshot
    results = [_one(db, caller, t, snapshot.get(t.id), request, decision) for t in targets]
    if request.dry_run:
        db.rollback()
    summary = {k: sum(r["outcome"] == k for r in results) for k in (CHANGED, SKIPPED, FAILED)}
    return {"dry_run": request.dry_run, "results": results, "summary": summary}
