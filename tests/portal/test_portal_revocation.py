"""Certificate revocation at the portal: OCSP first, a verified CRL second, sessions too.

In-process portals (TestClient) with a 1-second recheck, so a revocation
must reach a live session within about a second; the OCSP responder is the
sandbox portal's own (``/sandbox/ocsp``), also asked by ``openssl ocsp``
against a real uvicorn portal; ``monespace-portal sandbox revoke`` runs as
the real command.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp

from eid.pki import SandboxPKI
from eid.pki.status import StatusUnavailable, ocsp_request, ocsp_urls, verify_ocsp_response
from portal.auth.login import LoginFailed, check_certificate
from portal.auth.revocation import RevocationChecker
from portal.auth.trust import TrustMaterial
from tests.conftest import make_settings, portal_env, sandbox_person, sign_login_message

CITIZEN = "68031412135"


def fresh_credentials(pki_dir: Path, nrn: str = CITIZEN, applet: str = "1.8") -> Any:
    """Certificates nobody else uses (the PKI directory is shared by the session)."""
    end = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    return SandboxPKI.open(pki_dir).issue_person(sandbox_person(nrn), applet, not_after=end)


@pytest.fixture
def quick_client(portal_database: str, pki_dir: Path) -> Any:
    """A portal that re-checks certificate status every second."""
    from fastapi.testclient import TestClient

    from portal.app import create_app

    app = create_app(make_settings(portal_database, pki_dir, revocation_recheck_seconds=1))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.engine.dispose()


def log_in(client: Any, creds: Any) -> Any:
    challenge = client.post("/api/v1/auth/challenges").json()
    return client.post("/api/v1/auth/sessions", json=sign_login_message(creds, challenge))


@pytest.mark.parametrize("applet", ["1.8", "1.7"])
def test_revocation_ends_live_sessions_and_refuses_new_logins(
    quick_client: Any, pki_dir: Path, applet: str
) -> None:
    creds = fresh_credentials(pki_dir, applet=applet)
    answer = log_in(quick_client, creds)
    assert answer.status_code == 201, answer.text
    headers = {"Authorization": f"Bearer {answer.json()['token']}"}
    assert quick_client.get("/api/v1/me", headers=headers).status_code == 200
    SandboxPKI.open(pki_dir).revoke(creds.auth_cert)
    time.sleep(1.2)
    after = quick_client.get("/api/v1/me", headers=headers)
    assert after.status_code == 401
    assert "revoked" in after.json()["detail"] and "OCSP" in after.json()["detail"]
    again = log_in(quick_client, creds)
    assert again.status_code == 401
    assert "has been revoked" in again.json()["detail"]


def test_session_check_is_cached(quick_client: Any, pki_dir: Path) -> None:
    from portal.auth.trust import latest_checker

    token = log_in(quick_client, fresh_credentials(pki_dir)).json()["token"]
    checker = latest_checker()
    assert checker is not None
    before = checker.lookups
    for _ in range(20):
        assert (
            quick_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code
            == 200
        )
    assert checker.lookups - before <= 1  # one responder question at most, not 20


def test_sandbox_ocsp_endpoint(portal_client: Any, pki_dir: Path) -> None:
    creds = fresh_credentials(pki_dir)
    request = ocsp_request(creds.auth_cert, creds.ca_cert)
    answer = portal_client.post(
        "/api/v1/sandbox/ocsp",
        content=request,
        headers={"Content-Type": "application/ocsp-request"},
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/ocsp-response"
    assert verify_ocsp_response(answer.content, creds.auth_cert, creds.ca_cert).status == "good"
    SandboxPKI.open(pki_dir).revoke(creds.auth_cert)
    again = portal_client.post("/api/v1/sandbox/ocsp", content=request)
    assert verify_ocsp_response(again.content, creds.auth_cert, creds.ca_cert).revoked
    garbage = portal_client.post("/api/v1/sandbox/ocsp", content=b"garbage")
    parsed = ocsp.load_der_ocsp_response(garbage.content)
    assert parsed.response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_cards_name_the_portal_responder(portal_client: Any) -> None:
    from eid.virtual import CardImage

    built = portal_client.post(
        "/api/v1/sandbox/cards", json={"nrn": CITIZEN, "applet": "1.8", "pin": "1234"}
    )
    assert built.status_code == 201, built.text
    image = CardImage.from_dict(built.json())
    raw = image.file("cert_authentication")
    from eid.layout import der_length

    cert = x509.load_der_x509_certificate(raw[: der_length(raw)])
    (url,) = ocsp_urls(cert)  # the first sandbox portal of this PKI directory named itself
    assert url.startswith("http://") and url.endswith("/api/v1/sandbox/ocsp")


# -- when OCSP cannot answer: the CRL, verified, or no login -------------------


def _trust(pki: SandboxPKI, crls: list[x509.CertificateRevocationList], **kw: Any) -> TrustMaterial:
    def down(url: str, request: bytes, timeout: float) -> bytes:
        raise StatusUnavailable(f"the OCSP responder {url} cannot be reached: connection refused")

    checker = RevocationChecker(fetch=kw.pop("fetch", down), crls=lambda: crls, **kw)
    return TrustMaterial(pki.trust_anchors(), pki.intermediates(), crls, checker)


def _crl(
    pki: SandboxPKI, revoked: list[int], *, age_days: int, valid_days: int, key: Any = None
) -> Any:
    ca = pki._cas["ec-citizen"]
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=age_days)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.cert.subject)
        .last_update(start)
        .next_update(start + dt.timedelta(days=valid_days))
    )
    for serial in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(start).build()
        )
    return builder.sign(key or ca.key, hashes.SHA384())


def _chain(creds: Any) -> list[x509.Certificate]:
    return [creds.auth_cert, creds.ca_cert, creds.root_cert]


def test_ocsp_down_falls_back_to_a_current_crl(pki_dir: Path) -> None:
    pki, creds = SandboxPKI.open(pki_dir), fresh_credentials(pki_dir)
    now = dt.datetime.now(dt.UTC)
    ok = _trust(pki, [_crl(pki, [], age_days=1, valid_days=7)])
    assert check_certificate(_chain(creds), ok, now)[0] == creds.auth_cert
    listed = _trust(pki, [_crl(pki, [creds.auth_cert.serial_number], age_days=1, valid_days=7)])
    with pytest.raises(LoginFailed, match="revoked"):
        check_certificate(_chain(creds), listed, now)


def test_stale_crl_refuses_login_and_says_why(pki_dir: Path) -> None:
    pki, creds = SandboxPKI.open(pki_dir), fresh_credentials(pki_dir)
    stale = [_crl(pki, [], age_days=10, valid_days=7)]
    with pytest.raises(LoginFailed) as refused:
        check_certificate(_chain(creds), _trust(pki, stale), dt.datetime.now(dt.UTC))
    detail = refused.value.detail
    assert "could not be checked" in detail and "stale" in detail and "cannot be reached" in detail
    graced = _trust(pki, stale, grace=5 * 86400)
    assert check_certificate(_chain(creds), graced, dt.datetime.now(dt.UTC))


def test_unsigned_crl_refuses_login(pki_dir: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    pki, creds = SandboxPKI.open(pki_dir), fresh_credentials(pki_dir)
    forged = [_crl(pki, [], age_days=1, valid_days=7, key=ec.generate_private_key(ec.SECP384R1()))]
    with pytest.raises(LoginFailed, match="signature does not verify"):
        check_certificate(_chain(creds), _trust(pki, forged), dt.datetime.now(dt.UTC))


def test_responder_answering_garbage_without_crl(pki_dir: Path) -> None:
    pki, creds = SandboxPKI.open(pki_dir), fresh_credentials(pki_dir)
    trust = _trust(pki, [], fetch=lambda url, request, timeout: b"<html>captive portal</html>")
    with pytest.raises(LoginFailed, match="garbage"):
        check_certificate(_chain(creds), trust, dt.datetime.now(dt.UTC))


# -- real processes: openssl ocsp, and the support command ---------------------


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_openssl_ocsp_client_against_the_portal(
    portal_server: Any, pki_dir: Path, tmp_path: Path
) -> None:
    creds = fresh_credentials(pki_dir)
    for name, cert in (("leaf", creds.auth_cert), ("ca", creds.ca_cert), ("root", creds.root_cert)):
        (tmp_path / f"{name}.pem").write_bytes(cert.public_bytes(Encoding.PEM))

    def ask() -> str:
        done = subprocess.run(
            [
                "openssl",
                "ocsp",
                "-issuer",
                str(tmp_path / "ca.pem"),
                "-cert",
                str(tmp_path / "leaf.pem"),
                "-url",
                f"{portal_server.url}/api/v1/sandbox/ocsp",
                "-CAfile",
                str(tmp_path / "root.pem"),
                "-no_cert_checks",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert "Response verify OK" in done.stderr, done.stderr + done.stdout
        return done.stdout

    assert f"{tmp_path / 'leaf.pem'}: good" in ask()
    SandboxPKI.open(pki_dir).revoke(creds.auth_cert)
    assert f"{tmp_path / 'leaf.pem'}: revoked" in ask()


def test_sandbox_revoke_command(tmp_path: Path) -> None:
    from tests.conftest import init_portal

    pki_dir, url = tmp_path / "pki", f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    SandboxPKI.open(pki_dir)
    init_portal(url, pki_dir)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "portal", "sandbox", "revoke", *args],
            env=portal_env(url, pki_dir),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    done = run("68.03.14-121.35")
    assert done.returncode == 0, done.stderr
    assert "revoked 4 certificates of Philippe Jean Lambert (68031412135)" in done.stderr
    pki = SandboxPKI.open(pki_dir)
    for applet in ("1.8", "1.7"):
        creds = pki.issue_person(sandbox_person(CITIZEN), applet)
        assert pki.is_revoked(creds.auth_cert) and pki.is_revoked(creds.sign_cert)
    from be_identifiers import make_nrn

    unknown = run(make_nrn(dt.date(1931, 1, 2), 997))
    assert unknown.returncode == 1 and "no sandbox person" in unknown.stderr
    invalid = run("12345")
    assert invalid.returncode == 1 and "not a valid national register number" in invalid.stderr


def _der(tag: int, content: bytes) -> bytes:
    """One DER element (definite length)."""
    size = len(content)
    length = bytes([size]) if size < 128 else bytes([0x82]) + size.to_bytes(2, "big")
    return bytes([tag]) + length + content


def _content(element: bytes) -> bytes:
    """The content of the DER element ``element`` starts with."""
    size, start = element[1], 2
    if size & 0x80:
        start = 2 + (size & 0x7F)
        size = int.from_bytes(element[2:start], "big")
    return element[start : start + size]


def test_sandbox_responder_answers_odd_requests_in_ocsp_over_http(
    portal_server: Any, pki_dir: Path
) -> None:
    """Several certificates in one request, an unknown hash, a foreign CA: OCSP answers, no 500."""
    creds = fresh_credentials(pki_dir)
    request = ocsp_request(creds.auth_cert, creds.ca_cert)
    one = _content(_content(_content(request)))  # OCSPRequest > TBSRequest > requestList
    sha1_oid, other_oid = bytes.fromhex("06052b0e03021a"), bytes.fromhex("06052b0e03021b")
    assert sha1_oid in request
    odd = {
        "two certificates": _der(0x30, _der(0x30, _der(0x30, one + one))),
        "unknown hash": request.replace(sha1_oid, other_oid),
        "foreign CA": ocsp.OCSPRequestBuilder()
        .add_certificate_by_hash(b"\0" * 20, b"\1" * 20, 5, hashes.SHA1())
        .build()
        .public_bytes(Encoding.DER),
    }
    expected = {
        "two certificates": ocsp.OCSPResponseStatus.MALFORMED_REQUEST,
        "unknown hash": ocsp.OCSPResponseStatus.MALFORMED_REQUEST,
        "foreign CA": ocsp.OCSPResponseStatus.UNAUTHORIZED,
    }
    import httpx

    for name, body in odd.items():
        answer = httpx.post(
            f"{portal_server.url}/api/v1/sandbox/ocsp",
            content=body,
            headers={"Content-Type": "application/ocsp-request"},
            timeout=30,
        )
        assert answer.status_code == 200, (name, answer.text)
        assert answer.headers["content-type"] == "application/ocsp-response"
        assert ocsp.load_der_ocsp_response(answer.content).response_status == expected[name], name
