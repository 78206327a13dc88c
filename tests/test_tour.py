"""The demo tour (scripts/tour.py) end to end: real portal, real pcscd, real CLI.

The tour swaps three virtual cards through vpcd slot 0 and runs every
``monespace`` command of ``make demo``; this test runs it as a subprocess
against the session's portal and checks that it exits 0 and that its summary
reports every step as expected. The tour takes the vpcd slot under the same
lock file as ``tests/pcsc_fixtures.py`` (checked below), so it waits its
turn when other pcscd tests run in parallel under pytest-xdist; this test
must therefore not hold that lock itself (it would wait on its own child).
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests import pcsc_fixtures

ROOT = Path(__file__).resolve().parent.parent
TOUR = ROOT / "scripts" / "tour.py"
#: Not the default PIN: proves --pin reaches the cards, and is easy to spot if leaked.
PIN = "97531864"


def _tour_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("monespace_tour", TOUR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_tour_uses_the_vpcd_slot_lock_of_the_pcscd_fixtures() -> None:
    """Same reader, port and lock file, or the tour and pcscd tests would collide."""
    tour = _tour_module()
    assert tour.VPCD_PORT == pcsc_fixtures.VPCD_PORT
    assert tour.VPCD_READER == pcsc_fixtures.VPCD_READER
    assert (
        tour.SLOT_LOCK == pcsc_fixtures._LOCK_DIR / f"monespace-vpcd-{pcsc_fixtures.VPCD_PORT}.lock"
    )


def _run_tour(portal_url: str, run_dir: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    for name in ("MONESPACE_TOKEN", "MONESPACE_PROFILE", "NO_COLOR"):
        env.pop(name, None)
    env.update(
        MONESPACE_CONFIG_DIR=str(run_dir / "config"),
        MONESPACE_STATE_DIR=str(run_dir / "state"),
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        PYTHONPATH=str(ROOT),
    )
    return subprocess.run(
        [
            sys.executable,
            str(TOUR),
            *("--portal", portal_url, "--run-dir", str(run_dir), "--pin", PIN),
        ],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.pcscd
@pytest.mark.slow
def test_tour_runs_every_step_as_expected(pcscd: Any, portal_server: Any, tmp_path: Path) -> None:
    done = _run_tour(portal_server.url, tmp_path / "demo")
    report = f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    assert done.returncode == 0, report
    summary = done.stdout.split("\nSummary\n", 1)
    assert len(summary) == 2, report
    rows = [line for line in summary[1].splitlines() if line.startswith("  ")]
    counted = re.search(r"^(\d+) of (\d+) steps as expected\.$", summary[1], re.M)
    assert counted is not None, report
    assert counted.group(1) == counted.group(2) == str(len(rows)), report
    assert all(row.lstrip().startswith("ok") for row in rows), report
    # The three people each had their turn, and the mandataire part did what it says.
    for who in ("citizen", "accountant", "client"):
        assert any(row.split()[1] == who for row in rows), report
    assert "id: MSP-" in done.stdout and "acting_as: 0641238591" in done.stdout, report
    client_log = done.stdout.split("--as 0641238591 mydata access-log", 1)[1]
    assert "Julien Martin" in client_log.split("==>", 1)[0], report
    assert PIN not in done.stdout + done.stderr, "the PIN must never be shown"
    _assert_no_secret_leaked(done, portal_server.log(), tmp_path / "demo")


def _assert_no_secret_leaked(done: Any, server_log: str, run_dir: Path) -> None:
    """The PIN is in no file and no log; tokens only in their 0600 store.

    The virtual cards' images (``card-*.json``) are the cards themselves: they
    hold their PIN as a real card's chip does, so they are not searched.
    """
    import json
    import stat

    tokens: list[str] = []
    for store in run_dir.rglob("tokens.json"):
        assert stat.S_IMODE(store.stat().st_mode) == 0o600, store
        values = json.loads(store.read_text()).values()
        tokens += [str(v["token"]) if isinstance(v, dict) else str(v) for v in values]
    outputs = done.stdout + done.stderr + server_log
    for path in run_dir.rglob("*"):
        if path.is_file() and path.name != "tokens.json" and not path.name.startswith("card-"):
            text = path.read_bytes().decode("utf-8", "replace")
            assert PIN not in text, f"the PIN is written in {path}"
            assert not any(t in text for t in tokens), f"a session token is written in {path}"
    assert PIN not in server_log, "the PIN reached the portal's log"
    assert not any(t in outputs for t in tokens), "a session token appears in a log or output"


def test_tour_exits_1_when_a_step_ends_otherwise_than_expected(
    portal_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """The summary marks the step FAIL and the tour's status is 1 (no card needed)."""
    monkeypatch.setenv("MONESPACE_CONFIG_DIR", str(tmp_path / "config"))
    tour_module = _tour_module()
    tour = tour_module.Tour(portal_server.url, tmp_path, color=False)
    tour.run("An existing procedure", "catalog", "show", "CU1")
    tour.run("An unknown one, expected to succeed", "catalog", "show", "NOPE-404")
    tour.run("An unknown one, expected not found", "catalog", "show", "NOPE-404", expect=(4,))
    assert [step.code for step in tour.steps] == [0, 4, 4]
    assert tour.summary() == 1
    out = capsys.readouterr().out
    assert "exit 4, expected 0" in out and "exit 4 (as expected)" in out
    assert "2 of 3 steps as expected." in out
