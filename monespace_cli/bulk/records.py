"""What every reader of an input sheet gives: a :class:`Sheet` of :class:`Record` rows.

CSV and JSON Lines (:mod:`monespace_cli.bulk.sheet`) and workbooks
(:mod:`monespace_cli.bulk.workbook`) all end here, so a header is checked and
a row cut to its columns by one rule, whatever the file was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from monespace_cli.i18n import _


class SheetError(ValueError):
    """The file cannot be read as a sheet; the message says where and why."""


@dataclass(frozen=True)
class Record:
    """One input row: its spreadsheet row number and its cells by column name."""

    row: int
    values: dict[str, Any]


@dataclass
class Sheet:
    """A read file: columns in order, records, and how it was read."""

    columns: list[str]
    records: list[Record]
    kind: str  # "csv", "jsonl", "xlsx" or "ods"
    encoding: str
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)
    #: The encoding was detected, not given with --encoding (worth a hint on errors).
    encoding_guessed: bool = False


def trim_row(cells: list[str]) -> list[str]:
    """Cells without the empty ones at the end (Excel's trailing ``;;``)."""
    end = len(cells)
    while end and cells[end - 1] == "":  # a cell holding a space is a value
        end -= 1
    return cells[:end]


def header_columns(header: list[str]) -> list[str]:
    """The column names of a header row; SheetError for a missing or repeated name."""
    names = [name.strip() for name in trim_row(header)]
    if not names:
        raise SheetError(_("Row 1 (the header) has no column names."))
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        if not name:
            raise SheetError(_("Row 1: column {n} has no name.").format(n=position))
        if name in seen:
            raise SheetError(_("Row 1: column {name!r} appears twice.").format(name=name))
        seen.add(name)
    return names


def row_cells(columns: list[str], cells: list[str], row: int) -> dict[str, Any]:
    """A row's cells by column name; SheetError for a value beyond the header."""
    kept = trim_row(cells)
    if len(kept) > len(columns):
        raise SheetError(
            _("Row {row}: a value in column {n}, which has no name in the header.").format(
                row=row, n=len(kept)
            )
        )
    padded = kept + [""] * (len(columns) - len(kept))
    return dict(zip(columns, padded, strict=True))
