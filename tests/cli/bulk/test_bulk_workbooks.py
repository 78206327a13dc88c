"""``bulk submit`` with files as Excel and LibreOffice write them, against a real portal.

The workbooks are made here by the libraries that write them for real
(openpyxl for .xlsx, odfpy for .ods), with typed cells: a date cell, a
number with decimals, a boolean, and a BCE number typed as a number (Excel
drops its leading 0). Text exports: Excel's "Texte Unicode" (UTF-16 with a
BOM, tab separated), and a file whose encoding cannot be decided.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import httpx
from bulk_support import CLIENTS, COLUMNS, sheet_row, write_sheet

#: The reference worked example: its bank code is in no bank register.
PORTAL_EXAMPLE_IBAN = "BE68 5390 0754 7034"


def _typed(row: dict[str, str], *, bce_as_number: bool) -> list[Any]:
    """The row as a person types it in a spreadsheet: typed cells where Excel types them."""
    typed: dict[str, Any] = dict(row)
    typed["bce"] = int(row["bce"].replace(".", "")) if bce_as_number else row["bce"]
    typed["/workers/0/start_date"] = dt.datetime(2026, 9, 1)
    typed["/workers/0/working_time"] = 0.75
    typed["/workers/0/gross_monthly_salary"] = 2450.5
    typed["/de_minimis_received"] = 0
    typed["/is_sme"] = True
    typed["/establishment_unit/address/postal_code"] = 5030
    typed["/iban"] = PORTAL_EXAMPLE_IBAN
    return [typed.get(c) for c in COLUMNS]


def _pdfs(folder: Path) -> None:
    write_sheet(folder, [], name="unused.csv")  # writes the two PDFs the rows name


def write_xlsx(folder: Path, rows: list[dict[str, str]], *, name: str = "clients.xlsx") -> Path:
    import openpyxl

    _pdfs(folder)
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Clients"
    notes.append(COLUMNS)
    for i, row in enumerate(rows):
        notes.append(_typed(row, bce_as_number=i % 2 == 0))
    for cells in notes.iter_rows(min_row=2, min_col=COLUMNS.index("/workers/0/start_date") + 1):
        cells[0].number_format = "DD/MM/YYYY"
    book.create_sheet("Autre").append(["rien"])
    path = folder / name
    book.save(path)
    return path


def write_ods(folder: Path, rows: list[dict[str, str]], *, name: str = "clients.ods") -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    _pdfs(folder)
    doc = OpenDocumentSpreadsheet()

    def cell(value: Any) -> TableCell:
        if isinstance(value, bool):
            made = TableCell(valuetype="boolean", booleanvalue=str(value).lower())
        elif isinstance(value, dt.datetime):
            made = TableCell(valuetype="date", datevalue=value.strftime("%Y-%m-%dT%H:%M:%S"))
        elif isinstance(value, int | float):
            made = TableCell(valuetype="float", value=str(value))
        else:
            made = TableCell(valuetype="string")
        made.addElement(P(text=str(value if not isinstance(value, bool) else "VRAI")))
        return made

    first = Table(name="Notes")  # the rows are on the second sheet: --sheet
    first.addElement(TableRow())
    doc.spreadsheet.addElement(first)
    table = Table(name="Clients")
    for values in [COLUMNS, *(_typed(r, bce_as_number=True) for r in rows)]:
        line = TableRow()
        for value in values:
            line.addElement(cell(value))
        table.addElement(line)
    # LibreOffice pads the sheet with a huge repeated empty row.
    table.addElement(TableRow(numberrowsrepeated=1048000))
    doc.spreadsheet.addElement(table)
    path = folder / name
    doc.save(str(path))
    return path


def _dossier(b: Any, line: dict[str, Any]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {b.token}", "X-Acting-As": line["beneficiary"]}
    with httpx.Client(base_url=b.server.url + "/api/v1", headers=headers, timeout=30) as api:
        answer = api.get(f"/dossiers/{line['dossier_id']}")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_xlsx_typed_cells_are_filed_as_the_form_wants(bulk, tmp_path: Path, tag: str) -> None:
    b = bulk()
    sheet = write_xlsx(tmp_path, [sheet_row(CLIENTS[0], tag, 2), sheet_row(CLIENTS[1], tag, 3)])
    dry = b.run("bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--dry-run")
    assert dry.code == 0, dry.err + dry.out
    done = b.run("bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--job", "xlsx")
    assert done.code == 0, done.err
    report = b.report("xlsx")
    assert {line["beneficiary"] for line in report.values()} == {CLIENTS[0], CLIENTS[1]}
    data = _dossier(b, report[2])["data"]
    assert data["workers"][0]["start_date"] == "2026-09-01"
    assert data["workers"][0]["gross_monthly_salary"] in ("2450.50", 2450.5)
    assert data["iban"] == "BE68539007547034"
    assert data["is_sme"] is True
    assert data["establishment_unit"]["address"]["postal_code"] == "5030"


def test_xlsx_other_sheet_and_unknown_sheet(bulk, tmp_path: Path, tag: str) -> None:
    b = bulk()
    sheet = write_xlsx(tmp_path, [sheet_row(CLIENTS[0], tag, 2)])
    done = b.run("bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--sheet", "Nope", "--dry-run")
    assert done.code == 5, done.err
    assert "no sheet 'Nope'" in done.err and "'Clients', 'Autre'" in done.err


def test_ods_named_sheet_with_libreoffice_padding(bulk, tmp_path: Path, tag: str) -> None:
    b = bulk()
    sheet = write_ods(tmp_path, [sheet_row(CLIENTS[2], tag, 2), sheet_row(CLIENTS[3], tag, 3)])
    first = b.run("bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--dry-run")
    assert first.code == 5 and "The sheet 'Notes' is empty" in first.err, first.err
    done = b.run(
        "bulk",
        "submit",
        "-p",
        "SESAM",
        "-f",
        str(sheet),
        "--sheet",
        "Clients",
        "--dry-run",
        "-o",
        "json",
    )
    assert done.code == 0, done.err + done.out
    assert "all 2 rows are ready" in done.err


def _tab_text(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.get(c, "") for c in COLUMNS])
    return buffer.getvalue()


def test_excel_unicode_text_export_is_read(bulk, tmp_path: Path, tag: str) -> None:
    """Excel's "Texte Unicode": UTF-16 LE with a BOM, tab separated."""
    b = bulk()
    write_sheet(tmp_path, [], name="unused.csv")
    path = tmp_path / "clients.txt"
    rows = [sheet_row(CLIENTS[0], tag, 2), sheet_row(CLIENTS[1], tag, 3)]
    rows[0]["/iban"] = PORTAL_EXAMPLE_IBAN
    path.write_bytes(_tab_text(rows).encode("utf-16"))  # BOM + little endian
    done = b.run("bulk", "submit", "-p", "SESAM", "-f", str(path), "--dry-run")
    assert done.code == 0, done.err + done.out
    assert "all 2 rows are ready" in done.err


