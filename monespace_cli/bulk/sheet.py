"""Reading the input sheet: CSV as Belgian offices export it, and JSON Lines.

Why this is more than ``csv.DictReader``: Excel in Belgium writes ``;``
separated files in cp1252 (or UTF-8 with a BOM when asked to), with CRLF,
quoted cells holding ``;``/newlines/quotes, and trailing empty columns when
a cell to the right was ever touched; LibreOffice and scripts write UTF-8
``,`` files. The reader guesses the encoding and the separator, both
overridable, and refuses what it cannot read with the row and the reason.

Encoding: a UTF-8 BOM means ``utf-8-sig``; else strict UTF-8 if the bytes
decode; else cp1252 (whose few undefined bytes make the file unreadable:
then the user must name the encoding).

Separator: :class:`csv.Sniffer` limited to ``;``, ``,`` and tab gives a first
guess; every candidate is then checked on the whole file (no record wider
than the header) and the widest consistent header wins — the sniffer alone
is fooled by quoted cells full of the other separators.

Rows are numbered as the spreadsheet shows them: the header is row 1, the
first record row 2 (a record with a quoted newline is still one row).
Values stay strings here; typing them is :mod:`monespace_cli.bulk.rows`'s job.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monespace_cli.i18n import _

DELIMITERS = (";", ",", "\t")
_DELIMITER_NAMES = {"semicolon": ";", "comma": ",", "tab": "\t", "\\t": "\t"}
_SNIFF_BYTES = 64 * 1024


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
    kind: str  # "csv" or "jsonl"
    encoding: str
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)


def parse_delimiter(text: str) -> str:
    """``;``, ``,``, a tab (``\\t``, ``tab``), or a name: semicolon, comma."""
    value = _DELIMITER_NAMES.get(text.lower(), text)
    if value not in DELIMITERS:
        raise SheetError(
            _("Unknown delimiter {value!r}: use ';', ',' or 'tab'.").format(value=text)
        )
    return value


def read_sheet(path: Path, *, encoding: str | None = None, delimiter: str | None = None) -> Sheet:
    """Read ``path`` (CSV, or JSON Lines for ``.jsonl``/``.ndjson``)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SheetError(
            _("Cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from None
    text, used = decode(raw, encoding)
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return read_jsonl_text(text, used)
    return read_csv_text(text, used, delimiter)


def decode(raw: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of ``raw`` and the encoding used (given, or detected)."""
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except LookupError:
            raise SheetError(_("Unknown encoding {name!r}.").format(name=encoding)) from None
        except UnicodeDecodeError as exc:
            raise SheetError(_bad_bytes(encoding, exc)) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise SheetError(_bad_bytes("utf-8-sig", exc)) from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise SheetError(
            _bad_bytes("cp1252", exc) + " " + _("Name the file's encoding with --encoding.")
        ) from None


def _bad_bytes(encoding: str, exc: UnicodeDecodeError) -> str:
    return _("The file is not valid {encoding} (byte {offset}).").format(
        encoding=encoding, offset=exc.start
    )


def read_csv_text(text: str, encoding: str, delimiter: str | None = None) -> Sheet:
    """Records of a CSV text; the separator guessed unless given."""
    if not text.strip():
        raise SheetError(_("The file is empty."))
    chosen = delimiter or detect_delimiter(text)
    rows = _parse(text, chosen)
    header, body = rows[0], rows[1:]
    columns = _columns(header)
    records = []
    for index, cells in enumerate(body, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank line: Excel writes ";;;" rows under a table
        records.append(Record(index, _cells(columns, cells, index)))
    return Sheet(columns, records, "csv", encoding, chosen)


def detect_delimiter(text: str) -> str:
    """The separator whose reading is consistent with the widest header.

    Ties (a one-column file, say) go to the reading where every row has as
    many cells as the header — Excel writes rectangles — then to the
    sniffer's guess, then to ``;``, ``,``, tab in that order.
    """
    sniffed: str | None
    try:
        sniffed = csv.Sniffer().sniff(text[:_SNIFF_BYTES], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    order = [d for d in (sniffed, *DELIMITERS) if d is not None]
    best: tuple[int, bool, int, str] | None = None
    for rank, candidate in enumerate(dict.fromkeys(order)):
        shape = _shape(text, candidate)
        if shape is not None and (best is None or (*shape, -rank) > best[:3]):
            best = (*shape, -rank, candidate)
    return best[3] if best is not None else (sniffed or ";")


def _shape(text: str, delimiter: str) -> tuple[int, bool] | None:
    """(header width, rectangular?) when no record is wider than the header, else None."""
    try:
        rows = _parse(text, delimiter)
    except SheetError:
        return None
    width = len(_trim(rows[0]))
    if any(len(_trim(row)) > width for row in rows[1:]):
        return None
    rectangular = all(len(row) == len(rows[0]) for row in rows[1:] if row)
    return width, rectangular


def _parse(text: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise SheetError(
            _("Row {row}: {reason}").format(row=reader.line_num, reason=str(exc))
        ) from None
    if not rows:
        raise SheetError(_("The file is empty."))
    return rows


def _trim(cells: list[str]) -> list[str]:
    """Cells without the empty ones at the end (Excel's trailing ``;;``)."""
    end = len(cells)
    while end and cells[end - 1] == "":  # a cell holding a space is a value
        end -= 1
    return cells[:end]


def _columns(header: list[str]) -> list[str]:
    names = [name.strip() for name in _trim(header)]
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


def _cells(columns: list[str], cells: list[str], row: int) -> dict[str, Any]:
    kept = _trim(cells)
    if len(kept) > len(columns):
        raise SheetError(
            _("Row {row}: a value in column {n}, which has no name in the header.").format(
                row=row, n=len(kept)
            )
        )
    padded = kept + [""] * (len(columns) - len(kept))
    return dict(zip(columns, padded, strict=True))


def read_jsonl_text(text: str, encoding: str) -> Sheet:
    """Records of JSON Lines: one object a line, keys as CSV column names."""
    records: list[Record] = []
    columns: dict[str, None] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            raise SheetError(
                _("Line {row}: not JSON ({reason}).").format(row=number, reason=exc)
            ) from None
        if not isinstance(value, dict):
            raise SheetError(_("Line {row}: not a JSON object.").format(row=number))
        columns.update(dict.fromkeys(value))
        records.append(Record(number, value))
    if not records:
        raise SheetError(_("The file is empty."))
    return Sheet(list(columns), records, "jsonl", encoding)
