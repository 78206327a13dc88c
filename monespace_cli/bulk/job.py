"""A bulk job from start to end: read and check the sheet, journal it, run it.

Why separate from the Typer command: the command parses options and
prints; this module holds the steps (prepare → dry-run checks → journal →
run) so that tests and the benchmark drive exactly what the CLI does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monespace_cli.bulk import journal as jn
from monespace_cli.bulk.mapping import (
    ColumnPlan,
    Mapping,
    MappingError,
    load_mapping,
    plan_columns,
)
from monespace_cli.bulk.rows import Row, RowError, build_row, validate_row
from monespace_cli.bulk.runner import BulkRunner, RunResult
from monespace_cli.bulk.sheet import Sheet, read_sheet
from monespace_cli.i18n import _

if TYPE_CHECKING:
    from monespace_cli.client import AsyncPortalClient, Me, Procedure


@dataclass
class Prepared:
    """A sheet read, typed and checked locally, ready to journal or dry-run."""

    path: Path
    sheet: Sheet
    mapping: Mapping
    plan: ColumnPlan
    rows: list[Row]
    file_sha256: str


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def prepare(
    path: Path,
    procedure: Procedure,
    *,
    mapping_path: Path | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet_name: str | None = None,
) -> Prepared:
    """Read ``path`` and build every row (problems collected per row, never raised)."""
    sheet = read_sheet(path, encoding=encoding, delimiter=delimiter, sheet=sheet_name)
    mapping = load_mapping(mapping_path)
    try:
        plan = plan_columns(sheet.columns, mapping)
    except MappingError as exc:
        raise MappingError(f"{exc} {_encoding_hint(sheet)}".strip()) from None
    form = procedure.get("form") or {}
    base = path.resolve().parent
    rows = [build_row(record, plan, form, base) for record in sheet.records]
    return Prepared(path.resolve(), sheet, mapping, plan, rows, file_sha256(path))


def _encoding_hint(sheet: Sheet) -> str:
    """When columns are missing from a text file whose encoding was guessed, the
    encoding is the likely culprit ("N° entreprise" read as "NÂ° entreprise")."""
    if not sheet.encoding_guessed or sheet.kind not in ("csv", "jsonl"):
        return ""
    return _(
        "The file was read as {encoding} (detected) and its header as: {header}. "
        "If accented names look wrong there, the encoding is the problem: "
        "force it with --encoding (utf-8, cp1252 or utf-16)."
    ).format(encoding=sheet.encoding, header=" | ".join(sheet.columns[:8]))


def dry_run_errors(prepared: Prepared, procedure: Procedure, me: Me) -> list[RowError]:
    """Every problem of every row: cells, form, attachments, mandates."""
    covered = covered_bces(me, str(procedure.get("domain") or ""))
    errors: list[RowError] = []
    for row in prepared.rows:
        problems = row_problems(row, prepared.plan, procedure)
        if row.bce and not any(e.column == prepared.plan.beneficiary for e in problems):
            if row.bce not in covered:
                problems.append(
                    RowError(
                        row.row,
                        prepared.plan.beneficiary,
                        _("you may not act for {bce} in the domain {domain}").format(
                            bce=row.bce, domain=procedure.get("domain")
                        ),
                    )
                )
        errors.extend(problems)
    return sorted(errors, key=lambda e: (e.row, e.column))


def row_problems(row: Row, plan: ColumnPlan, procedure: Procedure) -> list[RowError]:
    """What is wrong with a row without asking the portal, one problem per cell.

    The dry run and the real run's report use this same list: a row refused
    before sending reports every problem, as the dry run did. A cell whose
    value could not be read reports that, not also the form's complaint
    about the value that is then missing.
    """
    form = procedure.get("form") or {}
    required = [k["kind"] for k in procedure.get("attachment_kinds") or [] if k.get("required")]
    found: dict[str, RowError] = {}
    for error in [*row.errors, *validate_row(row, form, plan)]:
        found.setdefault(error.column, error)
    kinds = {a.kind for a in row.attachments}
    for kind in required:
        column = _attachment_column(plan, kind)
        if kind not in kinds and column not in found:
            found[column] = RowError(row.row, column, _("the required attachment is missing"))
    return list(found.values())


def _attachment_column(plan: ColumnPlan, kind: str) -> str:
    for column, mapped in plan.attachments.items():
        if mapped == kind:
            return column
    return f"attachment:{kind}"


def covered_bces(me: Me, domain: str) -> set[str]:
    """The organisations ``GET /me`` says the person may act for in ``domain``."""
    return {
        str(ctx.get("bce") or ctx.get("id"))
        for ctx in me.get("contexts") or []
        if ctx.get("kind") == "organisation" and domain in (ctx.get("domains") or [])
    }


def payload_of(row: Row, plan: ColumnPlan) -> dict[str, Any]:
    """What the journal keeps of a row: data, files, and pointer → column for errors."""
    return {
        "data": row.data,
        "attachments": [
            {"kind": a.kind, "path": a.path, "sha256": a.sha256} for a in row.attachments
        ],
        "columns": {pointer: column for column, pointer in plan.fields.items()},
    }


def start_job(
    prepared: Prepared,
    procedure_code: str,
    portal: str,
    *,
    job_id: str | None = None,
    concurrency: int = 4,
    folder: Path | None = None,
    procedure: Procedure | None = None,
) -> jn.Journal:
    """Journal a new job: rows with problems are rejected at once, the rest pending.

    A row whose cells could not be read is refused here with every problem
    of the row (``procedure`` gives the form to check it against), as the
    dry run lists them; the other rows go to the portal, whose refusal
    names every field too.
    """
    job_id = job_id or jn.new_job_id()
    info = jn.JobInfo(
        job_id=job_id,
        procedure=procedure_code,
        file=str(prepared.path),
        file_sha256=prepared.file_sha256,
        mapping_sha256=prepared.mapping.sha256,
        portal=portal,
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        concurrency=concurrency,
    )
    rows = [
        (
            row.row,
            row.bce,
            payload_of(row, prepared.plan),
            _refusal(row, prepared.plan, procedure),
        )
        for row in prepared.rows
    ]
    return jn.Journal.create(journal_path(job_id, folder), info, rows)


def _refusal(row: Row, plan: ColumnPlan, procedure: Procedure | None) -> str | None:
    if not row.errors:
        return None
    problems = row_problems(row, plan, procedure) if procedure else row.errors
    return "; ".join(f"{e.column}: {e.reason}" for e in problems)


def journal_path(job_id: str, folder: Path | None = None) -> Path:
    """Where job ``job_id``'s journal is (job ids are names, never paths)."""
    if not job_id or "/" in job_id or "\\" in job_id or job_id.startswith("."):
        raise jn.JournalError(_("{job!r} is not a job id.").format(job=job_id))
    return (folder or jn.state_dir()) / f"{job_id}.sqlite"


