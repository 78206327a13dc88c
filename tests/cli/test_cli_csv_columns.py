"""``-o csv`` columns come from the API's schema, whatever the rows hold.

``dossier list`` took its columns from the rows: a dossier's ``prefilled``
map is keyed by the form's pointers, so each procedure gave other columns
(``prefilled./enterprise/bce``…), an empty list gave no header at all, and a
list of attachments was spread over columns that stayed empty.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import httpx
from cli_helpers import cli_env, run_cli

ACCOUNTANT = "91052314742"
CLIENT = "0641238591"
CITIZEN = "74011920708"
DOSSIER_COLUMNS = [
    "id", "procedure", "procedure_version", "title", "status",
    "applicant.kind", "applicant.id", "applicant.name", "created_by.nrn", "created_by.name",
    "acting_as", "data", "prefilled", "attachments", "version", "created_at", "updated_at",
    "submitted_at", "decided_at", "due_at", "receipt_document_id", "payment_id",
]  # fmt: skip


def _header(out: str) -> list[str]:
    return next(csv.reader(io.StringIO(out)), [])


def test_dossier_list_columns_do_not_move_with_the_data(
    portal_server: Any, login: Any, tmp_path: Path
) -> None:
    token = login(portal_server.url, ACCOUNTANT)
    headers = {"Authorization": f"Bearer {token}", "X-Acting-As": CLIENT}
    made = httpx.post(
        portal_server.url + "/api/v1/dossiers", json={"procedure": "SESAM"}, headers=headers
    )
    assert made.status_code == 201, made.text
    env = cli_env(tmp_path, MONESPACE_PORTAL=portal_server.url, MONESPACE_TOKEN=token)
    filled = run_cli(["--as", CLIENT, "dossier", "list", "-o", "csv"], env)
    assert filled.code == 0, filled.err
    assert _header(filled.out) == DOSSIER_COLUMNS
    rows = list(csv.DictReader(io.StringIO(filled.out)))
    assert any(r["id"] == made.json()["id"] and r["prefilled"].startswith("{") for r in rows)
    citizen = cli_env(
        tmp_path / "c",
        MONESPACE_PORTAL=portal_server.url,
        MONESPACE_TOKEN=login(portal_server.url, CITIZEN),
    )
    other = run_cli(["dossier", "list", "-o", "csv", "--status", "refused"], citizen)
    assert other.code == 0, other.err
    assert _header(other.out) == DOSSIER_COLUMNS  # no dossier: still the header


def test_catalog_list_keeps_lists_whole(portal_server: Any, tmp_path: Path) -> None:
    env = cli_env(tmp_path, MONESPACE_PORTAL=portal_server.url)
    done = run_cli(["catalog", "list", "-o", "csv"], env)
    assert done.code == 0, done.err
    header = _header(done.out)
    assert "attachment_kinds" in header and "fee.amount" in header
    assert not [name for name in header if name.startswith("attachment_kinds.")]
