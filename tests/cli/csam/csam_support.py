"""Fixtures for the CSAM CLI tests: the real portal, real logins, the real CLI in a subprocess.

The portal is ``portal_server`` (real uvicorn with the sandbox seeds,
session-wide: tests start from what they read, never from a clean database);
tokens come from the shared ``login`` helper (real eID challenge–response).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/cli: cli_helpers

from cli_helpers import Result, cli_env, run_cli

#: Kevin Thill, GAP of Ardenne Digital SA.
KEVIN = "93120523305"
ARDENNE = "0893450271"
#: Sophie Lejeune, GAP of the fiduciaire (an accounting firm, mandataire of many clients).
SOPHIE = "83110208625"
FIDUCIAIRE = "0856712314"
#: Luc Mathieu, legal representative and GAP of Boulangerie Mathieu SRL.
LUC = "74011920708"
BOULANGERIE = "0641238591"
#: GAP of Maison de Jeunes Le Tremplin ASBL (no mandate with the fiduciaire in the seeds).
TREMPLIN_GAP = "79121217445"
TREMPLIN = "0441208755"
#: A national register number with a right check digit that the register does not know.
NOBODY = "85010100115"

Cli = Callable[..., Result]


@pytest.fixture
def cli_as(tmp_path: Path, portal_server, login) -> Callable[[str], Cli]:
    """``cli_as(NRN)("roles", "list", ...)``: the real CLI logged in as that person."""
    tokens: dict[str, str] = {}

    def for_person(nrn: str) -> Cli:
        if nrn not in tokens:
            tokens[nrn] = login(portal_server.url, nrn)
        env = cli_env(
            tmp_path / nrn, MONESPACE_PORTAL=portal_server.url, MONESPACE_TOKEN=tokens[nrn]
        )

        def run(*args: str, input: str | None = None) -> Result:
            return run_cli(list(args), env, input=input)

        run.env = env  # type: ignore[attr-defined]
        return run

    return for_person
