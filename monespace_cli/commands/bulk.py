"""``monespace bulk …``: file one procedure for many beneficiaries from a spreadsheet.

For accountants acting through their firm's mandates: one row a client
(its BCE number says on whose behalf), the form's fields in the other
columns, attachments by path. ``submit`` checks and journals the job, then
files the rows concurrently; ``resume`` finishes a job after Ctrl-C, a
crash or a lost connection, with no row lost and none duplicated;
``status``, ``report`` and ``follow`` show where a job and its dossiers
stand. The work itself is in :mod:`monespace_cli.bulk`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from monespace_cli.app import noun_app
from monespace_cli.client import FINAL_STATUSES
from monespace_cli.context import Factory, current
from monespace_cli.errors import (
    AuthProblem,
    CliError,
    ExitCode,
    NotFoundProblem,
    PartialSuccess,
    RejectedInput,
    UsageProblem,
)
from monespace_cli.i18n import _
from monespace_cli.output import Column

if TYPE_CHECKING:
    from monespace_cli.bulk.job import Prepared
    from monespace_cli.bulk.journal import Journal
    from monespace_cli.bulk.runner import RunResult
    from monespace_cli.client import AsyncPortalClient, Me, PortalClient, Procedure

app = noun_app(_("File a procedure for many beneficiaries from a spreadsheet (accountants)."))

JOB = Annotated[str, typer.Argument(help=_("The job's ID (see: monespace bulk status)."))]
CONCURRENCY = Annotated[
    int | None,
    typer.Option(
        "--concurrency",
        min=1,
        max=32,
        metavar="N",
        help=_("Rows filed at the same time (default 4)."),
    ),
]
REPORT = Annotated[
    Path | None,
    typer.Option(
        "--report",
        help=_("Write the report to this file at the end (.json, else CSV)."),
        metavar="FILE",
        dir_okay=False,
    ),
]


# --- submit -------------------------------------------------------------------


@app.command("submit")
def submit(
    procedure: Annotated[
        str, typer.Option("--procedure", "-p", help=_("The procedure's code."), metavar="CODE")
    ],
    file: Annotated[
        Path,
        typer.Option(
            "--file",
            "-f",
            help=_("The rows: Excel (.xlsx), LibreOffice (.ods), CSV or JSON Lines."),
            metavar="FILE",
            dir_okay=False,
        ),
    ],
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--map", help=_("Column mapping (TOML)."), metavar="MAPPING.toml", dir_okay=False
        ),
    ] = None,
    concurrency: CONCURRENCY = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help=_("Check every row (form, files, mandates); send nothing.")),
    ] = False,
    report: REPORT = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding", metavar="ENCODING", help=_("The file's encoding (default: detected).")
        ),
    ] = None,
    delimiter: Annotated[
        str | None,
        typer.Option(
            "--delimiter",
            metavar="SEP",
            help=_("The CSV separator: ';', ',' or 'tab' (default: detected)."),
        ),
    ] = None,
    job: Annotated[
        str | None,
        typer.Option("--job", metavar="NAME", help=_("Name the job (default: a new ID).")),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(
            "--sheet", metavar="NAME", help=_("The workbook's sheet to read (default: the first).")
        ),
    ] = None,
) -> None:
    """Check a spreadsheet and file one dossier a row, acting for each beneficiary."""
    from monespace_cli.bulk import job as jobs
    from monespace_cli.bulk.journal import JournalError

    f = current()
    source = _Source(file, mapping, encoding, delimiter, sheet)
    prepared, proc, me = _prepare(f, procedure, source, dry_run)
    if me is not None:  # read for a dry run only
        _dry_run(f, prepared, proc, me)
        return
    try:
        journal = jobs.start_job(
            prepared,
            proc["code"],
            f.portal_url,
            job_id=job,
            concurrency=concurrency or 4,
            procedure=proc,
        )
    except JournalError as exc:
        raise UsageProblem(str(exc)) from None
    f.io.info(
        _("Job {job}: {rows} rows of {file} for {procedure}.").format(
            job=journal.info.job_id, rows=len(prepared.rows), file=file, procedure=proc["code"]
        )
    )
    _run_and_finish(f, journal, concurrency or journal.info.concurrency, report)


@dataclass(frozen=True)
class _Source:
    """Where the rows come from and how to read them (the options of ``submit``)."""

    file: Path
    mapping: Path | None
    encoding: str | None
    delimiter: str | None
    sheet: str | None


def _prepare(
    f: Factory, procedure: str, source: _Source, dry_run: bool
) -> tuple[Prepared, Procedure, Me | None]:
    from monespace_cli.bulk import job as jobs
    from monespace_cli.bulk.mapping import MappingError
    from monespace_cli.bulk.sheet import SheetError, parse_delimiter

    try:
        sep = parse_delimiter(source.delimiter) if source.delimiter else None
    except SheetError as exc:
        raise UsageProblem(str(exc)) from None
    f.token()  # not logged in: say so before reading anything
    from monespace_cli.bulk.retry import call_sync_with_retries

    with f.client() as client:
        proc = call_sync_with_retries(lambda: client.get_procedure(procedure))
        me = call_sync_with_retries(client.me) if dry_run else None
    try:
        prepared = jobs.prepare(
            source.file,
            proc,
            mapping_path=source.mapping,
            encoding=source.encoding,
            delimiter=sep,
            sheet_name=source.sheet,
        )
    except (SheetError, MappingError) as exc:
        raise RejectedInput(str(exc)) from None
    if prepared.plan.ignored:
        f.io.warn(
            _("Columns not used (neither a JSON pointer nor mapped): {columns}").format(
                columns=", ".join(prepared.plan.ignored)
            )
        )
    return prepared, proc, me


def _dry_run(f: Factory, prepared: Prepared, proc: Procedure, me: Me) -> None:
    from monespace_cli.bulk.job import dry_run_errors

    errors = dry_run_errors(prepared, proc, me)
    f.printer.list(
        [e.as_dict() for e in errors],
        [Column("row", _("ROW")), Column("column", _("COLUMN")), Column("reason", _("REASON"))],
    )
    bad_rows = len({e.row for e in errors})
    total = len(prepared.rows)
    if errors:
        message = (
            _("Dry run: 1 of {total} rows has problems ({n} in all); nothing was sent.")
            if bad_rows == 1
            else _("Dry run: {bad} of {total} rows have problems ({n} in all); nothing was sent.")
        )
        raise RejectedInput(message.format(bad=bad_rows, total=total, n=len(errors)))
    ready = (
        _("Dry run: the row is ready to file; nothing was sent.")
        if total == 1
        else _("Dry run: all {total} rows are ready to file; nothing was sent.")
    )
    f.io.success(ready.format(total=total))


# --- resume -------------------------------------------------------------------


@app.command("resume")
def resume(
    job: JOB,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            "-f",
            help=_("The job's input file, if it moved (it must be the same content)."),
            dir_okay=False,
        ),
    ] = None,
    concurrency: CONCURRENCY = None,
    report: REPORT = None,
) -> None:
    """Finish a job stopped by Ctrl-C, a crash or a lost connection."""
    from monespace_cli.bulk import job as jobs
    from monespace_cli.bulk.journal import JournalError

    f = current()
    journal = _open(job)
    try:
        jobs.check_same_file(journal, file)
    except JournalError as exc:
        raise RejectedInput(
            _("Cannot resume job {job}: {reason}").format(job=job, reason=exc),
            hint=_("Resume with the original file, or start a new job with: monespace bulk submit"),
        ) from None
    if journal.info.portal.rstrip("/") != f.portal_url.rstrip("/"):
        raise UsageProblem(
            _("Job {job} files to {portal}, not to {current}.").format(
                job=job, portal=journal.info.portal, current=f.portal_url
            ),
            hint=_("Use the profile of that portal (--profile)."),
        )
    left = journal.unfinished()
    f.io.info(_("Job {job}: {left} rows left to file.").format(job=job, left=left))
    _run_and_finish(f, journal, concurrency or journal.info.concurrency, report)


def _open(job: str) -> Journal:
    from monespace_cli.bulk.job import journal_path
    from monespace_cli.bulk.journal import Journal, JournalError

    try:
        return Journal.open(journal_path(job))
    except JournalError as exc:
        raise NotFoundProblem(
            _("No bulk job {job}: {reason}").format(job=job, reason=exc),
            hint=_("See your jobs with: monespace bulk status"),
        ) from None


def _run_and_finish(f: Factory, journal: Journal, concurrency: int, report: Path | None) -> None:
    from monespace_cli.bulk import job as jobs
    from monespace_cli.bulk.progress import Progress
    from monespace_cli.client import AsyncPortalClient

    token = f.token()
    counts = journal.counts()
    total = sum(counts.values())
    progress = Progress(
        f.io.stderr,
        enabled=f.io.stderr_tty,
        total=total,
        done=counts["submitted"] + counts["rejected"],
    )

    def make_client(n: int) -> AsyncPortalClient:
        return AsyncPortalClient(f.portal_url, token=token, max_connections=n)

    def on_stop() -> None:
        f.io.warn(_("Stopping: finishing the rows in flight (Ctrl-C again to abort them)…"))

    try:
        result = jobs.run(
            journal,
            make_client,
            concurrency=concurrency,
            on_change=progress.update,
            on_stop=on_stop,
        )
    finally:
        progress.close()
    _finish(f, journal, result, report)


def _finish(f: Factory, journal: Journal, result: RunResult, report: Path | None) -> None:
    from monespace_cli.bulk import report as reports

    job = journal.info.job_id
    lines = reports.report_lines(journal)
    if report is not None:
        try:
            reports.write_report(lines, report)
        except OSError as exc:
            f.io.warn(
                _("Cannot write the report to {path}: {reason}").format(
                    path=report, reason=exc.strerror or exc
                )
            )
            report = None
    for state, number in reports.summary(result.counts):
        f.io.info(f"  {_state_label(state):<12} {number:>6}")
    resume_hint = _("Resume with: monespace bulk resume {job}").format(job=job)
    if result.auth_error is not None:
        raise AuthProblem(
            _("The portal refused the session: {detail}").format(detail=result.auth_error),
            hint=_("Log in again with: monespace auth login") + "\n" + resume_hint,
        )
    if result.stopped:
        raise CliError(
            _("Interrupted: the journal of job {job} is saved.").format(job=job),
            hint=resume_hint,
            exit_code=ExitCode.INTERRUPTED,
        )
    if result.gave_up:
        # Every row not finished is left, not only the ones whose retries ran out.
        left = journal.unfinished()
        message = (
            _("{n} row could not be filed: the portal stayed unavailable ({detail}).")
            if left == 1
            else _("{n} rows could not be filed: the portal stayed unavailable ({detail}).")
        )
        raise CliError(message.format(n=left, detail=result.last_unavailable), hint=resume_hint)
    _exit_for(f, job, result.counts, report)


def _exit_for(f: Factory, job: str, counts: dict[str, int], report: Path | None) -> None:
    ok, bad = counts.get("submitted", 0), counts.get("rejected", 0)
    where = (
        _("Details in {file}.").format(file=report)
        if report
        else _("Details with: monespace bulk report {job}").format(job=job)
    )
    if bad == 0:
        f.io.success(_("Job {job}: all {ok} rows submitted.").format(job=job, ok=ok))
        return
    if ok == 0:
        raise RejectedInput(
            _("Job {job}: no row was submitted ({bad} rejected).").format(job=job, bad=bad),
            hint=where,
        )
    raise PartialSuccess(
        _("Job {job}: {ok} rows submitted, {bad} rejected.").format(job=job, ok=ok, bad=bad),
        hint=where,
    )


def _state_label(state: str) -> str:
    labels = {
        "pending": _("pending"),
        "created": _("created"),
        "attachments": _("attached"),
        "submitted": _("submitted"),
        "rejected": _("rejected"),
    }
    return labels.get(state, state)


# --- status, report, follow ---------------------------------------------------------


@app.command("status")
def status(job: Annotated[str | None, typer.Argument(help=_("The job's ID."))] = None) -> None:
    """Where a job stands (without JOB: every job on this computer)."""
    from monespace_cli.bulk import journal as jn

    f = current()
    if job is None:
        jobs = jn.list_jobs(jn.state_dir())
        f.printer.list(
            [_job_line(j) for j in jobs],
            [
                Column("job", _("JOB")),
                Column("procedure", _("PROCEDURE")),
                Column("created_at", _("CREATED")),
                Column("rows", _("ROWS")),
                Column("submitted", _("SUBMITTED")),
                Column("rejected", _("REJECTED")),
                Column("unfinished", _("LEFT")),
                Column("file", _("FILE")),
            ],
            empty=_("No bulk job yet."),
        )
        return
    f.printer.object(
        _job_line(_open(job)),
        [
            Column("job", _("Job")),
            Column("procedure", _("Procedure")),
            Column("file", _("File")),
            Column("portal", _("Portal")),
            Column("created_at", _("Created")),
            Column("rows", _("Rows")),
            Column("submitted", _("Submitted")),
            Column("rejected", _("Rejected")),
            Column("unfinished", _("Left to file")),
        ],
    )


def _job_line(journal: Journal) -> dict[str, Any]:
    counts = journal.counts()
    return {
        "job": journal.info.job_id,
        "procedure": journal.info.procedure,
        "file": journal.info.file,
        "portal": journal.info.portal,
        "created_at": journal.info.created_at,
        "rows": sum(counts.values()),
        "submitted": counts["submitted"],
        "rejected": counts["rejected"],
        "unfinished": journal.unfinished(),
        "counts": counts,
    }


def _report_columns() -> list[Column]:
    return [
        Column("row", _("ROW")),
        Column("beneficiary", _("BENEFICIARY")),
        Column("dossier_id", _("DOSSIER")),
        Column("status", _("STATUS")),
        Column("error", _("ERROR")),
    ]


@app.command("report")
def report_(
    job: JOB,
    excel: Annotated[
        bool,
        typer.Option(
            "--excel",
            help=_("CSV for Excel in Belgium: ';' separator and a BOM (as --report writes)."),
        ),
    ] = False,
) -> None:
    """The job's report: row, beneficiary, dossier ID, status, error (-o csv|json, --excel)."""
    from monespace_cli.bulk.report import report_lines, write_excel_csv

    f = current()
    lines = report_lines(_open(job))
    if excel:
        # Bytes through the binary buffer: Python's text stdout may be in
        # another encoding or translate newlines; Excel wants exactly this.
        import io

        text = io.StringIO(newline="")
        write_excel_csv(lines, text)
        f.io.stdout.flush()
        buffer = getattr(f.io.stdout, "buffer", None)
        if buffer is not None:
            buffer.write(text.getvalue().encode("utf-8"))
            buffer.flush()
        else:
            f.io.stdout.write(text.getvalue())
        return
    f.printer.list(lines, _report_columns(), empty=_("The job has no rows."))


