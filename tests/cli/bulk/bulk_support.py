"""Fixtures for ``monespace bulk``: fresh real portals, the accountant's login, sheets.

Each fault test gets its own portal (uvicorn on a copy of the migrated
sandbox database, optionally with ``MONESPACE_PORTAL_FAULTS``), so "exactly
one dossier per row" is counted on a database nobody else writes to. The
CLI runs in a subprocess with its own HOME (journals live in its state
folder), logged in as the accountant Julien Martin of the Fiduciaire Meuse
& Sambre, who acts for the firm's clients through their mandates.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/cli: cli_helpers

from cli_helpers import ROOT, Result, cli_env, run_cli

from tests.conftest import PortalServer, session_token

#: Julien Martin, accountant of the Fiduciaire Meuse & Sambre (employment/act on mandates).
ACCOUNTANT = "91052314742"
#: The firm's clients with an active mandate covering employment (SESAM's domain).
CLIENTS = ("0641238591", "0712394031", "0893450271", "0459811078")
#: Imprimerie Delvaux SRL: its mandate is only proposed, so nobody may file for it.
NOT_COVERED = "0477620377"
PROCEDURE = "SESAM"
WORKER_NRN = "99041218114"

COLUMNS = [
    "bce",
    "/establishment_unit/number",
    "/establishment_unit/address/street",
    "/establishment_unit/address/number",
    "/establishment_unit/address/postal_code",
    "/establishment_unit/address/municipality",
    "/is_sme",
    "/workers/0/nrn",
    "/workers/0/given_names",
    "/workers/0/surname",
    "/workers/0/category",
    "/workers/0/function",
    "/workers/0/contract",
    "/workers/0/start_date",
    "/workers/0/working_time",
    "/workers/0/gross_monthly_salary",
    "/development_project",
    "/de_minimis_received",
    "/iban",
    "attachment:sme_check",
    "attachment:employment_contracts",
]


def sheet_row(bce: str, tag: str, number: int) -> dict[str, str]:
    """A valid SESAM row, written the Belgian way (dates dd/mm/yyyy, decimal commas)."""
    return {
        "bce": bce[:4] + "." + bce[4:7] + "." + bce[7:],
        "/establishment_unit/number": "2.187.654.321",
        "/establishment_unit/address/street": "Grand-Rue",
        "/establishment_unit/address/number": str(number),
        "/establishment_unit/address/postal_code": "5030",
        "/establishment_unit/address/municipality": "Gembloux",
        "/is_sme": "VRAI",
        "/workers/0/nrn": WORKER_NRN,
        "/workers/0/given_names": "Kévin",
        "/workers/0/surname": "Lallemand",
        "/workers/0/category": "under_25",
        "/workers/0/function": "Boulanger; pâtissier",
        "/workers/0/contract": "cdi",
        "/workers/0/start_date": "01/09/2026",
        "/workers/0/working_time": "0,75",
        "/workers/0/gross_monthly_salary": "2 450,5",
        "/development_project": f"{tag} row {number}: «second point de vente»",
        "/de_minimis_received": "0,00",
        "/iban": "BE33 3631 9024 6746",
        "attachment:sme_check": "test-pme.pdf",
        "attachment:employment_contracts": "contrats.pdf",
    }


def write_sheet(
    folder: Path, rows: list[dict[str, str]], *, name: str = "clients.csv", encoding: str = "cp1252"
) -> Path:
    """Rows as Excel in Belgium writes them: ``;``, CRLF, cp1252, a trailing empty column."""
    from portal import pdf

    for piece in ("test-pme.pdf", "contrats.pdf"):
        if not (folder / piece).exists():
            (folder / piece).write_bytes(pdf.render([piece], title=piece))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([*COLUMNS, ""])
    for row in rows:
        writer.writerow([*(row.get(c, "") for c in COLUMNS), ""])
    path = folder / name
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def many_rows(count: int, tag: str) -> list[dict[str, str]]:
    """``count`` valid rows spread over the covered clients; rows are 2..count+1."""
    return [sheet_row(CLIENTS[i % len(CLIENTS)], tag, i + 2) for i in range(count)]


@dataclass
class Bulk:
    """The real CLI as the accountant, against one portal, with one HOME."""

    server: PortalServer
    token: str
    home: Path
    baseline: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return cli_env(self.home, MONESPACE_PORTAL=self.server.url, MONESPACE_TOKEN=self.token)

    def run(self, *args: str, timeout: float = 120) -> Result:
        return run_cli(list(args), self.env, timeout=timeout)

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "monespace_cli", *args],
            env=self.env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def journal(self, job: str) -> Path:
        return self.home / ".local" / "state" / "monespace" / "bulk" / f"{job}.sqlite"

    def filed(self) -> dict[str, str]:
        """SESAM dossiers the accountant created since this test began: id → status.

        Counted through the list endpoint in each client's context, as the
        accountant: a duplicate would show as an id the journal does not have.
        """
        found: dict[str, str] = {}
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.server.url + "/api/v1", headers=headers, timeout=30) as api:
            for bce in (*CLIENTS, NOT_COVERED):
                for dossier in _all_dossiers(api, bce):
                    if (
                        dossier["created_by"]["nrn"] == ACCOUNTANT
                        and dossier["id"] not in self.baseline
                    ):
                        assert dossier["id"] not in found
                        found[dossier["id"]] = dossier["status"]
        return found

    def report(self, job: str) -> dict[int, dict[str, Any]]:
        """``bulk report JOB -o json`` by row."""
        done = self.run("bulk", "report", job, "-o", "json")
        assert done.code == 0, done.err
        return {line["row"]: line for line in json.loads(done.out)}

    def assert_one_dossier_per_row(self, job: str, rows: int) -> None:
        """The portal holds exactly the job's dossiers, one per row, all submitted."""
        report = self.report(job)
        assert len(report) == rows
        assert all(line["status"] == "submitted" for line in report.values()), report
        ids = [line["dossier_id"] for line in report.values()]
        assert len(set(ids)) == rows
        assert self.filed() == dict.fromkeys(ids, "submitted")
        self.assert_attached_once(report.values())

    def assert_attached_once(self, lines: Any) -> None:
        """Each dossier holds each of the row's files exactly once (no upload repeated)."""
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.server.url + "/api/v1", headers=headers, timeout=30) as api:
            for line in lines:
                path = f"/dossiers/{line['dossier_id']}"
                acting = {"X-Acting-As": line["beneficiary"]}
                answer = patiently(partial(api.get, path, headers=acting))
                assert answer.status_code == 200, answer.text
                kinds = sorted(a["kind"] for a in answer.json()["attachments"])
                assert kinds == ["employment_contracts", "sme_check"], (line, kinds)


