"""The agents' queue: filters, counts per status, keyset pages in four orders.

Why one branch per (procedure, status) joined with UNION ALL: a service
handles a few procedures, and a page asks for several statuses. One query
``WHERE procedure IN (…) AND status IN (…) ORDER BY submitted_at`` cannot
walk the queue index in order (the index is ordered within each
(procedure, status) pair only), so the database would read and sort every
matching row for each page. Each branch instead reads at most ``limit``
rows in index order (``ix_dossiers_queue_age`` / ``ix_dossiers_queue_due``),
and only those few are merged: a page deep in 100,000 dossiers costs what
the first one does. The keyset is (sort key, id); a cursor is bound to its
sort.

``decision_due_at`` and ``submitted_at`` are set for every dossier past
draft (on submit, by the seed, and backfilled by migration 0003), so the
keys are never NULL in the queue.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Table,
    and_,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session, defer

from portal import search_index
from portal.backoffice.access import AgentCaller, visible_clauses
from portal.domain import states
from portal.domain.serialize import applicant_json, rfc3339
from portal.models import (
    Dossier,
    Person,
    ProcedureVersion,
    UTCDateTime,
    parse_dossier_id,
    utcnow,
)
from portal.pagination import decode_cursor, page
from portal.problems import FieldError, Problem, validation_failed
from portal.search_key import fold
from portal.timestamps import parse_instant

#: Statuses the queue shows by default: the dossiers still waiting for someone.
OPEN = (states.SUBMITTED, states.IN_REVIEW, states.AWAITING_COMPLEMENT)
#: Every status an agent may see a dossier in (never drafts; and within
#: these, only dossiers submitted once: portal.backoffice.access).
VISIBLE = tuple(s for s in states.STATUSES if s != states.DRAFT)
_TABLE: Table = Dossier.__table__  # type: ignore[assignment]
#: A decided (or ended) dossier is never overdue.
UNDECIDED = frozenset(OPEN)
MAX_Q = 200


@dataclass(frozen=True)
class Sort:
    """One queue order: the column, its direction, and the cursor kind."""

    name: str
    column: str
    descending: bool

    @property
    def kind(self) -> str:
        """The cursor kind (a cursor of one sort is refused by another)."""
        return f"agent-queue:{self.name}"


SORTS = {
    "age": Sort("age", "submitted_at", False),
    "-age": Sort("-age", "submitted_at", True),
    "due": Sort("due", "decision_due_at", False),
    "-due": Sort("-due", "decision_due_at", True),
    "updated": Sort("updated", "updated_at", True),
}


@dataclass(frozen=True)
class QueueFilters:
    """The queue filters of docs/api.md, parsed and checked."""

    statuses: tuple[str, ...] = OPEN
    procedures: tuple[str, ...] = ()
    service: str | None = None
    assigned: str | None = None  # "me", "none" or an NRN
    overdue: bool | None = None
    older_than: int | None = None
    q: str | None = None
    errors: list[FieldError] = field(default_factory=list, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The filters as query parameters (for bulk requests and logs)."""
        body: dict[str, Any] = {"status": ",".join(self.statuses)}
        for key in ("service", "assigned", "overdue", "older_than", "q"):
            if getattr(self, key) is not None:
                body[key] = getattr(self, key)
        if self.procedures:
            body["procedure"] = ",".join(self.procedures)
        return body


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def parse_statuses(value: str | None, pointer: str = "/status") -> tuple[str, ...]:
    """``submitted,in_review`` / ``all`` / None (the open ones); 422 for unknown ones."""
    parts = _split(value)
    if not parts:
        return OPEN
    if parts == ["all"]:
        return VISIBLE
    unknown = [p for p in parts if p not in VISIBLE]
    if unknown:
        raise validation_failed(
            "unknown status in the filter",
            [FieldError(pointer, f"not a back-office status: {', '.join(unknown)}")],
        )
    return tuple(dict.fromkeys(parts))