@app.command("follow")
def follow(
    job: JOB,
    interval: Annotated[
        float,
        typer.Option(
            "--interval", min=1.0, metavar="SECONDS", help=_("Seconds between refreshes.")
        ),
    ] = 10.0,
    once: Annotated[
        bool, typer.Option("--once", help=_("Show the statuses once and exit."))
    ] = False,
) -> None:
    """Follow the job's dossiers until all are decided: counts per status and the rows that
    changed on a terminal; piped, one line per change (JSON Lines with -o json/jsonl)."""
    f = current()
    journal = _open(job)
    with f.client() as client:
        lines = _refresh(client, journal)
        if once:
            f.printer.list(lines, _follow_columns(), empty=_("No dossier in this job yet."))
            return
        if f.io.stdout_tty:
            _follow_live(f, client, journal, lines, interval)
        else:
            _follow_stream(f, client, journal, lines, interval)
    f.io.success(_("Every dossier of the job is decided."))


def _follow_columns() -> list[Column]:
    return [
        Column("row", _("ROW")),
        Column("beneficiary", _("BENEFICIARY")),
        Column("dossier_id", _("DOSSIER")),
        Column("dossier_status", _("STATUS")),
    ]


def _all_decided(lines: list[dict[str, Any]]) -> bool:
    return all(line["dossier_status"] in FINAL_STATUSES for line in lines)


