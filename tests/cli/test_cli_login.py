"""``auth login`` end to end: real portal, real pcscd + vpcd, the virtual eID card."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import cli_env, run_cli

CITIZEN = "74011920708"
PIN = "1234"


def card_image(pki_dir: Path, applet: str) -> Any:
    from eid.pki import SandboxPKI
    from eid.virtual import CardholderData, build_card

    holder = CardholderData(
        nrn=CITIZEN,
        surname="Mathieu",
        given_names="Luc",
        birth_date=dt.date(1974, 1, 19),
        sex="M",
        street_and_number="Rue de Fer 12",
        zip_code="5000",
        municipality="Namur",
    )
    return build_card(holder, SandboxPKI.open(pki_dir), applet, PIN)


@pytest.mark.pcscd
@pytest.mark.parametrize("applet", ["1.8", "1.7"])
def test_login_status_logout_through_pcscd(
    applet: str, portal_server: Any, vpcd_card: Any, tmp_path: Path
) -> None:
    vpcd_card(card_image(portal_server.pki_dir, applet))
    env = cli_env(tmp_path, MONESPACE_PORTAL=portal_server.url)

    login = run_cli(["auth", "login", "--pin-stdin"], env, input=PIN + "\n")
    assert login.code == 0, login.err
    assert "Logged in" in login.err and CITIZEN in login.err
    assert "plain text" in login.err  # no keyring on this machine: the fallback is announced
    assert PIN not in login.out + login.err
    token_file = tmp_path / "monespace" / "tokens.json"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600

    status = json.loads(run_cli(["auth", "status", "-o", "json"], env).out)
    assert status["person"]["nrn"] == CITIZEN and status["token_source"] == "file"
    assert status["token_location"] == str(token_file)

    logout = run_cli(["auth", "logout"], env)
    assert logout.code == 0, logout.err
    assert json.loads(token_file.read_text()) == {}
    assert run_cli(["auth", "status"], env).code == 3


@pytest.mark.pcscd
def test_wrong_pin_is_exit_3_and_says_how_many_tries_are_left(
    portal_server: Any, vpcd_card: Any, tmp_path: Path
) -> None:
    vpcd_card(card_image(portal_server.pki_dir, "1.8"))
    env = cli_env(tmp_path, MONESPACE_PORTAL=portal_server.url)
    result = run_cli(["auth", "login", "--pin-stdin"], env, input="9999\n")
    assert result.code == 3, result.err
    assert "2 tries left" in result.err and "9999" not in result.err
    assert not (tmp_path / "monespace" / "tokens.json").exists()
    malformed = run_cli(["auth", "login", "--pin-stdin"], env, input="12\n")
    assert malformed.code == 5, malformed.err
    second = run_cli(["auth", "login", "--pin-stdin"], env, input="9999\n")
    assert second.code == 3 and "1 try left" in second.err
    # One try left: a script is refused unless it says --force-last-try (--yes is not enough).
    refused = run_cli(["--yes", "auth", "login", "--pin-stdin"], env, input=PIN + "\n")
    assert refused.code == 3, refused.err
    assert not (tmp_path / "monespace" / "tokens.json").exists()
    forced = run_cli(["auth", "login", "--pin-stdin", "--force-last-try"], env, input=PIN + "\n")
    assert forced.code == 0, forced.err


@pytest.mark.pcscd
def test_not_an_eid_card_is_exit_6(portal_server: Any, vpcd_card: Any, tmp_path: Path) -> None:
    vpcd_card(None)  # a card that is not a Belgian eID
    env = cli_env(tmp_path, MONESPACE_PORTAL=portal_server.url)
    result = run_cli(["auth", "login", "--pin-stdin"], env, input=PIN + "\n")
    assert result.code == 6, result.err
    assert "Traceback" not in result.err


@pytest.mark.pcscd
def test_no_pin_prompt_without_a_terminal(
    portal_server: Any, vpcd_card: Any, tmp_path: Path
) -> None:
    vpcd_card(card_image(portal_server.pki_dir, "1.8"))
    env = cli_env(tmp_path, MONESPACE_PORTAL=portal_server.url)
    result = run_cli(["auth", "login"], env)  # stdin is /dev/null
    assert result.code == 2 and "--pin-stdin" in result.err


def test_login_refuses_to_sign_for_another_origin(portal_server: Any, tmp_path: Path) -> None:
    """A portal whose challenge names another origin gets no signature (before any card use)."""
    from tests.conftest import PortalServer

    other = PortalServer(
        portal_server.database_url,
        portal_server.pki_dir,
        tmp_path / "other.log",
        extra_env={"MONESPACE_PORTAL_PUBLIC_ORIGIN": "https://evil.example"},
    )
    other.start()
    try:
        env = cli_env(tmp_path, MONESPACE_PORTAL=other.url)
        result = run_cli(["auth", "login", "--pin-stdin"], env, input=PIN + "\n")
    finally:
        other.stop()
    assert result.code == 3, result.err
    assert "https://evil.example" in result.err and "refusing to sign" in result.err
