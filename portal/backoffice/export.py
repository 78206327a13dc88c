"""Exports of the queue as CSV or JSON Lines, streamed a keyset batch at a time.

Why streamed from its own sessions: an export of a whole service can be
100,000 rows; building it in memory would hold them all, and the request's
database session must not stay open (on SQLite, holding its lock) while a
slow client downloads. Each batch is read in a short session of its own,
turned into text and sent.

Why cells are neutralised: a CSV opened in a spreadsheet runs a cell that
starts with ``=``, ``+``, ``-`` or ``@`` as a formula (OWASP "CSV injection").
An applicant's name is the applicant's input, so every such cell (and one
starting with tab or CR) gets a leading ``'``. Notes are never exported.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy.orm import Session

from portal.backoffice.access import AgentCaller
from portal.backoffice.queue import (
    QueueFilters,
    Sort,
    ids_page,
    item_context,
    load,
    queue_item_json,
)
from portal.models import Dossier, utcnow
from portal.problems import FieldError, validation_failed

FIELDS = (
    "id",
    "procedure",
    "service",
    "title",
    "status",
    "applicant_kind",
    "applicant_id",
    "applicant_name",
    "submitted_at",
    "decision_due_at",
    "overdue",
    "assigned_to",
    "assigned_name",
    "updated_at",
)
FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 500


def parse_fields(value: str | None) -> tuple[str, ...]:
    """The chosen columns in the order given (default all); 422 for an unknown one."""
    if not value or not value.strip():
        return FIELDS
    chosen = [f.strip() for f in value.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FIELDS]
    if unknown or not chosen:
        raise validation_failed(
            "unknown export field",
            [FieldError("/fields", f"unknown: {', '.join(unknown)}; known: {', '.join(FIELDS)}")],
        )
    return tuple(dict.fromkeys(chosen))


def safe_cell(value: Any) -> str:
    """The CSV text of a value, with a ``'`` before anything a spreadsheet would run."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def flat_row(item: dict[str, Any]) -> dict[str, Any]:
    """A QueueItem flattened to the export's field names."""
    assigned = item.get("assigned_to") or {}
    return {
        "id": item["id"],
        "procedure": item["procedure"],
        "service": item["service"],
        "title": item["title"],
        "status": item["status"],
        "applicant_kind": item["applicant"]["kind"],
        "applicant_id": item["applicant"]["id"],
        "applicant_name": item["applicant"]["name"],
        "submitted_at": item["submitted_at"],
        "decision_due_at": item["decision_due_at"],
        "overdue": item["overdue"],
        "assigned_to": assigned.get("nrn"),
        "assigned_name": assigned.get("name"),
        "updated_at": item["updated_at"],
    }


def _batches(
    open_session: Callable[[], Session], caller: AgentCaller, filters: QueueFilters, sort: Sort
) -> Iterator[list[dict[str, Any]]]:
    """Flat rows, a keyset batch at a time, each batch read in its own short session."""
    after = None
    now = utcnow()
    while True:
        with open_session() as db:
            rows: list[Dossier] = load(db, ids_page(db, caller, filters, sort, after, BATCH, now))
            ctx = item_context(db, rows)
            items = [queue_item_json(d, caller.procedures[d.procedure_code], ctx) for d in rows]
        if not rows:
            return
        yield [flat_row(i) for i in items]
        if len(rows) < BATCH:
            return
        after = (getattr(rows[-1], sort.column), rows[-1].id)


def csv_lines(
    batches: Iterator[list[dict[str, Any]]], fields: tuple[str, ...], *, excel: bool
) -> Iterator[str]:
    """CSV text: header then rows, CRLF; ``excel`` → ``;`` and a UTF-8 BOM first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if excel else ",", lineterminator="\r\n")
    writer.writerow(fields)
    yield ("\ufeff" if excel else "") + buffer.getvalue()
    for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([safe_cell(row[f]) for f in fields] for row in batch)
        yield buffer.getvalue()


def jsonl_lines(batches: Iterator[list[dict[str, Any]]], fields: tuple[str, ...]) -> Iterator[str]:
    """One JSON object a line with the chosen fields."""
    for batch in batches:
        yield "".join(
            json.dumps({f: row[f] for f in fields}, ensure_ascii=False) + "\n" for row in batch
        )


def stream(
    open_session: Callable[[], Session],
    caller: AgentCaller,
    filters: QueueFilters,
    sort: Sort,
    *,
    fmt: str,
    fields: tuple[str, ...],
    excel: bool,
) -> Callable[[], Iterator[str]]:
    """A generator factory for the StreamingResponse body (nothing is read before it runs)."""

    def body() -> Iterator[str]:
        batches = _batches(open_session, caller, filters, sort)
        if fmt == "csv":
            yield from csv_lines(batches, fields, excel=excel)
        else:
            yield from jsonl_lines(batches, fields)

    return body
