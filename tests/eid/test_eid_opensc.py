"""A real peer reads our virtual card: OpenSC's BELPIC driver through pcscd.

OpenSC (``opensc-tool``, ``pkcs15-tool``) was written against real cards,
not against our emulator, so its reading the PKCS#15 structure and the
certificate files (zero padding included) is an outside check of the
virtual card's layout.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from eid.layout import der_length
from tests.pcsc_fixtures import VPCD_READER

pytestmark = [
    pytest.mark.pcscd,
    pytest.mark.skipif(shutil.which("pkcs15-tool") is None, reason="OpenSC is not installed"),
]


def opensc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*args, "--reader", VPCD_READER], capture_output=True, text=True, timeout=60, check=False
    )


def test_opensc_reads_the_certificates(
    vpcd_card: Any, images: dict[str, Any], applet: str, tmp_path: Path
) -> None:
    vpcd_card(images[applet])
    listed = opensc("pkcs15-tool", "--list-certificates")
    assert listed.returncode == 0, listed.stderr
    assert "Authentication" in listed.stdout and "Signature" in listed.stdout
    exported = opensc("pkcs15-tool", "--read-certificate", "02")
    assert exported.returncode == 0, exported.stderr
    cert = x509.load_pem_x509_certificate(exported.stdout.encode())
    raw = images[applet].file("cert_authentication")
    assert cert == x509.load_der_x509_certificate(raw[: der_length(raw)])


def test_opensc_on_a_minor_card(vpcd_card: Any, sandbox_pki: Any, cardholder: Any) -> None:
    """Without the signature certificate the CDF lists only authentication, CA and root."""
    import dataclasses
    import datetime as dt

    from eid.virtual import build_card

    teen = dataclasses.replace(  # its own NRN, hence its own chip serial
        cardholder,
        nrn="11022801796",
        birth_date=dt.date(2011, 2, 28),
        certificates="authentication",
    )
    vpcd_card(build_card(teen, sandbox_pki, "1.8"))
    listed = opensc("pkcs15-tool", "--list-certificates")
    assert listed.returncode == 0, listed.stderr
    assert "Authentication" in listed.stdout and "Signature" not in listed.stdout
