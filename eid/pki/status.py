"""Is a certificate revoked? OCSP first, then a verified CRL, as the Belgian eID PKI offers.

Both answers are checked before they are believed, because a revoked
certificate must never pass on the strength of a forged, stale or garbled
answer:

- **OCSP** (RFC 6960): the response must be "successful", be about this
  very certificate (serial, issuer name and key hashes), be signed by the
  issuing CA or by a responder certificate that CA issued for OCSP signing,
  have a ``thisUpdate`` not in the future and a ``nextUpdate`` not past.
- **CRL** (RFC 5280): issued by the certificate's issuer, signed by that
  issuer's key, ``thisUpdate`` not in the future, and ``nextUpdate`` not
  past by more than a grace period the relying party chooses.

Anything else raises :class:`StatusUnavailable` with the reason in plain
words (responder down, proxy, garbage, unsigned, stale…); the caller then
falls back or refuses, never passes silently. Pure ``cryptography`` plus one
HTTP POST (``httpx``, which honours ``HTTPS_PROXY``/``NO_PROXY``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID

Status = Literal["good", "revoked", "unknown"]
#: Clock difference tolerated between us and a responder or CRL issuer.
CLOCK_SKEW = dt.timedelta(minutes=5)
OCSP_CONTENT_TYPE = "application/ocsp-request"
#: An OCSP answer is a few kilobytes; more is not an OCSP answer.
MAX_RESPONSE_BYTES = 64 * 1024

#: fetch(url, request DER, timeout seconds) → response DER; raises StatusUnavailable.
Fetch = Callable[[str, bytes, float], bytes]


class StatusUnavailable(Exception):
    """No trustworthy answer about a certificate's status; ``str()`` says why."""


@dataclass(frozen=True, slots=True)
class CertStatus:
    """A verified answer: the status, who said so and until when it holds."""

    status: Status
    source: Literal["ocsp", "crl"]
    this_update: dt.datetime
    next_update: dt.datetime | None
    revoked_at: dt.datetime | None = None
    reason: str | None = None

    @property
    def revoked(self) -> bool:
        return self.status == "revoked"


# -- OCSP ------------------------------------------------------------------


def ocsp_urls(cert: x509.Certificate) -> list[str]:
    """The OCSP responder addresses in the certificate's Authority Information Access."""
    try:
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return []
    return [
        str(d.access_location.value)
        for d in aia
        if d.access_method == AuthorityInformationAccessOID.OCSP
        and isinstance(d.access_location, x509.UniformResourceIdentifier)
    ]


def ocsp_request(cert: x509.Certificate, issuer: x509.Certificate) -> bytes:
    """A DER OCSP request for ``cert`` (SHA-1 CertID, what every responder understands)."""
    builder = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1())  # noqa: S303
    return builder.build().public_bytes(serialization.Encoding.DER)


def http_fetch(url: str, request: bytes, timeout: float) -> bytes:
    """POST ``request`` to an OCSP responder; StatusUnavailable with the cause otherwise."""
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.post(
                url, content=request, headers={"Content-Type": OCSP_CONTENT_TYPE}
            )
    except httpx.ProxyError as exc:
        raise StatusUnavailable(f"the proxy refused the OCSP request to {url}: {exc}") from None
    except httpx.TimeoutException:
        raise StatusUnavailable(
            f"the OCSP responder {url} did not answer in {timeout:g} s"
        ) from None
    except httpx.HTTPError as exc:
        raise StatusUnavailable(f"the OCSP responder {url} cannot be reached: {exc}") from None
    if response.status_code != 200:
        raise StatusUnavailable(f"the OCSP responder {url} answered HTTP {response.status_code}")
    if len(response.content) > MAX_RESPONSE_BYTES:
        raise StatusUnavailable(f"the OCSP responder {url} sent an oversized answer")
    return response.content


def check_ocsp(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    *,
    fetch: Fetch = http_fetch,
    timeout: float = 5.0,
    now: dt.datetime | None = None,
) -> CertStatus:
    """Ask the responder named in ``cert`` and verify its answer."""
    urls = ocsp_urls(cert)
    if not urls:
        raise StatusUnavailable("the certificate names no OCSP responder")
    errors = []
    for url in urls:
        try:
            answer = fetch(url, ocsp_request(cert, issuer), timeout)
            return verify_ocsp_response(answer, cert, issuer, now=now)
        except StatusUnavailable as exc:
            errors.append(str(exc))
    raise StatusUnavailable("; ".join(errors))


