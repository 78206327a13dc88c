"""Cards as the population really has them: real file sizes, minors' and children's cards.

File sizes and padding come from the specifications (content v4.01 §6.5, §8
for applet 1.7; content v5.4 §2.3, §6.2.5, §8 for 1.8), not from the
emulator; the reader must handle them everywhere, and cards without a
signature certificate (under 18, Kids-ID) or without any (young children)
must read, show their certificates and pass the doctor with an explanation.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

import eid
from eid.doctor import run_checks
from eid.errors import CardDataInvalid
from eid.layout import der_length
from eid.virtual import VirtualCard, build_card
from tests.cli.cli_helpers import cli_env, run_cli
from tests.pcsc_fixtures import VPCD_READER

CERT_ROLES = ("cert_authentication", "cert_signature", "cert_ca", "cert_root", "cert_rrn")
SPEC_PADDING = {"1.7": 50, "1.8": 1100}
SPEC_EMPTY = {"1.7": 1300, "1.8": 2500}


def _holder(cardholder: Any, **changes: Any) -> Any:
    return dataclasses.replace(cardholder, **changes)


@pytest.fixture(scope="module")
def minor_images(sandbox_pki: Any, cardholder: Any) -> dict[tuple[str, str], Any]:
    """Cards with the authentication certificate only, and with none, per applet."""
    teen = _holder(
        cardholder,
        nrn="11022812316",
        birth_date=dt.date(2011, 2, 28),
        certificates="authentication",
    )
    child = _holder(
        cardholder,
        nrn="21061512357",
        birth_date=dt.date(2021, 6, 15),
        document_type="6",
        certificates="none",
    )
    return {
        (applet, kind): build_card(holder, sandbox_pki, applet)
        for applet in ("1.7", "1.8")
        for kind, holder in (("authentication", teen), ("none", child))
    }


def test_certificate_files_have_the_spec_padding(image: Any) -> None:
    padded = CERT_ROLES if image.applet == "1.8" else CERT_ROLES[:3]
    for role in CERT_ROLES:
        raw = image.file(role)
        tail = raw[der_length(raw) :]
        assert tail == b"\x00" * (SPEC_PADDING[image.applet] if role in padded else 0), role


def test_address_and_signature_files_have_fixed_sizes(image: Any) -> None:
    assert len(image.file("address")) == 117
    if image.applet == "1.8":
        assert len(image.file("identity_signature")) == 104
        assert len(image.file("address_signature")) == 104
    else:
        assert len(image.file("identity_signature")) == 256


@pytest.mark.parametrize("kind", ["authentication", "none"])
def test_absent_certificates_are_files_of_zeros(
    minor_images: dict[tuple[str, str], Any], images: dict[str, Any], applet: str, kind: str
) -> None:
    image = minor_images[(applet, kind)]
    assert image.file("cert_signature") == b"\x00" * SPEC_EMPTY[applet]
    if kind == "none":
        assert image.file("cert_authentication") == b"\x00" * SPEC_EMPTY[applet]
    cdf, full = image.file("cdf"), images[applet].file("cdf")
    assert len(cdf) == len(full) and cdf.endswith(b"\x00" * 0x20)


def _open(image: Any) -> Any:
    return eid.open_card(connection=VirtualCard(image).connection())


def test_minor_card_reads_and_explains(
    minor_images: dict[tuple[str, str], Any], applet: str
) -> None:
    with _open(minor_images[(applet, "authentication")]) as card:
        certs = card.read_certificates()
        assert certs.authentication is not None and certs.signature is None
        assert card.verify_integrity().ok
        checks = {c.name: c for c in run_checks(connection=card.channel.connection)}
    assert checks["files"].status == "ok"
    assert checks["certificates"].status == "ok"
    assert "under 18" in checks["certificates"].detail


def test_young_child_card_reads_and_explains(
    minor_images: dict[tuple[str, str], Any], applet: str
) -> None:
    with _open(minor_images[(applet, "none")]) as card:
        certs = card.read_certificates()
        assert certs.authentication is None and certs.signature is None
        assert card.read_identity().document_type == "6"
        assert card.verify_integrity().ok
        checks = {c.name: c for c in run_checks(connection=card.channel.connection)}
    assert checks["certificates"].status == "warn"
    assert "young children" in checks["certificates"].detail
    assert "another card" in checks["certificates"].fix


def test_truncated_certificate_file_is_a_clear_error(images: dict[str, Any]) -> None:
    image = images["1.8"]
    raw = image.file("cert_authentication")
    broken = image.with_file("cert_authentication", raw[: der_length(raw) - 10])
    with _open(broken) as card, pytest.raises(CardDataInvalid, match="authentication"):
        card.read_certificate("authentication")


def test_corrupted_certificate_file_is_a_clear_error(images: dict[str, Any]) -> None:
    image = images["1.7"]
    raw = bytearray(image.file("cert_ca"))
    raw[40] ^= 0xFF
    raw[41] ^= 0xFF
    broken = image.with_file("cert_ca", bytes(raw))
    with _open(broken) as card:
        try:
            cert = card.read_certificate("ca")
        except CardDataInvalid:
            return
    assert isinstance(cert, x509.Certificate)  # parsable but no longer what the root signed


@pytest.mark.pcscd
def test_cli_certs_and_read_on_a_child_card(
    vpcd_card: Any, minor_images: dict[tuple[str, str], Any], tmp_path: Path
) -> None:
    vpcd_card(minor_images[("1.8", "none")])
    env = cli_env(tmp_path)
    certs = run_cli(["eid", "certs", "--reader", VPCD_READER, "-o", "json"], env)
    assert certs.code == 0, certs.err
    assert {c["role"] for c in json.loads(certs.out)} == {"ca", "root", "rrn"}
    assert "young children" in certs.err
    read = run_cli(["eid", "read", "--reader", VPCD_READER], env)
    assert read.code == 0, read.err
    assert "6 (Kids-ID (child under 12))" in read.out


@pytest.mark.parametrize(
    ("nrn", "text", "known"),
    [("50000012354", "00 00 1950", "1950"), ("50010012361", "00 JAN 1950", "1950-01")],
)
def test_partial_birth_date_card_reads(
    sandbox_pki: Any, cardholder: Any, nrn: str, text: str, known: str
) -> None:
    """A register number with 00 as day (and month) and the card text to match."""
    from be_identifiers import is_valid_nrn, nrn_birth_date
    from monespace_cli.forms import is_valid_nrn as client_rule

    assert is_valid_nrn(nrn) and client_rule(nrn) and nrn_birth_date(nrn) is None
    holder = _holder(cardholder, nrn=nrn, birth_date=dt.date(1950, 1, 1), birth_date_text=text)
    with _open(build_card(holder, sandbox_pki, "1.8")) as card:
        identity = card.read_identity()
        assert card.verify_integrity().ok
    assert identity.birth_date is None
    assert (identity.birth_date_text, identity.birth_date_known) == (text, known)


@pytest.mark.pcscd
def test_cli_certs_and_doctor_show_revocation(
    vpcd_card: Any, sandbox_pki: Any, cardholder: Any, tmp_path: Path
) -> None:
    """``eid certs`` and ``eid doctor`` ask the OCSP responder named in the certificates."""
    end = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    creds = sandbox_pki.issue_person(cardholder, "1.8", not_after=end)
    vpcd_card(build_card(cardholder, sandbox_pki, "1.8", credentials=creds))
    env = cli_env(tmp_path)
    good = run_cli(["eid", "certs", "--reader", VPCD_READER, "-o", "json"], env)
    statuses = {c["role"]: c["status"] for c in json.loads(good.out)}
    assert statuses == {
        "authentication": "good",
        "signature": "good",
        "ca": None,
        "root": None,
        "rrn": None,
    }
    sandbox_pki.revoke(creds.auth_cert)
    revoked = run_cli(["eid", "certs", "--reader", VPCD_READER], env)
    assert revoked.code == 0, revoked.err
    assert "REVOKED" in revoked.out and "authentication certificate is revoked" in revoked.err
    doctor = run_cli(["eid", "doctor", "--reader", VPCD_READER, "-o", "json"], env)
    checks = {c["name"]: c for c in json.loads(doctor.out)}
    assert doctor.code == 6 and checks["revocation"]["status"] == "fail"
    assert "lost or stolen" in checks["revocation"]["fix"]


@pytest.mark.pcscd
def test_cli_doctor_without_an_ocsp_answer(
    vpcd_card: Any, images: dict[str, Any], tmp_path: Path
) -> None:
    """Offline or behind a refusing proxy: the doctor says no answer could be obtained."""
    vpcd_card(images["1.8"])
    env = cli_env(tmp_path, HTTP_PROXY="http://127.0.0.1:9", NO_PROXY="", no_proxy="")
    doctor = run_cli(["eid", "doctor", "--reader", VPCD_READER, "-o", "json"], env)
    checks = {c["name"]: c for c in json.loads(doctor.out)}
    assert checks["revocation"]["status"] == "warn", checks["revocation"]
    assert "could not be obtained" in checks["revocation"]["detail"]
    assert "proxy" in checks["revocation"]["fix"]
    certs = run_cli(["eid", "certs", "--reader", VPCD_READER, "-o", "json"], env)
    assert {c["status"] for c in json.loads(certs.out) if c["role"] == "authentication"} == {
        "unknown"
    }
    assert "No revocation status" in certs.err
