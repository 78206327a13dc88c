"""Fixtures for the dossier-side CLI tests: a real portal and a logged-in citizen.

The portal is the shared ``portal_server`` fixture (real uvicorn on loopback with
the sandbox); the token comes from the shared ``login`` helper, which goes
through the real eID challenge–response. The CLI runs in a subprocess with
stdin from /dev/null, so any prompt would fail instead of hanging.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/cli: cli_helpers

from cli_helpers import Result, cli_env, run_cli

#: Philippe Jean Lambert, Namur (sandbox national register), a plain citizen.
CITIZEN = "68031412135"
#: Sophie Lejeune, Namur: another citizen, to show that dossiers stay private.
OTHER = "83110208625"


def _token(portal_server, nrn: str) -> str:
    """A session token through the real challenge–response (key from the sandbox PKI)."""
    from tests.conftest import session_token

    return session_token(portal_server.url, portal_server.pki_dir, nrn)


@pytest.fixture(scope="module")
def citizen_token(portal_server) -> str:
    return _token(portal_server, CITIZEN)


@pytest.fixture(scope="module")
def other_token(portal_server) -> str:
    return _token(portal_server, OTHER)


@pytest.fixture
def mcli(tmp_path: Path, portal_server, citizen_token: str) -> Callable[..., Result]:
    """``mcli("dossier", "list")``: the real CLI as the sandbox citizen."""
    env = cli_env(tmp_path, MONESPACE_PORTAL=portal_server.url, MONESPACE_TOKEN=citizen_token)

    def run(*args: str, input: str | None = None, cwd: Path | None = None, **extra: str) -> Result:
        return run_cli(list(args), {**env, **extra}, input=input)

    run.env = env  # type: ignore[attr-defined]
    return run


@pytest.fixture
def pdf_file(tmp_path: Path) -> Path:
    """A real, well-formed PDF (the portal sniffs content, not names)."""
    from portal import pdf

    path = tmp_path / "certificat.pdf"
    path.write_bytes(pdf.render(["Certificat vétérinaire", "Chien: Rex"], title="Certificat"))
    return path