def verify_ocsp_response(
    data: bytes, cert: x509.Certificate, issuer: x509.Certificate, *, now: dt.datetime | None = None
) -> CertStatus:
    """Believe an OCSP response only if it is about ``cert``, signed and current."""
    now = now or dt.datetime.now(dt.UTC)
    try:
        response = ocsp.load_der_ocsp_response(data)
    except ValueError:
        raise StatusUnavailable("the OCSP answer is not an OCSP response (garbage)") from None
    if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        raise StatusUnavailable(
            f"the OCSP responder refused: {response.response_status.name.lower()}"
        )
    single = _single_response_for(response, cert, issuer)
    _verify_ocsp_signature(response, issuer, now)
    this_update = single.this_update_utc
    next_update = single.next_update_utc
    if this_update > now + CLOCK_SKEW:
        raise StatusUnavailable("the OCSP answer is dated in the future")
    if next_update is not None and next_update < now - CLOCK_SKEW:
        raise StatusUnavailable(
            f"the OCSP answer is stale (valid until {next_update:%Y-%m-%d %H:%M} UTC)"
        )
    status = single.certificate_status
    if status == ocsp.OCSPCertStatus.REVOKED:
        reason = single.revocation_reason
        return CertStatus(
            "revoked",
            "ocsp",
            this_update,
            next_update,
            single.revocation_time_utc,
            reason.name if reason is not None else None,
        )
    kind: Status = "good" if status == ocsp.OCSPCertStatus.GOOD else "unknown"
    return CertStatus(kind, "ocsp", this_update, next_update)


def _single_response_for(
    response: ocsp.OCSPResponse, cert: x509.Certificate, issuer: x509.Certificate
) -> ocsp.OCSPSingleResponse:
    """The SingleResponse whose CertID is ``cert``'s; a different one is not an answer."""
    for single in response.responses:
        algorithm = single.hash_algorithm
        expected_name = digest(algorithm, issuer.subject.public_bytes())
        expected_key = digest(algorithm, key_bits(issuer))
        if (
            single.serial_number == cert.serial_number
            and single.issuer_name_hash == expected_name
            and single.issuer_key_hash == expected_key
        ):
            return single
    raise StatusUnavailable("the OCSP answer is about another certificate")


def digest(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    h = hashes.Hash(algorithm)
    h.update(data)
    return h.finalize()


def key_bits(cert: x509.Certificate) -> bytes:
    """The subjectPublicKey BIT STRING content (what CertID's issuerKeyHash hashes)."""
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return _bit_string_of_spki(spki)


def _bit_string_of_spki(spki: bytes) -> bytes:
    """Walk SEQUENCE { algorithm SEQUENCE, subjectPublicKey BIT STRING } by hand."""

    def header(data: bytes, pos: int) -> tuple[int, int]:
        first = data[pos + 1]
        if first < 0x80:
            return pos + 2, first
        count = first & 0x7F
        return pos + 2 + count, int.from_bytes(data[pos + 2 : pos + 2 + count], "big")

    body, _ = header(spki, 0)
    algo_start, algo_len = header(spki, body)
    bits_start, bits_len = header(spki, algo_start + algo_len)
    return spki[bits_start + 1 : bits_start + bits_len]  # skip the unused-bits byte


def _verify_ocsp_signature(
    response: ocsp.OCSPResponse, issuer: x509.Certificate, now: dt.datetime
) -> None:
    """Signed by the issuer itself, or by a responder certificate the issuer delegated to."""
    signer = issuer
    if not _responder_is(response, issuer):
        delegated = [c for c in response.certificates if _responder_is(response, c)]
        if not delegated:
            raise StatusUnavailable("the OCSP answer is signed by an unknown responder")
        signer = delegated[0]
        _check_delegation(signer, issuer, now)
    if response.signature_hash_algorithm is None:
        raise StatusUnavailable("the OCSP answer's signature algorithm is not supported")
    if not _signature_ok(
        signer.public_key(),
        response.signature,
        response.tbs_response_bytes,
        response.signature_hash_algorithm,
    ):
        raise StatusUnavailable("the OCSP answer's signature does not verify (forged or corrupted)")


def _responder_is(response: ocsp.OCSPResponse, cert: x509.Certificate) -> bool:
    if response.responder_name is not None:
        return response.responder_name == cert.subject
    key_hash = digest(hashes.SHA1(), key_bits(cert))  # noqa: S303 - RFC 6960 ResponderID byKey
    return response.responder_key_hash == key_hash


def _check_delegation(signer: x509.Certificate, issuer: x509.Certificate, now: dt.datetime) -> None:
    """RFC 6960 §4.2.2.2: issued by the CA, with the OCSPSigning extended key usage."""
    if signer.issuer != issuer.subject or not _signed_by(signer, issuer):
        raise StatusUnavailable("the OCSP responder's certificate was not issued by the CA")
    try:
        usages = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usages = x509.ExtendedKeyUsage([])
    if ExtendedKeyUsageOID.OCSP_SIGNING not in usages:
        raise StatusUnavailable("the OCSP responder's certificate is not for OCSP signing")
    if not signer.not_valid_before_utc <= now <= signer.not_valid_after_utc:
        raise StatusUnavailable("the OCSP responder's certificate is not valid now")


def _signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _signature_ok(
    key: object, signature: bytes, data: bytes, algorithm: hashes.HashAlgorithm
) -> bool:
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(algorithm))
        else:
            return False
    except InvalidSignature:
        return False
    return True