def _changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    before = {line["row"]: line["dossier_status"] for line in old}
    return [line for line in new if before.get(line["row"]) != line["dossier_status"]]


def _follow_stream(
    f: Factory,
    client: PortalClient,
    journal: Journal,
    lines: list[dict[str, Any]],
    interval: float,
) -> None:
    """Piped: every row once, then one line per change, until every dossier is decided.

    A script reading the pipe sees each change as it happens (lines are
    flushed), and the command ends by itself, like ``tail -f`` that knows
    when the file is complete.
    """
    emit = _line_writer(f)
    emit(lines)
    while not _all_decided(lines):
        time.sleep(interval)
        fresh = _refresh(client, journal)
        emit(_changes(lines, fresh))
        lines = fresh


def _line_writer(f: Factory) -> Any:
    import json

    columns = _follow_columns()

    def emit(items: list[dict[str, Any]]) -> None:
        for item in items:
            if f.printer.fmt in ("json", "jsonl"):
                f.io.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
            else:
                f.io.stdout.write("\t".join(c.cell(item) for c in columns) + "\n")
        f.io.stdout.flush()

    return emit


def _follow_live(
    f: Factory,
    client: PortalClient,
    journal: Journal,
    lines: list[dict[str, Any]],
    interval: float,
) -> None:
    """A terminal: counts per status, then the latest changes, sized to the screen."""
    from rich.console import Console
    from rich.live import Live

    console = Console(file=f.io.stdout)
    changed: list[dict[str, Any]] = []
    with Live(
        _follow_view(lines, changed, console.height), console=console, auto_refresh=False
    ) as live:
        while not _all_decided(lines):
            time.sleep(interval)
            fresh = _refresh(client, journal)
            stamp = time.strftime("%H:%M:%S")
            changed = [{**c, "at": stamp} for c in _changes(lines, fresh)] + changed
            lines = fresh
            live.update(_follow_view(lines, changed, console.height), refresh=True)