def test_undecidable_encoding_says_so_and_how_to_force_it(bulk, tmp_path: Path, tag: str) -> None:
    b = bulk()
    write_sheet(tmp_path, [], name="unused.csv")
    path = tmp_path / "clients.txt"
    path.write_bytes(_tab_text([sheet_row(CLIENTS[0], tag, 2)]).encode("utf-16-le"))  # no BOM
    done = b.run("bulk", "submit", "-p", "SESAM", "-f", str(path), "--dry-run")
    assert done.code == 5, done.err
    assert "encoding could not be decided" in done.err and "--encoding" in done.err
    assert "No column" not in done.err
    forced = b.run(
        "bulk", "submit", "-p", "SESAM", "-f", str(path), "--dry-run", "--encoding", "utf-16-le"
    )
    assert forced.code == 0, forced.err + forced.out


def test_a_mapped_accented_column_missing_points_at_the_encoding(
    bulk, tmp_path: Path, tag: str
) -> None:
    """A Mac export read as cp1252: "N° entreprise" is garbled, the hint names the encoding."""
    b = bulk()
    write_sheet(tmp_path, [], name="unused.csv")
    row = sheet_row(CLIENTS[0], tag, 2)
    header = ["N° entreprise", *COLUMNS[1:]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([header, [row[c] for c in COLUMNS]])
    text = buffer.getvalue()
    path = tmp_path / "mac.csv"
    path.write_bytes(text.encode("mac_roman"))
    mapping = tmp_path / "map.toml"
    mapping.write_text('beneficiary = "N° entreprise"\n', encoding="utf-8")
    done = b.run(
        "bulk", "submit", "-p", "SESAM", "-f", str(path), "--map", str(mapping), "--dry-run"
    )
    assert done.code == 5, done.err
    assert "the encoding is the problem" in done.err and "--encoding" in done.err
    forced = b.run(
        "bulk",
        "submit",
        "-p",
        "SESAM",
        "-f",
        str(path),
        "--map",
        str(mapping),
        "--dry-run",
        "--encoding",
        "mac_roman",
    )
    assert forced.code == 0, forced.err + forced.out


def test_portal_example_iban_passes_the_dry_run(bulk, tmp_path: Path, tag: str) -> None:
    """``bulk`` used a bank-code register the portal does not: this IBAN failed every row."""
    b = bulk()
    row = sheet_row(CLIENTS[0], tag, 2)
    row["/iban"] = PORTAL_EXAMPLE_IBAN
    sheet = write_sheet(tmp_path, [row])
    done = b.run("bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--dry-run", "-o", "json")
    assert done.code == 0, done.err + done.out
    assert json.loads(done.out or "[]") == []


def test_a_workbook_saved_under_a_csv_name_is_read_as_a_workbook(
    bulk, tmp_path: Path, tag: str
) -> None:
    b = bulk()
    real = write_xlsx(tmp_path, [sheet_row(CLIENTS[0], tag, 2)])
    renamed = real.rename(tmp_path / "clients-export.csv")
    done = b.run("bulk", "submit", "-p", "SESAM", "-f", str(renamed), "--dry-run")
    assert done.code == 0, done.err + done.out
    ods = write_ods(tmp_path, [sheet_row(CLIENTS[1], tag, 2)]).rename(tmp_path / "c.csv")
    named = b.run(
        "bulk", "submit", "-p", "SESAM", "-f", str(ods), "--sheet", "Clients", "--dry-run"
    )
    assert named.code == 0, named.err + named.out