def parse_filters(
    *,
    status: str | None = None,
    procedure: str | None = None,
    service: str | None = None,
    assigned: str | None = None,
    overdue: bool | None = None,
    older_than: int | None = None,
    q: str | None = None,
    pointer: str = "",
) -> QueueFilters:
    """Check the raw query values (422 with every problem, pointers per field)."""
    errors: list[FieldError] = []
    if assigned is not None and assigned not in ("me", "none"):
        if not (assigned.isdigit() and len(assigned) == 11):
            errors.append(
                FieldError(f"{pointer}/assigned", 'must be "me", "none" or an 11-digit NRN')
            )
    if older_than is not None and not 0 <= older_than <= 36_500:
        errors.append(FieldError(f"{pointer}/older_than", "a number of days, 0 to 36500"))
    if q is not None and len(q) > MAX_Q:
        errors.append(FieldError(f"{pointer}/q", f"at most {MAX_Q} characters"))
    try:
        statuses = parse_statuses(status, f"{pointer}/status")
    except Problem as exc:
        errors.extend(FieldError(e["pointer"], e["message"]) for e in exc.errors or [])
        statuses = OPEN
    if errors:
        raise validation_failed("the queue filter is not valid", errors)
    return QueueFilters(
        statuses=statuses,
        procedures=tuple(_split(procedure)),
        service=service or None,
        assigned=assigned,
        overdue=overdue,
        older_than=older_than,
        q=q.strip() if q and q.strip() else None,
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filter_shape(
    caller: AgentCaller, filters: QueueFilters, now: dt.datetime, dialect: str = ""
) -> tuple[tuple[str, ...], dict[str, Any]]:
    """Which filters apply (the statement's shape) and their values (bound parameters).

    Why split: the page statement is built once per shape and cached
    (:func:`_page_statement`); only the parameters change from page to page.
    On SQLite a ``q`` of three characters or more also goes through the
    trigram table (``q_fts``, :mod:`portal.search_index`); PostgreSQL's
    trigram index serves the same conditions without a change of SQL.
    """
    shape: list[str] = []
    params: dict[str, Any] = {}
    if filters.assigned == "none":
        shape.append("unassigned")
    elif filters.assigned is not None:
        shape.append("assigned")
        params["assigned"] = caller.person.nrn if filters.assigned == "me" else filters.assigned
    if filters.older_than is not None:
        shape.append("older")
        params["older_cut"] = now - dt.timedelta(days=filters.older_than)
    if filters.overdue is not None:
        shape.append("overdue" if filters.overdue else "not_overdue")
        params["now"] = now
    if filters.q:
        shape.append("q")
        # Compared with the stored folded text: "wery" finds "Wéry" (portal/search_key.py).
        folded = fold(filters.q) or filters.q
        params["q_like"] = _like(folded)
        parsed = parse_dossier_id(filters.q.upper())
        digits = filters.q.upper().removeprefix("MSP-").split("-")[-1]
        number: str | None = None
        if parsed is not None:
            shape.append("q_id")
            params["q_id"] = parsed[1]
        elif digits.isdigit() and digits.strip("0"):
            # Part of the number of "MSP-2026-000042": match on the integer id.
            shape.append("q_digits")
            number = digits.lstrip("0")
            params["q_digits"] = _like(number)
        match = search_index.fts_query(folded, number)
        if dialect == "sqlite" and match is not None:
            shape.append("q_fts")
            params["q_fts"] = match
    return tuple(shape), params


def _conditions(shape: tuple[str, ...]) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a filter shape, on bound parameters.

    ``q`` is a substring, case and accents aside, of the applicant's name or
    id or the title (all three in ``search_key``, folded when the dossier was
    written), or part of the dossier's number.
    """
    t = _TABLE.c
    when = UTCDateTime()
    conds: list[ColumnElement[bool]] = []
    if "unassigned" in shape:
        conds.append(t.assigned_to.is_(None))
    if "assigned" in shape:
        conds.append(t.assigned_to == bindparam("assigned", type_=String()))
    if "older" in shape:
        conds.append(t.submitted_at <= bindparam("older_cut", type_=when))
    if "overdue" in shape:
        conds.append(t.decision_due_at < bindparam("now", type_=when))
        conds.append(t.status.in_(OPEN))
    if "not_overdue" in shape:
        conds.append(or_(t.decision_due_at >= bindparam("now", type_=when), t.status.not_in(OPEN)))
    if "q" in shape:
        pattern = bindparam("q_like", type_=String())
        clauses: list[ColumnElement[bool]] = [t.search_key.like(pattern, escape="\\")]
        if "q_digits" in shape:
            clauses.append(
                cast(t.id, String).like(bindparam("q_digits", type_=String()), escape="\\")
            )
        if "q_fts" in shape:
            conds.append(_fts_narrowed(clauses, "q_id" in shape))
        else:
            if "q_id" in shape:
                clauses.append(t.id == bindparam("q_id", type_=Integer()))
            conds.append(or_(*clauses))
    return conds


_FTS = table(search_index.FTS_TABLE, column("rowid", Integer))


def _fts_narrowed(clauses: list[ColumnElement[bool]], by_id: bool) -> ColumnElement[bool]:
    """The ``q`` clauses on the dossiers the trigram table proposes (SQLite).

    The exact clauses stay (the trigrams only propose candidates: a phrase
    "abc" also hits "xabcx" in another column), so the rows are those the
    plain scan returns. The exact
    id of "MSP-2026-000042" has no trigram in the table: it is OR'ed apart.
    The hits are a materialized CTE: looked up once per statement, not once
    per UNION ALL branch (a phrase of digits intersects long trigram lists).
    """
    t = _TABLE.c
    hits = (
        select(_FTS.c.rowid.label("rowid"))
        .where(text_match(bindparam("q_fts", type_=String())))
        .cte("search_hits")
        .prefix_with("MATERIALIZED")
    )
    narrowed = and_(t.id.in_(select(hits.c.rowid)), or_(*clauses))
    if by_id:
        return or_(narrowed, t.id == bindparam("q_id", type_=Integer()))
    return narrowed


def text_match(query: Any) -> ColumnElement[bool]:
    """``dossier_search MATCH query`` (the table name is the FTS5 match target)."""
    return literal_column(search_index.FTS_TABLE).op("MATCH")(query)


def _dialect(db: Session) -> str:
    return db.get_bind().dialect.name


def _plan_per_search(db: Session, shape: tuple[str, ...]) -> None:
    """On PostgreSQL, plan a search for its own text (this transaction).

    Why: psycopg prepares a statement run five times, and PostgreSQL then
    may keep a generic plan, made without the pattern: it cannot tell
    "zzqx" (the trigram index, a few rows) from "sprl" (walk the queue
    index), and walked a service's whole queue for a text found nowhere.
    """
    if "q" in shape and _dialect(db) == "postgresql":
        db.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def _procedures(caller: AgentCaller, filters: QueueFilters) -> list[str]:
    """The procedure codes in scope: the caller's, narrowed by service and procedure."""
    codes = caller.procedures_of(filters.service)
    if filters.procedures:
        codes = [c for c in codes if c in filters.procedures]
    return codes


def _after(sort: Sort, cursor: str | None) -> tuple[dt.datetime, int] | None:
    key = decode_cursor(sort.kind, cursor)
    if key is None:
        return None
    try:
        at, pk = key
        moment = parse_instant(at)
    except (TypeError, ValueError):
        moment = None
    if moment is None or type(pk) is not int or not 0 < pk < 2**62:
        raise Problem("bad-request", "the cursor is not valid for this list and sort")
    return moment, pk


@functools.lru_cache(maxsize=512)
def _page_statement(
    branches: tuple[int, int], sort: Sort, shape: tuple[str, ...], paged: bool
) -> Select[Any]:
    """The UNION ALL page statement for ``branches`` = (procedures, statuses) counts.

    Built from Core columns and bound parameters (``p<i>``, ``s<j>``, the
    filter values, ``after_k``/``after_id``, ``lim``), once per shape: a
    page then costs its SQL, not the construction of dozens of subqueries.
    """
    t = _TABLE.c
    column = t[sort.column]
    conds = _conditions(shape)
    if paged:
        key = tuple_(column, t.id)
        bound = tuple_(
            bindparam("after_k", type_=UTCDateTime()), bindparam("after_id", type_=Integer())
        )
        conds.append(key < bound if sort.descending else key > bound)
    order = (column.desc(), t.id.desc()) if sort.descending else (column, t.id)
    limit = bindparam("lim", type_=Integer())
    parts = []
    for i in range(branches[0]):
        for j in range(branches[1]):
            branch = (
                select(t.id.label("id"), column.label("k"))
                .where(
                    t.procedure_code == bindparam(f"p{i}", type_=String()),
                    t.status == bindparam(f"s{j}", type_=String()),
                    *visible_clauses(),
                    *conds,
                )
                .order_by(*order)
                .limit(limit)
                .subquery()
            )
            parts.append(select(branch.c.id, branch.c.k))
    merged = union_all(*parts).subquery()
    outer = (
        (merged.c.k.desc(), merged.c.id.desc()) if sort.descending else (merged.c.k, merged.c.id)
    )
    return select(merged.c.id).order_by(*outer).limit(limit)


def ids_page(
    db: Session,
    caller: AgentCaller,
    filters: QueueFilters,
    sort: Sort,
    after: tuple[dt.datetime, int] | None,
    limit: int,
    now: dt.datetime | None = None,
) -> list[int]:
    """The ids of the next ``limit`` matching dossiers after ``after``, in ``sort`` order."""
    procedures = _procedures(caller, filters)
    if not procedures or not filters.statuses:
        return []
    shape, params = _filter_shape(caller, filters, now or utcnow(), _dialect(db))
    _plan_per_search(db, shape)
    statement = _page_statement(
        (len(procedures), len(filters.statuses)), sort, shape, after is not None
    )
    params.update({f"p{i}": code for i, code in enumerate(procedures)})
    params.update({f"s{j}": status for j, status in enumerate(filters.statuses)})
    params["lim"] = limit
    if after is not None:
        params["after_k"], params["after_id"] = after
    return list(db.scalars(statement, params))


def load(db: Session, ids: list[int]) -> list[Dossier]:
    """The dossiers of ``ids``, in that order, without their form data.

    ``data`` and ``prefilled`` are deferred: a queue row never shows them, and
    decoding every dossier's JSON was most of an export's time.
    """
    if not ids:
        return []
    query = (
        select(Dossier)
        .where(Dossier.id.in_(ids))
        .options(defer(Dossier.data), defer(Dossier.prefilled))
    )
    found = {d.id: d for d in db.scalars(query)}
    return [found[i] for i in ids if i in found]


def iter_dossiers(
    db: Session, caller: AgentCaller, filters: QueueFilters, sort: Sort, batch: int = 500
) -> Iterator[list[Dossier]]:
    """Every matching dossier, a keyset batch at a time (never all rows at once)."""
    after: tuple[dt.datetime, int] | None = None
    now = utcnow()
    while True:
        rows = load(db, ids_page(db, caller, filters, sort, after, batch, now))
        if not rows:
            return
        yield rows
        if len(rows) < batch:
            return
        last = rows[-1]
        after = (getattr(last, sort.column), last.id)


@dataclass
class ItemContext:
    """What a QueueItem needs besides the dossier: names and titles, looked up once."""

    names: dict[str, str]
    titles: dict[tuple[str, int], dict[str, str]]
    now: dt.datetime


def item_context(db: Session, dossiers: list[Dossier]) -> ItemContext:
    """Assignee names and procedure titles for a page of dossiers (two queries)."""
    nrns = {d.assigned_to for d in dossiers if d.assigned_to}
    names = (
        {p.nrn: p.name for p in db.scalars(select(Person).where(Person.nrn.in_(nrns)))}
        if nrns
        else {}
    )
    codes = {d.procedure_code for d in dossiers}
    titles: dict[tuple[str, int], dict[str, str]] = {}
    if codes:
        for version in db.scalars(
            select(ProcedureVersion).where(ProcedureVersion.procedure_code.in_(codes))
        ):
            titles[(version.procedure_code, version.version)] = dict(
                version.definition.get("title") or {}
            )
    return ItemContext(names, titles, utcnow())


def is_overdue(dossier: Dossier, now: dt.datetime) -> bool:
    """The legal decision date is past and the dossier is still undecided."""
    due = dossier.decision_due_at
    return due is not None and due < now and dossier.status in UNDECIDED


def age_days(dossier: Dossier, now: dt.datetime) -> int:
    """Whole days since submission (0 for a dossier never submitted)."""
    if dossier.submitted_at is None:
        return 0
    return max(0, (now - dossier.submitted_at).days)


def queue_item_json(dossier: Dossier, service: str, ctx: ItemContext) -> dict[str, Any]:
    """``QueueItem`` of docs/api.md."""
    title = ctx.titles.get((dossier.procedure_code, dossier.procedure_version), {})
    assigned = (
        {"nrn": dossier.assigned_to, "name": ctx.names.get(dossier.assigned_to, "")}
        if dossier.assigned_to
        else None
    )
    body: dict[str, Any] = {
        "id": dossier.public_id,
        "procedure": dossier.procedure_code,
        "procedure_title": title.get("fr") or dossier.title,
        "service": service,
        "title": dossier.title,
        "status": dossier.status,
        "applicant": applicant_json(dossier),
        "submitted_at": rfc3339(dossier.submitted_at),
        "decision_due_at": rfc3339(dossier.decision_due_at),
        "overdue": is_overdue(dossier, ctx.now),
        "age_days": age_days(dossier, ctx.now),
        "assigned_to": assigned,
        "updated_at": rfc3339(dossier.updated_at),
        "version": dossier.version,
    }
    if dossier.due_at is not None:
        body["due_at"] = rfc3339(dossier.due_at)
    return body


def queue_page(
    db: Session,
    caller: AgentCaller,
    filters: QueueFilters,
    sort: Sort,
    cursor: str | None,
    limit: int,
) -> dict[str, Any]:
    """``{"items": [QueueItem], "next_cursor"}``."""
    ids = ids_page(db, caller, filters, sort, _after(sort, cursor), limit + 1)
    rows = load(db, ids[:limit])
    ctx = item_context(db, rows)
    items = [queue_item_json(d, caller.procedures[d.procedure_code], ctx) for d in rows]
    next_key = None
    if len(ids) > limit and rows:
        last = rows[-1]
        next_key = [getattr(last, sort.column).isoformat(), last.id]
    return page(items, next_key, sort.kind)


def counts(db: Session, caller: AgentCaller, filters: QueueFilters) -> dict[str, Any]:
    """Dossiers per status under every filter but the status; total = the open ones."""
    result = dict.fromkeys(VISIBLE, 0)
    procedures = _procedures(caller, filters)
    if procedures:
        shape, params = _filter_shape(caller, filters, utcnow(), _dialect(db))
        _plan_per_search(db, shape)
        query = (
            select(Dossier.status, func.count())
            .where(
                *visible_clauses(procedures),
                Dossier.status.in_(VISIBLE),
                *_conditions(shape),
            )
            .group_by(Dossier.status)
        )
        for status, count in db.execute(query, params).all():
            result[status] = int(count)
    return {"counts": result, "total": sum(result[s] for s in OPEN)}
