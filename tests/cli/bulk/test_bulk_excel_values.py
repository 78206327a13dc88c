"""Values as Excel really stores them, through ``bulk submit`` against a real portal.

openpyxl writes the shortest form of a float; Excel writes up to 17
significant digits, so a salary computed by a formula and shown as
``1 180,40`` is stored ``1180.3999999999999``. An NRN typed in a number
column loses its leading 0 (everyone born 2000-2009), and an IBAN pasted
from a bank's web page carries non-breaking spaces. Each must be filed as
the person sees it, with the same answer from the dry run and the portal.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import httpx
from bulk_support import CLIENTS, COLUMNS, sheet_row
from test_bulk_workbooks import write_xlsx

#: Born 1 January 2005 (checked with the 2000+ rule): as a number, 5000012311.
YOUNG_NRN = "05000012311"


def _as_excel_stores_it(path: Path, shown: str, stored: str) -> None:
    """Rewrite the cell values ``<v>shown</v>`` as ``<v>stored</v>``, as Excel writes them."""
    copy = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(copy, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(f"<v>{shown}</v>".encode(), f"<v>{stored}</v>".encode())
            target.writestr(item, data)
    shutil.move(copy, path)


def test_excel_values_are_read_as_the_person_sees_them(bulk, tmp_path: Path, tag: str) -> None:
    import openpyxl

    b = bulk()
    sheet = write_xlsx(tmp_path, [sheet_row(CLIENTS[0], tag, 2)])
    book = openpyxl.load_workbook(sheet)
    cells = book["Clients"]
    cells.cell(2, COLUMNS.index("/workers/0/nrn") + 1, int(YOUNG_NRN))
    cells.cell(2, COLUMNS.index("/iban") + 1, "be68\u00a05390\u00a00754\u00a07034")
    cells.cell(2, COLUMNS.index("/workers/0/gross_monthly_salary") + 1, 1180.4)
    cells.cell(2, COLUMNS.index("/workers/0/working_time") + 1, 0.5)
    book.save(sheet)
    _as_excel_stores_it(sheet, "1180.4", "1180.3999999999999")
    _as_excel_stores_it(sheet, "0.5", "0.50000000000000011")
    assert re.search(
        rb"1180\.3999999999999", zipfile.ZipFile(sheet).read("xl/worksheets/sheet1.xml")
    )

    dry = b.run("bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--dry-run", "-o", "json")
    assert dry.code == 0, dry.err + dry.out
    assert json.loads(dry.out or "[]") == []
    assert "Dry run: the row is ready to file" in dry.err  # not "all 1 rows"
    done = b.run("bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--job", "excel-values")
    assert done.code == 0, done.err
    line = b.report("excel-values")[2]
    headers = {"Authorization": f"Bearer {b.token}", "X-Acting-As": line["beneficiary"]}
    with httpx.Client(base_url=b.server.url + "/api/v1", headers=headers, timeout=30) as api:
        data = api.get(f"/dossiers/{line['dossier_id']}").json()["data"]
    worker = data["workers"][0]
    assert worker["nrn"] == YOUNG_NRN
    assert worker["gross_monthly_salary"] == "1180.40"
    assert worker["working_time"] == 0.5
    assert data["iban"] == "BE68539007547034"


def test_french_dry_run_speaks_french_only(bulk, tmp_path: Path, tag: str) -> None:
    """One bad row out of two: the singular, and the form's words, not 'be-nrn non valide'."""
    from bulk_support import write_sheet

    b = bulk()
    bad = sheet_row(CLIENTS[0], tag, 2)
    bad["/workers/0/nrn"] = "99041218115"
    sheet = write_sheet(tmp_path, [bad, sheet_row(CLIENTS[1], tag, 3)])
    done = run_french(b, "bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--dry-run")
    assert done.code == 5, done.err
    assert "1 ligne sur 2 a des problèmes (1 en tout)" in done.err
    assert "numéro de registre national non valable" in done.out.lower()
    assert "be-nrn" not in done.out


def run_french(b, *args: str):  # type: ignore[no-untyped-def]
    from cli_helpers import run_cli

    return run_cli(list(args), {**b.env, "LANGUAGE": "fr", "LANG": "fr_BE.UTF-8"})


def test_french_dry_run_tells_the_form_rules_in_french(bulk, tmp_path: Path, tag: str) -> None:
    """jsonschema's English ('0.755 is not a multiple of 0.01') never reaches a French user."""
    from bulk_support import write_sheet

    b = bulk()
    bad = sheet_row(CLIENTS[0], tag, 2)
    bad["/workers/0/working_time"] = "0,755"
    sheet = write_sheet(tmp_path, [bad])
    done = run_french(b, "bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--dry-run")
    assert done.code == 5, done.err
    assert "Tapez un multiple de 0,01" in done.out, done.out
    assert "is not" not in done.out


def test_a_title_row_above_the_table_is_skipped(bulk, tmp_path: Path, tag: str) -> None:
    """A merged title over the table made row 2 'a value in a column with no name'."""
    import openpyxl

    b = bulk()
    sheet = write_xlsx(tmp_path, [sheet_row(CLIENTS[0], tag, 2)])
    book = openpyxl.load_workbook(sheet)
    cells = book["Clients"]
    cells.insert_rows(1)
    cells["A1"] = "Dossiers SESAM - novembre 2026"
    cells.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    book.save(sheet)
    done = b.run("bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--job", "titled")
    assert done.code == 0, done.err
    assert list(b.report("titled")) == [3]  # numbered as the spreadsheet shows it


def test_a_formula_error_is_refused_not_filed(bulk, tmp_path: Path, tag: str) -> None:
    """A failed lookup shows #N/A in the municipality: it must not reach the portal as text."""
    import openpyxl

    b = bulk()
    sheet = write_xlsx(tmp_path, [sheet_row(CLIENTS[0], tag, 2)])
    book = openpyxl.load_workbook(sheet)
    cell = book["Clients"].cell(2, COLUMNS.index("/establishment_unit/address/municipality") + 1)
    cell.value, cell.data_type = "#N/A", "e"  # what Excel stores for =VLOOKUP(...) failing
    book.save(sheet)
    done = b.run("bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--dry-run")
    assert done.code == 5, done.err + done.out
    assert "Row 2, cell F2: formula error #N/A" in done.err, done.err
