"""Workbooks as accountants have them: Excel ``.xlsx``/``.xlsm`` and LibreOffice ``.ods``.

Why not ask for a CSV export: every export is a chance to lose a leading 0,
turn a date into text in another locale or pick the wrong encoding. Reading
the workbook gives the cells as the spreadsheet typed them. Each typed cell
becomes the canonical text that :mod:`monespace_cli.bulk.coerce` already
reads from a CSV (a date cell ``2026-09-01``, a number ``2450.5``, a boolean
``true``), so the form's schema decides the final value in one place.

``.xlsx`` is read with openpyxl (read-only, cached formula values). ``.ods``
is a zip holding ``content.xml``; reading its cells needs only the standard
library. LibreOffice writes trailing empty rows and columns as one element
"repeated" a million times: those are counted, never expanded.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from monespace_cli.bulk.records import Record, Sheet, SheetError, header_columns, row_cells
from monespace_cli.i18n import _

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
#: More repeated rows than this, all empty, is LibreOffice's padding to the sheet's end.
_MAX_REPEAT = 10_000


def read_workbook(raw: bytes, suffix: str, sheet: str | None) -> Sheet:
    """The records of the chosen sheet (the first one unless ``sheet`` names one)."""
    if suffix == ".ods":
        name, rows = _ods_rows(raw, sheet)
        kind = "ods"
    else:
        name, rows = _xlsx_rows(raw, sheet)
        kind = "xlsx"
    return _sheet_of(rows, kind, name)


def kind_of(raw: bytes, suffix: str) -> str:
    """``.ods`` or ``.xlsx``: an OpenDocument zip names its type in ``mimetype``."""
    if suffix in (".xlsx", ".xlsm", ".ods"):
        return suffix
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            mimetype = archive.read("mimetype") if "mimetype" in archive.namelist() else b""
    except zipfile.BadZipFile:
        return ".xlsx"  # openpyxl then says what is wrong
    return ".ods" if b"opendocument.spreadsheet" in mimetype else ".xlsx"


def _sheet_of(rows: Iterable[tuple[int, list[str]]], kind: str, name: str) -> Sheet:
    filled = [(number, cells) for number, cells in rows if any(cell.strip() for cell in cells)]
    if not filled:
        raise SheetError(_("The sheet {name!r} is empty.").format(name=name))
    start = _header_index(filled)
    columns = header_columns(filled[start][1])
    records = [
        Record(number, row_cells(columns, cells, number)) for number, cells in filled[start + 1 :]
    ]
    notes = [_("sheet {name!r}").format(name=name)]
    if start:
        notes.append(_("header on row {row}").format(row=filled[start][0]))
    return Sheet(columns, records, kind, "", notes=notes)


def _header_index(filled: list[tuple[int, list[str]]]) -> int:
    """Where the header is: after the title rows a workbook often has above its table.

    A title ("Dossiers SESAM - novembre", merged across the table) is a row
    with one filled cell followed by a wider row; a one-column table is not
    one, since its next row is no wider.
    """

    def width(cells: list[str]) -> int:
        return sum(1 for cell in cells if cell.strip())

    index = 0
    while index + 1 < len(filled) and width(filled[index][1]) == 1 < width(filled[index + 1][1]):
        index += 1
    return index


def cell_text(value: Any) -> str:
    """A typed cell as the text the CSV path reads: ISO dates, ``.`` decimals, true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        # Excel stores a computed 1180,40 as 1180.3999999999999 but shows, and
        # means, 15 significant digits: read the number the person sees.
        shown = float(f"{value:.15g}")
        return str(int(shown)) if shown.is_integer() else repr(shown)
    return str(value)


def _unknown_sheet(name: str, names: list[str]) -> SheetError:
    return SheetError(
        _("The workbook has no sheet {name!r}; its sheets: {names}.").format(
            name=name, names=", ".join(repr(n) for n in names)
        )
    )


# -- Excel ---------------------------------------------------------------------------


