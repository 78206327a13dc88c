"""The reader library and ``monespace eid`` through the real PC/SC stack.

pyscard → pcscd → vpcd → virtual card (H1's emulator behind vsmartcard's
vpcd driver), with the shared fixtures of tests/pcsc_fixtures.py. The
"pcscd stopped" and "no reader" cases point the PC/SC client library at a
socket of their own (PCSCLITE_CSOCK_NAME) in a subprocess, so they never
disturb the pcscd other tests use.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import eid
from eid.errors import CardRemoved, LastTryRefused, NoCard, NotAnEid, PinBlocked, WrongPin
from eid.login import login_message
from tests.cli.cli_helpers import Result, cli_env, run_cli
from tests.pcsc_fixtures import VPCD_READER

EMPTY_SLOT = "Virtual PCD 00 01"
PIN = "1234"


def cli(tmp_path: Path, *args: str, input: str | None = None, **env: str) -> Result:
    return run_cli(list(args), cli_env(tmp_path, **env), input=input)


@pytest.mark.pcscd
def test_read_and_login_through_pcscd(vpcd_card: Any, image: Any, applet: str) -> None:
    vpcd_card(image)
    with eid.open_card(VPCD_READER) as card:
        assert card.applet_version == applet
        assert card.read_identity().national_number == "85073003328"
        assert card.verify_integrity().ok
        card.verify_pin(PIN)
        algorithm, signature = card.login_signature(login_message("http://o", "ch", "n"))
        assert algorithm == ("RS256" if applet == "1.7" else "ES384") and signature


@pytest.mark.pcscd
def test_list_readers_and_first_card(vpcd_card: Any, images: dict[str, Any]) -> None:
    vpcd_card(images["1.8"])
    readers = {r.name: r for r in eid.list_readers()}
    assert readers[VPCD_READER].card_present
    assert readers[VPCD_READER].atr == images["1.8"].atr.hex().upper()
    assert readers[VPCD_READER].pinpad is False
    assert readers[EMPTY_SLOT].card_present is False
    with eid.open_card() as card:  # the first reader holding a card
        assert card.reader_name == VPCD_READER


@pytest.mark.pcscd
def test_empty_reader_is_no_card(vpcd_card: Any, images: dict[str, Any]) -> None:
    vpcd_card(images["1.8"])
    with pytest.raises(NoCard) as info:
        eid.open_card(EMPTY_SLOT)
    assert "insert" in info.value.fix.lower()


@pytest.mark.pcscd
def test_unknown_reader_name(vpcd_card: Any, images: dict[str, Any]) -> None:
    vpcd_card(images["1.8"])
    with pytest.raises(eid.NoReader) as info:
        eid.open_card("no such reader")
    assert VPCD_READER in info.value.fix


@pytest.mark.pcscd
def test_non_eid_card(vpcd_card: Any) -> None:
    vpcd_card(None)
    with pytest.raises(NotAnEid):
        eid.open_card(VPCD_READER)


@pytest.mark.pcscd
def test_card_pulled_out(vpcd_card: Any, images: dict[str, Any]) -> None:
    bridge = vpcd_card(images["1.8"])
    with eid.open_card(VPCD_READER) as card:
        card.card_data()
        bridge.remove()  # read at once: pcscd may not have noticed yet (NOT_TRANSACTED)
        try:
            card.read_photo()
        except (CardRemoved, NoCard):
            pass
        except eid.EidError as exc:
            raise AssertionError(f"{type(exc).__name__}: {exc}") from exc
        else:
            raise AssertionError("reading a pulled-out card succeeded")


@pytest.mark.pcscd
def test_wrong_pin_to_blocked_and_forced_last_try(vpcd_card: Any, images: dict[str, Any]) -> None:
    vpcd_card(images["1.8"])
    with eid.open_card(VPCD_READER) as card:
        for expected in (2, 1):
            with pytest.raises(WrongPin) as info:
                card.verify_pin("0000")
            assert info.value.tries_left == expected
        with pytest.raises(LastTryRefused):
            card.verify_pin("0000")
        assert card.pin_tries_left() == 1
        with pytest.raises(PinBlocked):
            card.verify_pin("0000", force_last_try=True)
        assert card.pin_tries_left() == 0


@pytest.mark.pcscd
def test_doctor_all_green_and_report_has_no_personal_data(
    vpcd_card: Any, images: dict[str, Any], tmp_path: Path
) -> None:
    vpcd_card(images["1.8"])
    report = tmp_path / "report.json"
    result = cli(tmp_path, "eid", "doctor", "--reader", VPCD_READER, "--report", str(report))
    assert result.code == 0, result.out + result.err
    assert "✗" not in result.out
    assert "Exception ignored" not in result.err
    data = json.loads(report.read_text())
    assert [c["status"] for c in data["checks"]] == ["ok"] * 11
    assert data["versions"]["pyscard"] and data["versions"]["pcscd"]
    text = report.read_text()
    for personal in ("85073003328", "Dupont", "Marie", "Hélène", "Liège", "Authentication)"):
        assert personal not in text


@pytest.mark.pcscd
def test_doctor_non_eid_card(vpcd_card: Any, tmp_path: Path) -> None:
    vpcd_card(None)
    result = cli(tmp_path, "eid", "doctor", "--reader", VPCD_READER, "-o", "json")
    assert result.code == 6
    checks = {c["name"]: c for c in json.loads(result.out)}
    assert checks["card"]["status"] == "ok"
    assert checks["atr"]["status"] == "fail"
    assert checks["applet"]["status"] == "skipped"


@pytest.mark.pcscd
def test_doctor_empty_reader(vpcd_card: Any, images: dict[str, Any], tmp_path: Path) -> None:
    vpcd_card(images["1.8"])
    result = cli(tmp_path, "eid", "doctor", "--reader", EMPTY_SLOT, "-o", "json")
    assert result.code == 6
    checks = {c["name"]: c for c in json.loads(result.out)}
    assert checks["card"]["status"] == "fail"
    assert "chip" in checks["card"]["fix"]


@pytest.mark.pcscd
def test_doctor_expired_certificate(
    vpcd_card: Any, images: dict[str, Any], sandbox_pki: Any, cardholder: Any, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    expired = sandbox_pki.issue_expired(cardholder, "1.8").auth_cert
    der = expired.public_bytes(Encoding.DER)
    vpcd_card(images["1.8"].with_file("cert_authentication", der + bytes(1100)))
    result = cli(tmp_path, "eid", "doctor", "--reader", VPCD_READER, "-o", "json")
    assert result.code == 6
    checks = {c["name"]: c for c in json.loads(result.out)}
    assert checks["certificates"]["status"] == "fail"
    assert "authentication expired" in checks["certificates"]["detail"]
    assert checks["pin"]["status"] == "ok"  # later checks still run


@pytest.mark.pcscd
def test_cli_read_tampered_identity(vpcd_card: Any, images: dict[str, Any], tmp_path: Path) -> None:
    from tests.eid.test_eid_card import tampered_image

    vpcd_card(tampered_image(images["1.7"], "identity"))
    result = cli(tmp_path, "eid", "read", "--reader", VPCD_READER, "-o", "json")
    assert result.code == 6
    data = json.loads(result.out)
    assert data["integrity"]["ok"] is False
    assert data["integrity"]["identity_signature_valid"] is False
    assert "do not trust" in result.err


@pytest.mark.pcscd
@pytest.mark.slow
def test_cli_read_info_certs_pin(vpcd_card: Any, images: dict[str, Any], tmp_path: Path) -> None:
    vpcd_card(images["1.8"])
    photo = tmp_path / "photo.jpg"
    read = cli(
        tmp_path, "eid", "read", "--reader", VPCD_READER, "--photo", str(photo), "-o", "json"
    )
    assert read.code == 0, read.err
    assert json.loads(read.out)["identity"]["surname"] == "Dupont"
    assert photo.read_bytes().startswith(b"\xff\xd8")
    assert photo.stat().st_mode & 0o077 == 0
    info = cli(tmp_path, "eid", "info", "--reader", VPCD_READER, "-o", "json")
    assert json.loads(info.out)["applet"] == "1.8" and json.loads(info.out)["pin_tries_left"] == 3
    certs = cli(tmp_path, "eid", "certs", "--reader", VPCD_READER, "--export", str(tmp_path / "c"))
    assert certs.code == 0 and (tmp_path / "c" / "authentication.pem").exists()
    bad = cli(
        tmp_path, "eid", "pin", "verify", "--reader", VPCD_READER, "--pin-stdin", input="0000\n"
    )
    assert bad.code == 3 and "2 tries left" in bad.err and "0000" not in bad.err + bad.out
    good = cli(
        tmp_path, "eid", "pin", "verify", "--reader", VPCD_READER, "--pin-stdin", input=f"{PIN}\n"
    )
    assert good.code == 0, good.err
    no_tty = cli(tmp_path, "eid", "pin", "verify", "--reader", VPCD_READER)
    assert no_tty.code == 2 and "--pin-stdin" in no_tty.err
    change = cli(
        tmp_path,
        "eid",
        "pin",
        "change",
        "--reader",
        VPCD_READER,
        "--pin-stdin",
        input=f"{PIN}\n13579\n",
    )
    assert change.code == 0, change.err
    status = cli(tmp_path, "eid", "pin", "status", "--reader", VPCD_READER, "-o", "json")
    assert json.loads(status.out)["pin_tries_left"] == 3


def test_cli_pcscd_not_running(tmp_path: Path) -> None:
    socket_path = str(tmp_path / "no-pcscd" / "pcscd.comm")
    result = cli(tmp_path, "eid", "doctor", "-o", "json", PCSCLITE_CSOCK_NAME=socket_path)
    assert result.code == 6
    checks = {c["name"]: c for c in json.loads(result.out)}
    assert checks["pcsc_library"]["status"] == "ok"
    assert checks["pcscd"]["status"] == "fail"
    assert "pcscd" in checks["pcscd"]["fix"]
    assert checks["readers"]["status"] == "skipped"
    readers = cli(tmp_path, "eid", "readers", PCSCLITE_CSOCK_NAME=socket_path)
    assert readers.code == 6 and "not running" in readers.err
    assert "Traceback" not in readers.err


@pytest.fixture
def pcscd_without_readers(tmp_path: Path) -> Iterator[str]:
    """A private pcscd with an empty reader.conf.d, in its own mount namespace.

    /run is replaced by a temporary folder inside the namespace, so its socket
    lands there and the shared pcscd (/run/pcscd) is untouched.
    """
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("a private pcscd needs root and unshare")
    pcscd_bin = shutil.which("pcscd") or "/usr/sbin/pcscd"
    if not Path(pcscd_bin).exists():
        pytest.skip("pcscd is not installed")
    run, conf = tmp_path / "run", tmp_path / "conf"
    run.mkdir()
    conf.mkdir()
    script = f"mount --bind {run} /run && exec {pcscd_bin} -f -c {conf}"
    process = subprocess.Popen(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    socket_path = run / "pcscd" / "pcscd.comm"
    try:
        deadline = time.monotonic() + 10
        while not socket_path.exists() and time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.skip("cannot start a private pcscd here (mount namespaces refused)")
            time.sleep(0.05)
        yield str(socket_path)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_cli_no_reader(pcscd_without_readers: str, tmp_path: Path) -> None:
    env = {"PCSCLITE_CSOCK_NAME": pcscd_without_readers}
    result = cli(tmp_path, "eid", "doctor", "-o", "json", **env)
    assert result.code == 6
    checks = {c["name"]: c for c in json.loads(result.out)}
    assert checks["pcscd"]["status"] == "ok"
    assert checks["readers"]["status"] == "fail"
    assert "Plug in" in checks["readers"]["fix"]
    listed = cli(tmp_path, "eid", "readers", "-o", "json", **env)
    assert listed.code == 0 and json.loads(listed.out) == []
    read = cli(tmp_path, "eid", "read", **env)
    assert read.code == 6 and "No smart-card reader" in read.err
