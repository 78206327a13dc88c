"""Reading the input sheet: Excel and LibreOffice files, CSV as Belgian offices
export it, and JSON Lines.

Why this is more than ``csv.DictReader``: Excel in Belgium writes ``;``
separated files in cp1252 (or UTF-8 with a BOM when asked to), with CRLF,
quoted cells holding ``;``/newlines/quotes, and trailing empty columns when
a cell to the right was ever touched; LibreOffice and scripts write UTF-8
``,`` files. The reader guesses the encoding and the separator, both
overridable, and refuses what it cannot read with the row and the reason.

Workbooks: ``.xlsx``/``.xlsm`` (openpyxl) and ``.ods`` (read here with the
standard library: an ODS file is a zip with one XML file of cells) are read
from their first sheet, or the one named with ``--sheet``. Their cells are
typed (a date cell is a date, 2450,5 a number, VRAI a boolean, a BCE typed
as a number lost its leading 0): each is written as the canonical text the
CSV path already understands (``2026-09-01``, ``2450.5``, ``true``), so one
conversion, :mod:`monespace_cli.bulk.coerce`, serves every kind of file.

Encoding: a UTF-8 BOM means ``utf-8-sig``; a UTF-16 BOM (Excel's "Texte
Unicode" export, tab separated) means UTF-16; else strict UTF-8 if the
bytes decode; else cp1252. A text with NUL characters was not decided
right (UTF-16 without its BOM, say): the reader says the encoding is the
problem and how to force it, instead of letting a garbled header surface
later as "no column …".

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
from pathlib import Path

from monespace_cli.bulk import workbook
from monespace_cli.bulk.records import (
    Record,
    Sheet,
    SheetError,
    header_columns,
    row_cells,
    trim_row,
)
from monespace_cli.i18n import _

DELIMITERS = (";", ",", "\t")
_DELIMITER_NAMES = {"semicolon": ";", "comma": ",", "tab": "\t", "\\t": "\t"}
_SNIFF_BYTES = 64 * 1024


def parse_delimiter(text: str) -> str:
    """``;``, ``,``, a tab (``\\t``, ``tab``), or a name: semicolon, comma."""
    value = _DELIMITER_NAMES.get(text.lower(), text)
    if value not in DELIMITERS:
        raise SheetError(
            _("Unknown delimiter {value!r}: use ';', ',' or 'tab'.").format(value=text)
        )
    return value


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods")


def read_sheet(
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> Sheet:
    """Read ``path``: a workbook (.xlsx, .xlsm, .ods), JSON Lines (.jsonl, .ndjson), or CSV."""
    suffix = path.suffix.lower()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SheetError(
            _("Cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from None
    if sheet is not None and not _is_workbook(raw, suffix):
        message = _("--sheet is for workbooks (.xlsx, .ods); {path} is not one.")
        raise SheetError(message.format(path=path))
    if _is_workbook(raw, suffix):
        # A workbook saved under another name (clients.csv that is really an
        # .xlsx) is still a zip: read what it is, not what it is called.
        return workbook.read_workbook(raw, workbook.kind_of(raw, suffix), sheet)
    text, used = decode(raw, encoding)
    if suffix in (".jsonl", ".ndjson"):
        read = read_jsonl_text(text, used)
    else:
        read = read_csv_text(text, used, delimiter)
    read.encoding_guessed = encoding is None
    return read


def _is_workbook(raw: bytes, suffix: str) -> bool:
    return suffix in WORKBOOK_SUFFIXES or raw.startswith(b"PK\x03\x04")


def decode(raw: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of ``raw`` and the encoding used (given, or detected)."""
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except LookupError:
            raise SheetError(_("Unknown encoding {name!r}.").format(name=encoding)) from None
        except UnicodeDecodeError as exc:
            raise SheetError(_bad_bytes(encoding, exc)) from None
    for bom, name in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(name), name
            except UnicodeDecodeError as exc:
                raise SheetError(_bad_bytes(name, exc) + " " + _force_hint()) from None
    for name in ("utf-8", "cp1252"):
        try:
            text = raw.decode(name)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break  # UTF-16 (or UTF-32) without its byte order mark
        return text, name
    raise SheetError(
        _("The file's encoding could not be decided (it is neither UTF-8 nor cp1252).")
        + " "
        + _force_hint()
    )


#: Byte order marks, longest first (UTF-32's starts like UTF-16's).
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def _force_hint() -> str:
    return _(
        "Force it with --encoding: utf-8, cp1252 (Excel's CSV), or utf-16 (Excel's Unicode text)."
    )


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
    columns = header_columns(header)
    records = []
    for index, cells in enumerate(body, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank line: Excel writes ";;;" rows under a table
        records.append(Record(index, row_cells(columns, cells, index)))
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
    width = len(trim_row(rows[0]))
    if any(len(trim_row(row)) > width for row in rows[1:]):
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