# -- CRL -------------------------------------------------------------------


def check_crl(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    crls: Iterable[x509.CertificateRevocationList],
    *,
    grace: dt.timedelta = dt.timedelta(0),
    now: dt.datetime | None = None,
) -> CertStatus:
    """The status from the first CRL of ``cert``'s issuer that verifies and is current.

    A CRL with a bad signature, no ``nextUpdate``, or a ``nextUpdate`` more
    than ``grace`` ago is not believed: StatusUnavailable says which.
    """
    now = now or dt.datetime.now(dt.UTC)
    problems = []
    for crl in crls:
        if crl.issuer != issuer.subject:
            continue
        try:
            _verify_crl(crl, issuer, grace, now)
        except StatusUnavailable as exc:
            problems.append(str(exc))
            continue
        entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        if entry is not None:
            return CertStatus(
                "revoked",
                "crl",
                crl.last_update_utc,
                crl.next_update_utc,
                entry.revocation_date_utc,
                _crl_reason(entry),
            )
        return CertStatus("good", "crl", crl.last_update_utc, crl.next_update_utc)
    if problems:
        raise StatusUnavailable("; ".join(problems))
    raise StatusUnavailable("no revocation list of the certificate's issuer is available")


def _verify_crl(
    crl: x509.CertificateRevocationList,
    issuer: x509.Certificate,
    grace: dt.timedelta,
    now: dt.datetime,
) -> None:
    key = issuer.public_key()
    if not isinstance(
        key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey
    ) or not crl.is_signature_valid(key):
        raise StatusUnavailable(
            "the revocation list's signature does not verify (unsigned or forged)"
        )
    if crl.last_update_utc > now + CLOCK_SKEW:
        raise StatusUnavailable("the revocation list is dated in the future")
    next_update = crl.next_update_utc
    if next_update is None:
        raise StatusUnavailable("the revocation list has no nextUpdate: its freshness is unknown")
    if next_update + grace < now:
        raise StatusUnavailable(
            f"the revocation list is stale: it expired on {next_update:%Y-%m-%d %H:%M} UTC"
        )


def _crl_reason(entry: x509.RevokedCertificate) -> str | None:
    try:
        return entry.extensions.get_extension_for_class(x509.CRLReason).value.reason.name
    except x509.ExtensionNotFound:
        return None


def find_issuer(
    cert: x509.Certificate, candidates: Iterable[x509.Certificate]
) -> x509.Certificate | None:
    """The candidate that signed ``cert`` (name and signature), or None."""
    for candidate in candidates:
        if candidate.subject == cert.issuer and _signed_by(cert, candidate):
            return candidate
    return None