def _xlsx_rows(raw: bytes, sheet: str | None) -> tuple[str, list[tuple[int, list[str]]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise SheetError(_("Not an Excel workbook ({reason}).").format(reason=exc)) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise _unknown_sheet(sheet, book.sheetnames)
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        rows = [
            (number, [_xlsx_cell(cell, number) for cell in cells])
            for number, cells in enumerate(worksheet.iter_rows(), start=1)
        ]
        return worksheet.title, rows
    finally:
        book.close()


def _xlsx_cell(cell: Any, row: int) -> str:
    """The cell's text; a formula error (#N/A of a failed lookup…) is refused, never filed."""
    if getattr(cell, "data_type", None) == "e":
        raise SheetError(
            _("Row {row}, cell {cell}: formula error {value}; correct it in the workbook.").format(
                row=row, cell=getattr(cell, "coordinate", "?"), value=cell.value
            )
        )
    return cell_text(getattr(cell, "value", None))


# -- LibreOffice ---------------------------------------------------------------------


def _ods_rows(raw: bytes, sheet: str | None) -> tuple[str, list[tuple[int, list[str]]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            content = archive.read("content.xml")
    except (zipfile.BadZipFile, KeyError) as exc:
        raise SheetError(
            _("Not an OpenDocument spreadsheet ({reason}).").format(reason=exc)
        ) from None
    tables = _ods_tables(content)
    names = [name for name, _element in tables]
    if not tables:
        raise SheetError(_("The workbook has no sheet."))
    if sheet is not None and sheet not in names:
        raise _unknown_sheet(sheet, names)
    name, table = tables[names.index(sheet)] if sheet is not None else tables[0]
    return name, list(_ods_table_rows(table))


def _not_ods(exc: Exception) -> SheetError:
    return SheetError(_("Not an OpenDocument spreadsheet ({reason}).").format(reason=exc))


def _ods_tables(content: bytes) -> list[tuple[str, Any]]:
    # The XML comes from a file the user chose to send, not from the network;
    # Python's expat refuses entity-expansion bombs (billion laughs) since 3.7.1.
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(content)  # noqa: S314
    except ElementTree.ParseError as exc:
        raise SheetError(
            _("Not an OpenDocument spreadsheet ({reason}).").format(reason=exc)
        ) from None
    return [
        (str(table.get(f"{{{_TABLE}}}name", "")), table)
        for table in root.iter(f"{{{_TABLE}}}table")
    ]


def _ods_table_rows(table: Any) -> Iterator[tuple[int, list[str]]]:
    number = 0
    for row in table.iter(f"{{{_TABLE}}}table-row"):
        repeat = int(row.get(f"{{{_TABLE}}}number-rows-repeated", "1"))
        cells = _ods_cells(row)
        if not any(cells):
            number += repeat  # empty rows only move the numbering on
            continue
        for _copy in range(min(repeat, _MAX_REPEAT)):
            number += 1
            yield number, list(cells)


def _ods_cells(row: Any) -> list[str]:
    cells: list[str] = []
    for cell in row:
        if cell.tag not in (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell"):
            continue
        repeat = int(cell.get(f"{{{_TABLE}}}number-columns-repeated", "1"))
        text = _ods_value(cell)
        if not text:
            cells.extend([""] * min(repeat, _MAX_REPEAT))
        else:
            cells.extend([text] * repeat)
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _ods_value(cell: Any) -> str:
    kind = cell.get(f"{{{_OFFICE}}}value-type")
    if kind in ("float", "percentage", "currency"):
        return cell_text(float(cell.get(f"{{{_OFFICE}}}value", "0")))
    if kind == "date":
        value = cell.get(f"{{{_OFFICE}}}date-value", "")
        return value[:10] if value.endswith("T00:00:00") or len(value) == 10 else value
    if kind == "boolean":
        return "true" if cell.get(f"{{{_OFFICE}}}boolean-value") == "true" else "false"
    if kind == "time":
        return str(cell.get(f"{{{_OFFICE}}}time-value", ""))
    return "\n".join(_paragraph_text(p) for p in cell.iter(f"{{{_TEXT}}}p"))


def _paragraph_text(paragraph: Any) -> str:
    """The text of a ``text:p``, with ``text:s`` (spaces) and ``text:tab`` expanded."""
    parts = [paragraph.text or ""]
    for child in paragraph:
        if child.tag == f"{{{_TEXT}}}s":
            parts.append(" " * int(child.get(f"{{{_TEXT}}}c", "1")))
        elif child.tag == f"{{{_TEXT}}}tab":
            parts.append("\t")
        elif child.tag == f"{{{_TEXT}}}line-break":
            parts.append("\n")
        else:
            parts.append(_paragraph_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
