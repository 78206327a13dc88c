"""OCSP and CRL answers are believed only when verified (eid.pki.status).

Responses and CRLs are built here with ``cryptography`` the way RFC 6960 /
RFC 5280 lay them out, good and bad: forged, about another certificate,
stale, unsigned, garbage; the HTTP cases use a real loopback server or a
port nobody listens on.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp

from eid.pki.profiles import Issuer
from eid.pki.status import (
    StatusUnavailable,
    check_crl,
    check_ocsp,
    http_fetch,
    ocsp_request,
    verify_ocsp_response,
)
from tests.eid.conftest import ocsp_responder

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def creds(sandbox_pki: Any, cardholder: Any) -> Any:
    return sandbox_pki.issue_person(cardholder, "1.8", not_after=NOW + dt.timedelta(days=30))


@pytest.fixture(scope="module")
def ca(sandbox_pki: Any) -> Issuer:
    return sandbox_pki._cas["ec-citizen"]


def _response(
    cert: x509.Certificate,
    issuer: Issuer,
    *,
    status: ocsp.OCSPCertStatus = ocsp.OCSPCertStatus.GOOD,
    this_update: dt.datetime = NOW,
    next_update: dt.datetime | None = NOW + dt.timedelta(minutes=5),
) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    revoked = status == ocsp.OCSPCertStatus.REVOKED
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert=cert,
            issuer=issuer.cert,
            algorithm=hashes.SHA1(),
            cert_status=status,
            this_update=this_update,
            next_update=next_update,
            revocation_time=NOW if revoked else None,
            revocation_reason=x509.ReasonFlags.key_compromise if revoked else None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, issuer.cert)
    )
    return builder.sign(issuer.key, hashes.SHA384()).public_bytes(Encoding.DER)


def test_good_and_revoked_answers(creds: Any, ca: Issuer) -> None:
    good = verify_ocsp_response(_response(creds.auth_cert, ca), creds.auth_cert, ca.cert)
    assert good.status == "good" and good.source == "ocsp"
    revoked = verify_ocsp_response(
        _response(creds.auth_cert, ca, status=ocsp.OCSPCertStatus.REVOKED),
        creds.auth_cert,
        ca.cert,
    )
    assert revoked.revoked and revoked.reason == "key_compromise"


def test_forged_answer_is_not_believed(creds: Any, ca: Issuer) -> None:
    genuine = _response(creds.auth_cert, ca)
    tbs = ocsp.load_der_ocsp_response(genuine).tbs_response_bytes
    at = genuine.index(tbs)
    tampered_tbs = tbs
    # producedAt, the first GeneralizedTime (tag 18, 15 bytes "YYYYMMDDHHMMSSZ"):
    # change its last seconds digit, keeping the DER structure valid.
    produced = re.search(rb"\x18\x0f\d{14}Z", tampered_tbs)
    assert produced is not None
    digits = produced.start() + 2 + 13
    tampered_tbs = (
        tampered_tbs[:digits] + bytes([tampered_tbs[digits] ^ 1]) + tampered_tbs[digits + 1 :]
    )
    forged = genuine[:at] + tampered_tbs + genuine[at + len(tbs) :]
    with pytest.raises(StatusUnavailable, match="does not verify"):
        verify_ocsp_response(forged, creds.auth_cert, ca.cert)


def test_answer_about_another_certificate(creds: Any, ca: Issuer) -> None:
    other = _response(creds.sign_cert, ca)
    with pytest.raises(StatusUnavailable, match="another certificate"):
        verify_ocsp_response(other, creds.auth_cert, ca.cert)


def test_stale_and_future_answers(creds: Any, ca: Issuer) -> None:
    stale = _response(
        creds.auth_cert,
        ca,
        this_update=NOW - dt.timedelta(days=2),
        next_update=NOW - dt.timedelta(days=1),
    )
    with pytest.raises(StatusUnavailable, match="stale"):
        verify_ocsp_response(stale, creds.auth_cert, ca.cert)
    future = _response(creds.auth_cert, ca, this_update=NOW + dt.timedelta(hours=1))
    with pytest.raises(StatusUnavailable, match="future"):
        verify_ocsp_response(future, creds.auth_cert, ca.cert)


@pytest.mark.parametrize("garbage", [b"", b"<html>proxy login</html>", b"\x30\x03\x0a\x01"])
def test_garbage_is_not_an_answer(creds: Any, ca: Issuer, garbage: bytes) -> None:
    with pytest.raises(StatusUnavailable, match="garbage"):
        verify_ocsp_response(garbage, creds.auth_cert, ca.cert)


def test_unsuccessful_answer(creds: Any, ca: Issuer) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    refused = ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.TRY_LATER)
    with pytest.raises(StatusUnavailable, match="try_later"):
        verify_ocsp_response(refused.public_bytes(Encoding.DER), creds.auth_cert, ca.cert)


def test_sandbox_responder_over_http(sandbox_pki: Any, cardholder: Any) -> None:
    fresh = sandbox_pki.issue_person(cardholder, "1.8", not_after=NOW + dt.timedelta(days=3))
    assert check_ocsp(fresh.auth_cert, fresh.ca_cert).status == "good"
    sandbox_pki.revoke(fresh.auth_cert)
    assert check_ocsp(fresh.auth_cert, fresh.ca_cert).revoked


@pytest.fixture
def closed_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


def test_responder_down(creds: Any, ca: Issuer, closed_port: int) -> None:
    with pytest.raises(StatusUnavailable, match="cannot be reached"):
        http_fetch(
            f"http://127.0.0.1:{closed_port}/ocsp", ocsp_request(creds.auth_cert, ca.cert), 2
        )


def test_responder_answering_garbage(creds: Any, ca: Issuer, sandbox_pki: Any) -> None:
    with ocsp_responder(sandbox_pki, lambda _request: b"not an OCSP response") as url:
        fetch = lambda _u, req, t: http_fetch(url, req, t)  # noqa: E731
        with pytest.raises(StatusUnavailable, match="garbage"):
            check_ocsp(creds.auth_cert, ca.cert, fetch=fetch)


def test_proxy_that_refuses(
    creds: Any, ca: Issuer, closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with pytest.raises(StatusUnavailable, match=r"proxy|cannot be reached"):
        http_fetch("http://ocsp.example.test/", ocsp_request(creds.auth_cert, ca.cert), 2)


# -- CRLs ----------------------------------------------------------------------


def _crl(
    issuer: Issuer,
    revoked: list[int] = (),  # type: ignore[assignment]
    *,
    key: Any = None,
    last: dt.datetime = NOW,
    next_: dt.datetime | None = NOW + dt.timedelta(days=7),
) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder().issuer_name(issuer.cert.subject).last_update(last)
    )
    if next_ is not None:
        builder = builder.next_update(next_)
    for serial in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(NOW).build()
        )
    return builder.sign(key or issuer.key, hashes.SHA384())


def test_crl_good_and_revoked(creds: Any, ca: Issuer) -> None:
    assert check_crl(creds.auth_cert, ca.cert, [_crl(ca)]).status == "good"
    assert check_crl(creds.auth_cert, ca.cert, [_crl(ca, [creds.auth_cert.serial_number])]).revoked


def test_stale_crl_does_not_pass_a_revoked_certificate(creds: Any, ca: Issuer) -> None:
    stale = _crl(ca, [], last=NOW - dt.timedelta(days=10), next_=NOW - dt.timedelta(days=3))
    with pytest.raises(StatusUnavailable, match="stale"):
        check_crl(creds.auth_cert, ca.cert, [stale])
    assert check_crl(creds.auth_cert, ca.cert, [stale], grace=dt.timedelta(days=4)).status == "good"


def test_unsigned_crl_does_not_pass_a_revoked_certificate(creds: Any, ca: Issuer) -> None:
    forged = _crl(ca, [], key=ec.generate_private_key(ec.SECP384R1()))
    with pytest.raises(StatusUnavailable, match="signature does not verify"):
        check_crl(creds.auth_cert, ca.cert, [forged])


def test_missing_crl(creds: Any, ca: Issuer) -> None:
    with pytest.raises(StatusUnavailable, match="no revocation list"):
        check_crl(creds.auth_cert, ca.cert, [])
