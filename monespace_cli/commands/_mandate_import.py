"""``mandate import``: an accounting firm proposes mandates for many clients from a CSV.

Each row is handled on its own (unlike ``roles apply``, onboarding is not
all-or-nothing: one client's typo must not block the others) and ends in the
report as *proposed*, *skipped* (a mandate with that beneficiary is already
active or proposed, so a re-run is harmless) or *rejected* with the reason.
Rows are checked locally first (BCE check digits, domains, dates,
duplicates); the portal's refusals are reported the same way.

The file is what spreadsheets export: ``;`` or ``,`` separated, UTF-8 with or
without a BOM, an optional header row. Domains in a cell are separated by
``|``, spaces, or commas (when ``;`` separates the columns).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monespace_cli.commands._shared import csam as _csam
from monespace_cli.context import Factory
from monespace_cli.dates import DateError, parse_date
from monespace_cli.errors import ExitCode, PartialSuccess, RejectedInput, UsageProblem
from monespace_cli.i18n import N_, _, plural
from monespace_cli.output import Column
from monespace_cli.roles_file import DOMAINS, bce_ok, clean_number

PROPOSED, SKIPPED, REJECTED = "proposed", "skipped", "rejected"


@dataclass
class Row:
    """One beneficiary line of the file, with what became of it."""

    line: int
    bce: str
    domains: list[str] = field(default_factory=list)
    valid_from: str | None = None
    valid_until: str | None = None
    result: str = ""
    detail: str = ""

    def report(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "bce": self.bce,
            "domains": self.domains,
            "result": self.result,
            "detail": self.detail,
        }


def parse(text: str) -> list[Row]:
    """The rows of the file; a row with a problem is already marked rejected."""
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first else ";" if ";" in first else ","
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        cells = [c.strip() for c in cells]
        if not any(cells) or (number == 1 and cells[0].lower() in ("bce", "beneficiary")):
            continue
        row = _row(number, cells, delimiter)
        if not row.result and row.bce in seen:
            _reject(row, _("same beneficiary as line {line}").format(line=seen[row.bce]))
        seen.setdefault(row.bce, number)
        rows.append(row)
    return rows


def _row(number: int, cells: list[str], delimiter: str) -> Row:
    cells = [*cells, "", "", "", ""][:4] if len(cells) <= 4 else cells
    row = Row(number, clean_number(cells[0]))
    if len(cells) > 4:
        return _reject(row, _("{n} columns, expected 4").format(n=len(cells)))
    if not bce_ok(row.bce):
        return _reject(row, _("{value!r} is not a valid BCE number").format(value=cells[0]))
    splitter = r"[|\s]+" if delimiter == "," else r"[|,\s]+"
    row.domains = [d for d in re.split(splitter, cells[1]) if d]
    unknown = [d for d in row.domains if d not in DOMAINS]
    if not row.domains:
        return _reject(row, _("no domain"))
    if unknown:
        return _reject(row, _("unknown domain {value!r}").format(value=unknown[0]))
    for attr, cell in (("valid_from", cells[2]), ("valid_until", cells[3])):
        if not cell:
            continue
        try:
            setattr(row, attr, parse_date(cell))
        except DateError as exc:
            return _reject(row, str(exc))
    if row.valid_from and row.valid_until and row.valid_until < row.valid_from:
        return _reject(row, _("valid_until is before valid_from"))
    return row


def _reject(row: Row, reason: str) -> Row:
    row.result, row.detail = REJECTED, reason
    return row


def run(f: Factory, path: Path, mandataire: str) -> None:
    """Propose a mandate per row, print the report, exit 0 / 7 (some failed) / 5 (none ok)."""
    from monespace_cli.bulk.sheet import SheetError, decode

    try:
        # The sheet reader's rule: UTF-8 or cp1252, or Excel's "Texte Unicode" by its BOM.
        rows = parse(decode(path.read_bytes())[0])
    except (OSError, SheetError) as exc:
        detail = getattr(exc, "strerror", None) or str(exc)
        raise UsageProblem(
            _("Cannot read {path}: {detail}").format(path=path, detail=detail)
        ) from None
    if not rows:
        raise RejectedInput(_("{path} has no beneficiary row.").format(path=path))
    with f.client() as client, _csam.rights():
        existing = _open_beneficiaries(client, mandataire)
        for row in rows:
            if not row.result:
                _propose(client, row, mandataire, existing)
    _print(f, rows)
    _finish(rows)


def _open_beneficiaries(client: Any, mandataire: str) -> dict[str, str]:
    """Beneficiary BCE → id of the firm's mandate that is already active or proposed."""
    out: dict[str, str] = {}
    for state in ("active", "proposed"):
        for mandate in client.list_mandates(organisation=mandataire, state=state):
            if (mandate.get("mandataire") or {}).get("bce") == mandataire:
                out[str(mandate["beneficiary"]["bce"])] = str(mandate["id"])
    return out


def _propose(client: Any, row: Row, mandataire: str, existing: dict[str, str]) -> None:
    from monespace_cli.client import Forbidden, PortalError
    from monespace_cli.errors import explain

    if row.bce in existing:
        row.result = SKIPPED
        row.detail = _("mandate {id} already active or proposed").format(id=existing[row.bce])
        return
    body = {
        "beneficiary": row.bce,
        "mandataire": mandataire,
        "domains": row.domains,
        "valid_from": row.valid_from or dt.date.today().isoformat(),
        "valid_until": row.valid_until,
    }
    try:
        mandate = client.propose_mandate(body)
    except PortalError as exc:
        problem = _csam.forbidden(exc) if isinstance(exc, Forbidden) else explain(exc)
        reason = problem.message if problem else str(exc)
        if problem and problem.details:
            reason += " (" + "; ".join(problem.details) + ")"
        _reject(row, reason)
        return
    row.result, row.detail = PROPOSED, _("mandate {id}").format(id=mandate["id"])
    existing[row.bce] = str(mandate["id"])


def _print(f: Factory, rows: list[Row]) -> None:
    columns = [
        Column("line", _("LINE")),
        Column("bce", _("BCE")),
        Column("result", _("RESULT")),
        Column("detail", _("DETAIL")),
    ]
    f.printer.list([r.report() for r in rows], columns)
    counts = {k: sum(1 for r in rows if r.result == k) for k in (PROPOSED, SKIPPED, REJECTED)}
    message = _("{proposed} proposed, {skipped} skipped, {rejected} rejected.")
    f.io.info(message.format(**counts))


def _finish(rows: list[Row]) -> None:
    rejected = sum(1 for r in rows if r.result == REJECTED)
    if not rejected:
        return
    if rejected == len(rows):
        raise RejectedInput(_("No row could be imported."), exit_code=ExitCode.REJECTED)
    message = plural(
        rejected, N_("{n} row rejected; see the report."), N_("{n} rows rejected; see the report.")
    )
    raise PartialSuccess(message.format(n=rejected))