def _all_dossiers(api: httpx.Client, bce: str) -> Iterator[dict[str, Any]]:
    cursor = None
    while True:
        params: dict[str, str | int] = {"procedure": PROCEDURE, "limit": 500}
        if cursor:
            params["cursor"] = cursor
        answer = patiently(
            partial(api.get, "/dossiers", params=params, headers={"X-Acting-As": bce})
        )
        if answer.status_code == 403:
            return
        answer.raise_for_status()
        body = answer.json()
        yield from body["items"]
        cursor = body.get("next_cursor")
        if not cursor:
            return


def patiently(call: Callable[[], httpx.Response]) -> httpx.Response:
    """The answer of ``call``, asked again while a fault-injecting portal says 503/429."""
    for _ in range(100):
        answer = call()
        if answer.status_code not in (429, 503):
            return answer
        time.sleep(0.05)
    return answer


def token_for(server: PortalServer, nrn: str) -> str:
    """A session through the real challenge–response (key from the sandbox PKI)."""
    return session_token(server.url, server.pki_dir, nrn)


@pytest.fixture(scope="module")
def portals(
    sandbox_database_template: Path, pki_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., tuple[PortalServer, str]]]:
    """``portals(**extra_env)``: a real portal on its own copy of the sandbox, and a token.

    One portal per environment and test module (starting one costs seconds
    on a busy machine); tests compare what they filed against a snapshot
    taken when they start, so they may share it.
    """
    started: dict[tuple[tuple[str, str], ...], tuple[PortalServer, str]] = {}

    def get(**extra_env: str) -> tuple[PortalServer, str]:
        key = tuple(sorted(extra_env.items()))
        if key not in started:
            folder = tmp_path_factory.mktemp("bulk-portal")
            database = folder / "portal.sqlite3"
            shutil.copyfile(sandbox_database_template, database)
            server = PortalServer(
                f"sqlite:///{database}", pki_dir, folder / "server.log", extra_env=dict(extra_env)
            )
            server.start(timeout=90)
            started[key] = (server, token_for(server, ACCOUNTANT))
        return started[key]

    yield get
    for server, _token in started.values():
        server.stop()


@pytest.fixture
def bulk(portals: Callable[..., tuple[PortalServer, str]], tmp_path: Path) -> Callable[..., Bulk]:
    """``bulk(**portal_env)``: the accountant's CLI (own HOME) on a portal with that env."""

    def make(**extra_env: str) -> Bulk:
        server, token = portals(**extra_env)
        home = tmp_path / "home"
        home.mkdir(exist_ok=True)
        made = Bulk(server, token, home)
        made.baseline = made.filed()
        return made

    return make


@pytest.fixture
def tag() -> str:
    """A marker put in every row's text, to find this test's dossiers."""
    return "t" + os.urandom(4).hex()