def _follow_view(lines: list[dict[str, Any]], changed: list[dict[str, Any]], height: int) -> Any:
    from collections import Counter

    from rich.console import Group
    from rich.table import Table

    counts = Counter(line["dossier_status"] or _("not filed") for line in lines)
    summary = Table(_("STATUS"), _("DOSSIERS"), title=_("Rows: {n}").format(n=len(lines)))
    for status, number in sorted(counts.items()):
        summary.add_row(status, str(number))
    room = max(height - len(counts) - 12, 3)
    recent = Table(_("AT"), _("ROW"), _("BENEFICIARY"), _("DOSSIER"), _("STATUS"))
    for item in changed[:room]:
        recent.add_row(
            item.get("at", ""),
            str(item["row"]),
            item["beneficiary"],
            item["dossier_id"] or "",
            item["dossier_status"] or "",
        )
    if len(changed) > room:
        recent.caption = _("{n} earlier changes not shown").format(n=len(changed) - room)
    return Group(summary, recent) if changed else summary


def _refresh(client: PortalClient, journal: Journal) -> list[dict[str, Any]]:
    """Statuses of the job's dossiers: one paginated list per beneficiary, not one GET each."""
    rows = [r for r in journal.rows() if r.dossier_id]
    statuses: dict[str, str] = {}
    for bce in sorted({r.bce for r in rows}):
        dossiers = client.iter_dossiers(procedure=journal.info.procedure, limit=500, acting_as=bce)
        statuses.update({str(d["id"]): str(d["status"]) for d in dossiers})
    lines = []
    for row in rows:
        status = statuses.get(str(row.dossier_id), row.dossier_status)
        if status and status != row.dossier_status:
            journal.set_status(row.row, status)
        lines.append(
            {
                "row": row.row,
                "beneficiary": row.bce,
                "dossier_id": row.dossier_id,
                "dossier_status": status,
            }
        )
    return lines
