"""Mapping constants are converted like cells (Belgian dates and numbers) and may name
an attachment sent with every row."""

from __future__ import annotations

from pathlib import Path

import httpx
from bulk_support import CLIENTS, sheet_row, write_sheet

MAPPING = """
[constants]
"/workers/0/start_date" = "01/09/2026"
"/workers/0/working_time" = "0,5"
"/workers/0/gross_monthly_salary" = "2 450,00"
"attachment:sme_check" = "test-pme.pdf"
"""

FROM_CONSTANTS = (
    "/workers/0/start_date",
    "/workers/0/working_time",
    "/workers/0/gross_monthly_salary",
    "attachment:sme_check",
)


def test_constants_in_belgian_form_and_an_attachment_constant(
    bulk, tmp_path: Path, tag: str
) -> None:
    b = bulk()
    rows = [sheet_row(CLIENTS[0], tag, 2), sheet_row(CLIENTS[1], tag, 3)]
    for row in rows:
        for column in FROM_CONSTANTS:
            row[column] = ""
    sheet = write_sheet(tmp_path, rows)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    args = ("bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--map", str(mapping))
    dry = b.run(*args, "--dry-run")
    assert dry.code == 0, dry.err + dry.out
    done = b.run(*args, "--job", "constants")
    assert done.code == 0, done.err
    line = b.report("constants")[2]
    headers = {"Authorization": f"Bearer {b.token}", "X-Acting-As": line["beneficiary"]}
    with httpx.Client(base_url=b.server.url + "/api/v1", headers=headers) as api:
        dossier = api.get(f"/dossiers/{line['dossier_id']}").json()
    worker = dossier["data"]["workers"][0]
    assert worker["start_date"] == "2026-09-01"
    assert worker["working_time"] == 0.5
    assert worker["gross_monthly_salary"] in ("2450.00", 2450)
    assert sorted(a["kind"] for a in dossier["attachments"]) == [
        "employment_contracts",
        "sme_check",
    ]


def test_a_wrong_constant_is_named(bulk, tmp_path: Path, tag: str) -> None:
    b = bulk()
    sheet = write_sheet(tmp_path, [sheet_row(CLIENTS[0], tag, 2)])
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[constants]\n"/workers/0/start_date" = "31/02/2026"\n', encoding="utf-8")
    args = ("bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--map", str(mapping))
    dry = b.run(*args, "--dry-run")
    assert dry.code == 5
    assert "[constants] /workers/0/start_date" in dry.out
