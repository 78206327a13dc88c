"""``monespace eid virtual``: a sandbox card in the vpcd reader, seen by pyscard.

From a ``--bundle`` card image, and fetched from the real sandbox portal
(``POST /api/v1/sandbox/cards``) with ``--person NRN``.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import eid
from tests.cli.cli_helpers import ROOT, cli_env
from tests.pcsc_fixtures import VPCD_READER, wait_card_absent

pytestmark = pytest.mark.pcscd
SANDBOX_NRN = "68031412135"  # a person of portal/sandbox/persons.json


def hold_vpcd_slot(vpcd_card: Any, image: Any) -> None:
    """Take the vpcd slot lock of the shared fixture, then free the slot."""
    vpcd_card(image).stop()
    wait_card_absent()


def start_virtual(tmp_path: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "monespace_cli", "eid", "virtual", *args],
        env=cli_env(tmp_path, **env),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_when_inserted(process: subprocess.Popen[str], timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"eid virtual exited: {process.communicate()}")
        try:
            with eid.open_card(VPCD_READER) as card:
                return card.read_identity(), card.applet_version
        except eid.EidError:
            time.sleep(0.2)
    raise AssertionError("the virtual card never appeared in the vpcd reader")


def stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return process.returncode, err


def test_virtual_from_bundle(vpcd_card: Any, images: dict[str, Any], tmp_path: Path) -> None:
    hold_vpcd_slot(vpcd_card, images["1.7"])
    bundle = tmp_path / "card.json"
    bundle.write_text(images["1.7"].to_json())
    process = start_virtual(tmp_path, "--bundle", str(bundle))
    try:
        identity, applet = read_when_inserted(process)
    finally:
        code, err = stop(process)
    assert (identity.national_number, applet) == ("85073003328", "1.7")
    assert "Traceback" not in err
    assert code in (0, 130), err


def test_virtual_bad_bundle(tmp_path: Path) -> None:
    bundle = tmp_path / "card.json"
    bundle.write_text(json.dumps({"nothing": "here"}))
    process = start_virtual(tmp_path, "--bundle", str(bundle))
    _, err = process.communicate(timeout=30)
    assert process.returncode == 2 and "Cannot load the card image" in err


@pytest.mark.slow
def test_virtual_from_portal(
    vpcd_card: Any, images: dict[str, Any], portal_server: Any, tmp_path: Path
) -> None:
    hold_vpcd_slot(vpcd_card, images["1.8"])
    process = start_virtual(
        tmp_path, "--person", SANDBOX_NRN, "--applet", "1.8", MONESPACE_PORTAL=portal_server.url
    )
    try:
        identity, applet = read_when_inserted(process, timeout=40)
    finally:
        stop(process)
    assert (identity.national_number, applet) == (SANDBOX_NRN, "1.8")
