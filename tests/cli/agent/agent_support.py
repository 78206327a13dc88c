"""Fixtures for the ``monespace agent`` tests: the real portal, logged-in agents, fresh dossiers.

The portal is the session's ``portal_server`` (real uvicorn, sandbox data),
shared with other tests: every test files its own dossiers (through the
applicant's API, as a citizen would) and selects them by id, never by
"the whole queue". Agents and applicants log in through the real eID
challenge–response; the CLI runs in a subprocess with stdin from /dev/null.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/cli: cli_helpers

from cli_helpers import Result, cli_env, run_cli

#: Anne Gilson: supervisor of SPW-EER.
SUPERVISOR = "70112804283"
#: Maxime Piron: agent of SPW-EER and of FOREM.
AGENT = "90060621186"
#: Sarah Hardy: agent of SPW-TLPE only (another service).
OUTSIDER = "95101407815"
#: Philippe Lambert: legal representative of Fiduciaire Meuse & Sambre SRL.
APPLICANT = "68031412135"
FIDUCIAIRE = "0856712314"
#: An SPW-EER procedure open to enterprises (one required PDF attachment).
PROCEDURE = "CHEQUES-ENTREPRISES"

ROOT = Path(__file__).resolve().parents[3]


def _token(url: str, pki_dir: Path, nrn: str) -> str:
    """A session token through the real challenge–response (key from the sandbox PKI)."""
    from tests.conftest import session_token

    return session_token(url, pki_dir, nrn)


@pytest.fixture(scope="module")
def tokens(portal_server) -> Callable[[str], str]:
    """``tokens(nrn)``: one session per person for the module."""
    cache: dict[str, str] = {}

    def get(nrn: str) -> str:
        if nrn not in cache:
            cache[nrn] = _token(portal_server.url, portal_server.pki_dir, nrn)
        return cache[nrn]

    return get


Runner = Callable[..., Result]


@pytest.fixture
def as_person(tmp_path: Path, portal_server, tokens) -> Callable[[str], Runner]:
    """``as_person(nrn)("agent", "queue")``: the real CLI logged in as that person."""

    def make(nrn: str) -> Runner:
        home = tmp_path / nrn
        home.mkdir(exist_ok=True)
        env = cli_env(home, MONESPACE_PORTAL=portal_server.url, MONESPACE_TOKEN=tokens(nrn))

        def run(*args: str, input: str | None = None, **extra: str) -> Result:
            return run_cli(list(args), {**env, **extra}, input=input)

        return run

    return make


@pytest.fixture
def supervisor(as_person) -> Runner:
    return as_person(SUPERVISOR)


@pytest.fixture
def agent(as_person) -> Runner:
    return as_person(AGENT)


@pytest.fixture
def applicant(as_person) -> Runner:
    return as_person(APPLICANT)


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    from portal import pdf

    return pdf.render(["Convention de prestation", "Signée"], title="Convention")


@pytest.fixture
def file_dossier(portal_server, tokens, pdf_bytes) -> Callable[[], str]:
    """``file_dossier()``: a new submitted SPW-EER dossier of the Fiduciaire; its id."""
    import httpx

    example = json.loads((ROOT / "portal/sandbox/procedures" / f"{PROCEDURE}.json").read_text())
    headers = {"Authorization": f"Bearer {tokens(APPLICANT)}", "X-Acting-As": FIDUCIAIRE}

    def make() -> str:
        with httpx.Client(base_url=portal_server.url + "/api/v1", headers=headers, timeout=30) as h:
            made = h.post(
                "/dossiers", json={"procedure": PROCEDURE, "data": example["example_data"]}
            )
            assert made.status_code == 201, made.text
            dossier_id = made.json()["id"]
            files = {"file": ("convention.pdf", pdf_bytes, "application/pdf")}
            added = h.post(
                f"/dossiers/{dossier_id}/attachments",
                data={"kind": "service_agreement"},
                files=files,
            )
            assert added.status_code == 201, added.text
            sent = h.post(f"/dossiers/{dossier_id}/submit", headers={"Idempotency-Key": dossier_id})
            assert sent.status_code == 200, sent.text
            assert sent.json()["status"] == "submitted"
            return str(dossier_id)

    return make
