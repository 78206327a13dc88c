"""``monespace auth login`` with the cards of a minor and of a young child.

Real portal (uvicorn), real pcscd + vpcd; the cards are the sandbox
persons' own (``POST /sandbox/cards``, portal/sandbox/cards.json): the
minor's card has the authentication certificate only and logs in; the
child's has none and the login says why, in plain words, before any PIN.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from eid.virtual import CardImage
from tests.cli.cli_helpers import cli_env, run_cli

pytestmark = pytest.mark.pcscd
MINOR = "11022801796"
CHILD = "21061502438"


def sandbox_card(portal_server: Any, nrn: str) -> CardImage:
    built = httpx.post(
        f"{portal_server.url}/api/v1/sandbox/cards",
        json={"nrn": nrn, "applet": "1.8", "pin": "1234"},
        timeout=60,
    )
    assert built.status_code == 201, built.text
    return CardImage.from_json(built.content)


def test_minor_logs_in_with_the_authentication_certificate(
    portal_server: Any, vpcd_card: Any, tmp_path: Path
) -> None:
    vpcd_card(sandbox_card(portal_server, MINOR))
    env = cli_env(tmp_path, MONESPACE_PORTAL=portal_server.url)
    login = run_cli(["auth", "login", "--pin-stdin"], env, input="1234\n")
    assert login.code == 0, login.err
    assert MINOR in login.err


def test_child_card_cannot_log_in_and_says_why(
    portal_server: Any, vpcd_card: Any, tmp_path: Path
) -> None:
    vpcd_card(sandbox_card(portal_server, CHILD))
    env = cli_env(tmp_path, MONESPACE_PORTAL=portal_server.url)
    login = run_cli(["auth", "login", "--pin-stdin"], env, input="1234\n")
    assert login.code == 6, login.err
    assert "cannot log in" in login.err and "young children" in login.err