def check_same_file(journal: jn.Journal, path: Path | None) -> Path:
    """The job's input file, refused when it is not the one the job started from."""
    target = path.resolve() if path is not None else Path(journal.info.file)
    try:
        digest = file_sha256(target)
    except OSError as exc:
        raise jn.JournalError(
            _("Cannot read {path}: {reason}").format(path=target, reason=exc.strerror or exc)
        ) from None
    if digest != journal.info.file_sha256:
        raise jn.JournalError(
            _(
                "{path} is not the file job {job} was started from "
                "(its content differs: sha256 {got} instead of {want})."
            ).format(
                path=target,
                job=journal.info.job_id,
                got=digest[:12],
                want=journal.info.file_sha256[:12],
            )
        )
    return target


def run(
    journal: jn.Journal,
    make_client: Callable[[int], AsyncPortalClient],
    *,
    concurrency: int,
    on_change: Callable[[dict[str, int]], None] | None = None,
    on_stop: Callable[[], None] | None = None,
) -> RunResult:
    """Run the journal's unfinished rows; the first Ctrl-C stops cleanly, a second aborts."""
    return asyncio.run(_run(journal, make_client, concurrency, on_change, on_stop))


async def _run(
    journal: jn.Journal,
    make_client: Callable[[int], AsyncPortalClient],
    concurrency: int,
    on_change: Callable[[dict[str, int]], None] | None,
    on_stop: Callable[[], None] | None,
) -> RunResult:
    loop = asyncio.get_running_loop()
    async with make_client(concurrency) as client:
        runner = BulkRunner(journal, client, concurrency=concurrency, on_change=on_change)
        task = asyncio.current_task()

        def interrupted() -> None:
            if runner.stopping() and task is not None:
                task.cancel()  # second Ctrl-C: abandon in-flight requests (all are idempotent)
                return
            runner.stop()
            if on_stop is not None:
                on_stop()

        loop.add_signal_handler(signal.SIGINT, interrupted)
        try:
            return await runner.run()
        except asyncio.CancelledError:
            return RunResult(counts=journal.counts(), stopped=True)
        finally:
            loop.remove_signal_handler(signal.SIGINT)
