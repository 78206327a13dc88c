"""``auth login --device`` end to end: a real portal, the real CLI, the real sandbox command.

The CLI runs in the background as a person would leave it waiting; the test
reads the code it shows and decides with ``monespace-portal sandbox
approve|refuse`` on the portal's database, as a script would.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from cli_helpers import ROOT, cli_env, run_cli

from tests.conftest import portal_env
from tests.portal.own_server import own_portal

OLIVIER = "87090118922"  # legal rep and GAP of Conseil & Stratégie
CONSEIL, FIDUCIAIRE = "1004821515", "0856712314"
CODE = re.compile(r"enter the code ([A-Z]{4}-[A-Z]{4})")


@pytest.fixture(scope="module")
def portal(pki_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A portal polling every second, codes valid 12 s (the expiry test waits them out)."""
    directory = tmp_path_factory.mktemp("device-portal")
    env = {"MONESPACE_PORTAL_DEVICE_INTERVAL": "1", "MONESPACE_PORTAL_DEVICE_TTL": "12"}
    with own_portal(pki_dir, directory, **env) as server:
        yield server


class Waiting:
    """``monespace auth login --device`` left running; its stderr read as it comes."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "monespace_cli", *args, "auth", "login", "--device"],
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.err = ""

    def code(self) -> str:
        """The user code, once the CLI has shown it (with the address and QR code)."""
        stream: IO[str] | None = self.process.stderr
        assert stream is not None
        while (match := CODE.search(self.err)) is None:
            line = stream.readline()
            assert line, f"the CLI ended before showing a code: {self.err}"
            self.err += line
        while "Waiting for the approval" not in self.err:
            self.err += stream.readline()
        return match.group(1)

    def finish(self) -> tuple[int, str, str]:
        out, err = self.process.communicate(timeout=60)
        self.err += err
        return self.process.returncode, out, self.err


def sandbox(
    portal: Any, action: str, code: str, nrn: str = OLIVIER
) -> subprocess.CompletedProcess[str]:
    """``monespace-portal sandbox approve|refuse CODE --person NRN``, the real command."""
    return subprocess.run(
        [sys.executable, "-m", "portal", "sandbox", action, code, "--person", nrn],
        env=portal_env(portal.database_url, portal.pki_dir),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_approved_login_is_stored_and_says_how_it_was_opened(portal: Any, tmp_path: Path) -> None:
    env = cli_env(tmp_path, MONESPACE_PORTAL=portal.url)
    waiting = Waiting(env)
    code = waiting.code()
    assert f"{portal.url}/device" in waiting.err
    assert "▀" in waiting.err or "█" in waiting.err  # the QR code is drawn
    approved = sandbox(portal, "approve", code.lower().replace("-", " "))
    assert approved.returncode == 0, approved.stderr
    assert f"approved login {code}" in approved.stderr
    status, _out, err = waiting.finish()
    assert status == 0, err
    assert "Logged in" in err and OLIVIER in err
    me = json.loads(run_cli(["auth", "status", "-o", "json"], env).out)
    assert me["person"]["nrn"] == OLIVIER and me["session_method"] == "device"
    human = run_cli(["auth", "status"], env)
    assert "another device" in human.out, human.out
    # The code was used: deciding it again is refused.
    assert sandbox(portal, "refuse", code).returncode == 1


def test_a_card_only_act_from_a_device_session_says_to_log_in_with_the_card(
    portal: Any, tmp_path: Path
) -> None:
    env = cli_env(tmp_path, MONESPACE_PORTAL=portal.url)
    waiting = Waiting(env)
    assert sandbox(portal, "approve", waiting.code()).returncode == 0
    assert waiting.finish()[0] == 0
    proposed = run_cli(
        [
            "mandate",
            "propose",
            "--beneficiary",
            CONSEIL,
            "--mandataire",
            FIDUCIAIRE,
            "--domain",
            "employment",
            "--from",
            "2026-01-01",
        ],
        env,
    )
    assert proposed.code == 3, proposed.err
    assert "eID card" in proposed.err and "monespace auth login" in proposed.err


def test_refused_login_is_exit_3_and_stores_nothing(portal: Any, tmp_path: Path) -> None:
    env = cli_env(tmp_path, MONESPACE_PORTAL=portal.url)
    waiting = Waiting(env)
    assert sandbox(portal, "refuse", waiting.code()).returncode == 0
    status, _out, err = waiting.finish()
    assert status == 3, err
    assert "refused on the other device" in err and "auth login --device" in err
    assert not (tmp_path / "monespace" / "tokens.json").exists()


def test_expired_code_is_exit_3(portal: Any, tmp_path: Path) -> None:
    env = cli_env(tmp_path, MONESPACE_PORTAL=portal.url)
    waiting = Waiting(env)
    code = waiting.code()
    status, _out, err = waiting.finish()  # nobody approves: the 12 s run out
    assert status == 3, err
    assert "expired" in err
    assert sandbox(portal, "approve", code).returncode == 1  # too late on the portal too
    assert not (tmp_path / "monespace" / "tokens.json").exists()


def test_slow_down_makes_the_cli_wait_longer(portal: Any, tmp_path: Path) -> None:
    """The portal raises the interval under the waiting CLI: its next poll is too early.

    The CLI polls every second (the interval it was given); the portal's row
    is set to a 2 s interval (and a longer life), so the CLI's next poll is
    answered ``slow_down`` with 7 s, which the CLI must say and keep to.
    """
    env = cli_env(tmp_path, MONESPACE_PORTAL=portal.url)
    waiting = Waiting(env, "-o", "json")
    code = waiting.code()
    _raise_interval(portal, seconds=2)
    stream = waiting.process.stderr
    assert stream is not None
    while "every 7 s" not in waiting.err:
        line = stream.readline()
        assert line, waiting.err
        waiting.err += line
    told = time.monotonic()
    assert sandbox(portal, "approve", code).returncode == 0
    status, out, err = waiting.finish()
    assert status == 0, err
    assert time.monotonic() - told > 4  # it waited the longer interval, not 1 s
    assert json.loads(out)["person"]["nrn"] == OLIVIER


def _raise_interval(portal: Any, seconds: int) -> None:
    """The newest authorization: a longer interval and 60 s more to live."""
    import datetime as dt

    from sqlalchemy import create_engine, func, select, update

    from portal.models import DeviceAuthorization, utcnow

    engine = create_engine(portal.database_url)
    with engine.begin() as db:
        newest = db.scalar(select(func.max(DeviceAuthorization.id)))
        db.execute(
            update(DeviceAuthorization)
            .where(DeviceAuthorization.id == newest)
            .values(interval=seconds, expires_at=utcnow() + dt.timedelta(seconds=60))
        )
    engine.dispose()


def test_ctrl_c_is_exit_130_and_stores_nothing(portal: Any, tmp_path: Path) -> None:
    env = cli_env(tmp_path, MONESPACE_PORTAL=portal.url)
    waiting = Waiting(env)
    waiting.code()
    waiting.process.send_signal(signal.SIGINT)
    status, _out, err = waiting.finish()
    assert status == 130, err
    assert not (tmp_path / "monespace" / "tokens.json").exists()


def test_device_with_card_options_is_a_usage_error(portal: Any, tmp_path: Path) -> None:
    env = cli_env(tmp_path, MONESPACE_PORTAL=portal.url)
    result = run_cli(["auth", "login", "--device", "--pin-stdin"], env)
    assert result.code == 2 and "--device" in result.err


def test_portal_answers_rfc_errors_to_any_oauth_client(portal: Any) -> None:
    started = httpx.post(f"{portal.url}/api/v1/auth/device").json()
    grant = "urn:ietf:params:oauth:grant-type:device_code"
    body = {"grant_type": grant, "device_code": started["device_code"]}
    first = httpx.post(f"{portal.url}/api/v1/auth/device/token", json=body)
    assert first.json()["error"] == "authorization_pending"
    second = httpx.post(f"{portal.url}/api/v1/auth/device/token", json=body)
    assert second.json()["error"] == "slow_down" and second.json()["interval"] == 6
