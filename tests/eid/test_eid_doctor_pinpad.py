"""Doctor checks on the in-process card, and PIN pad verification.

There is no PIN pad reader here, so ``eid.virtual.pinpad_reader`` plays
one: it wraps the virtual card's connection and does what a CCID PIN pad
does with our PIN_VERIFY_STRUCTURE (see that module). A wrong structure
puts a wrong PIN block on the card.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import pytest

import eid
from eid.doctor import report, report_data, run_checks
from eid.errors import LastTryRefused, PinpadCancelled, PinpadUnavailable, WrongPin
from eid.pinpad import CM_IOCTL_GET_FEATURE_REQUEST, parse_features, pinpad_verify_command
from eid.virtual.pinpad_reader import PinpadReader as SimulatedPinpad


class PinpadReader(SimulatedPinpad):
    """The library's simulated PIN pad, with the one-entry interface these tests use."""

    def __init__(self, inner: Any, typed: str | None) -> None:
        super().__init__(inner, modify=False)
        self.typed_pin = typed

    def control(self, code: int, command: list[int] | None = None) -> list[int]:
        if code != CM_IOCTL_GET_FEATURE_REQUEST:
            self.typed = [self.typed_pin]
        return super().control(code, command)


def test_pinpad_structure_fields() -> None:
    structure = pinpad_verify_command(timeout=25)
    assert structure[0] == structure[1] == 25
    assert structure[19:] == bytes.fromhex("0020000108 20FFFFFFFFFFFFFF".replace(" ", ""))
    assert struct.unpack("<I", structure[15:19]) == (13,)


def test_parse_features() -> None:
    answer = bytes([0x06, 4, 0x42, 0x33, 0, 6, 0x07, 4, 0x42, 0x33, 0, 7, 0x12, 2, 0, 0])
    assert parse_features(answer) == {0x06: 0x42330006, 0x07: 0x42330007}
    assert parse_features(b"\x06") == {}


@pytest.mark.parametrize("typed", ["1234", "12345", "123456789012"])
def test_pinpad_verify(images: dict[str, Any], applet: str, typed: str) -> None:
    from eid.virtual import VirtualCard

    virtual = VirtualCard(images[applet])
    if typed != "1234":
        with eid.open_card(connection=virtual.connection()) as setup:
            setup.change_pin("1234", typed)
    with eid.open_card(connection=PinpadReader(virtual.connection(), typed)) as card:
        card.verify_pin_pinpad()
        assert card.pin_tries_left() == 3
        card.login_signature(b"message")  # the PIN really is verified


def test_pinpad_wrong_pin_and_cancel(images: dict[str, Any]) -> None:
    from eid.virtual import VirtualCard

    card_conn = VirtualCard(images["1.8"]).connection()
    reader = PinpadReader(card_conn, "9999")
    with eid.open_card(connection=reader) as card:
        with pytest.raises(WrongPin) as info:
            card.verify_pin_pinpad()
        assert info.value.tries_left == 2
        reader.typed_pin = None
        with pytest.raises(PinpadCancelled):
            card.verify_pin_pinpad()
        reader.typed_pin = "9999"
        with pytest.raises(WrongPin):
            card.verify_pin_pinpad()
        with pytest.raises(LastTryRefused):
            card.verify_pin_pinpad()
        reader.typed_pin = "1234"
        card.verify_pin_pinpad(force_last_try=True)
        assert card.pin_tries_left() == 3


def test_pinpad_unavailable(virtual_card: Any, open_virtual: Any) -> None:
    with open_virtual(virtual_card) as card, pytest.raises(PinpadUnavailable):
        card.verify_pin_pinpad()


def test_doctor_in_process_all_ok(virtual_card: Any) -> None:
    checks = run_checks(connection=virtual_card.connection().__enter__())
    status = {c.name: c.status for c in checks}
    assert [status[n] for n in ("pcsc_library", "pcscd", "readers", "card")] == ["skipped"] * 4
    assert all(status[n] == "ok" for n in ("atr", "applet", "files", "certificates", "pin"))


def test_doctor_pin_warnings(images: dict[str, Any]) -> None:
    from eid.virtual import VirtualCard

    one = VirtualCard(images["1.8"].with_pin_tries(1)).connection().__enter__()
    pin = {c.name: c for c in run_checks(connection=one)}["pin"]
    assert pin.status == "warn" and "1 PIN tries left" in pin.detail
    blocked = VirtualCard(images["1.8"].with_pin_tries(0)).connection().__enter__()
    pin = {c.name: c for c in run_checks(connection=blocked)}["pin"]
    assert pin.status == "fail" and "PUK" in pin.fix


def test_doctor_certificate_expiring_soon(
    images: dict[str, Any], sandbox_pki: Any, cardholder: Any
) -> None:
    import datetime as dt

    from cryptography.hazmat.primitives.serialization import Encoding

    from eid.virtual import VirtualCard

    soon = dt.datetime.now(dt.UTC) + dt.timedelta(days=10)
    creds = sandbox_pki.issue_person(cardholder, "1.8", not_after=soon)
    der = creds.auth_cert.public_bytes(Encoding.DER)
    image = images["1.8"].with_file("cert_authentication", der + bytes(1100))
    checks = {c.name: c for c in run_checks(connection=VirtualCard(image).connection().__enter__())}
    assert checks["certificates"].status == "warn"
    assert "authentication expires in" in checks["certificates"].detail


def test_doctor_tampered_identity(images: dict[str, Any]) -> None:
    from eid.virtual import VirtualCard
    from tests.eid.test_eid_card import tampered_image

    image = tampered_image(images["1.8"], "identity")
    checks = {c.name: c for c in run_checks(connection=VirtualCard(image).connection().__enter__())}
    assert checks["files"].status == "fail"
    assert "signature does not verify" in checks["files"].detail
    assert checks["certificates"].status == "ok"


def test_report_has_versions_and_no_personal_data(virtual_card: Any) -> None:
    checks = run_checks(connection=virtual_card.connection().__enter__())
    data = report_data(checks)
    assert set(data["versions"]) >= {"os", "python", "pcscd", "pyscard"}
    text = report(checks)
    assert json.loads(text)["checks"][4]["name"] == "atr"
    for personal in ("85073003328", "Dupont", "Marie", "Liège", "Étuve"):
        assert personal not in text
