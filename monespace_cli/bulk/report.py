"""The job report: one line a row — row, beneficiary, dossier id, status, error.

Why its own module: the same lines go to three places — the ``--report``
file written at the end of ``bulk submit``/``resume``, ``bulk report`` on
stdout (through the CLI's printer: table/json/jsonl/csv) and the summary —
and must say the same thing everywhere. CSV cells are protected against
formula injection like every CSV the CLI writes (an error message or a
company name starting with ``=`` must not run in Excel).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, TextIO

from monespace_cli.bulk import journal as jn
from monespace_cli.output import csv_safe

FIELDS = ("row", "beneficiary", "dossier_id", "status", "dossier_status", "error")


def report_lines(journal: jn.Journal) -> list[dict[str, Any]]:
    """The report of a job, in row order (``status`` is the row's journal state)."""
    return [
        {
            "row": row.row,
            "beneficiary": row.bce,
            "dossier_id": row.dossier_id,
            "status": row.state,
            "dossier_status": row.dossier_status,
            "error": row.error,
        }
        for row in journal.rows()
    ]


def write_report(lines: list[dict[str, Any]], path: Path) -> str:
    """Write ``lines`` to ``path``: JSON for ``.json``, else CSV (UTF-8 with BOM, ``;``).

    The CSV is written for Excel in Belgium, where the reports are read:
    ``;`` separator and a BOM so accents survive. Returns the format used.
    """
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(lines, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return "json"
    with path.open("w", encoding="utf-8", newline="") as out:
        write_excel_csv(lines, out)
    return "csv"


def write_excel_csv(lines: list[dict[str, Any]], out: TextIO) -> None:
    """The report as Belgian Excel opens it: a BOM, ``;``, CRLF (``--report``, ``--excel``)."""
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(FIELDS)
    for line in lines:
        writer.writerow([csv_safe("" if line[f] is None else str(line[f])) for f in FIELDS])


def summary(counts: dict[str, int]) -> list[tuple[str, int]]:
    """(state, count) pairs worth showing, in pipeline order."""
    return [(state, counts.get(state, 0)) for state in jn.STATES if counts.get(state, 0)]
