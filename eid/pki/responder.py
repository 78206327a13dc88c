"""The sandbox OCSP responder: answers for the sandbox citizen CAs from ``revoked.json``.

Like the Belgian eID responder it answers for certificates of its CAs only,
signs each answer with the issuing CA's key (RFC 6960 allows the CA itself
to sign), and gives every answer a short validity so relying parties that
cache "for the answer's validity" see a revocation within minutes:
``thisUpdate`` now, ``nextUpdate`` five minutes later. A request it cannot
parse gets ``malformedRequest`` — so does one asking about several
certificates at once or naming a hash algorithm it does not know, which
:mod:`cryptography` cannot read either; a CA it does not know,
``unauthorized``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import ocsp

from eid.pki import revocation
from eid.pki.profiles import Issuer, now
from eid.pki.status import digest, key_bits

#: How long an answer may be relied on.
RESPONSE_VALIDITY = dt.timedelta(minutes=5)
#: The most requests one OCSP request may carry here.
MAX_REQUESTS = 1


class Authorities(Protocol):
    """What the responder needs of a PKI: its CAs, and where ``revoked.json`` is.

    A protocol rather than the sandbox PKI class, so the PKI can answer
    OCSP requests through this module without the two importing each other.
    """

    directory: Path

    def issuers(self) -> list[Issuer]: ...


def _der(response: ocsp.OCSPResponse) -> bytes:
    return response.public_bytes(serialization.Encoding.DER)


def _issuer_for(pki: Authorities, request: ocsp.OCSPRequest) -> Issuer | None:
    algorithm = request.hash_algorithm
    for issuer in pki.issuers():
        if (
            digest(algorithm, issuer.cert.subject.public_bytes()) == request.issuer_name_hash
            and digest(algorithm, key_bits(issuer.cert)) == request.issuer_key_hash
        ):
            return issuer
    return None


def respond(pki: Authorities, request_der: bytes) -> bytes:
    """The DER OCSP response to ``request_der``."""
    try:
        request = ocsp.load_der_ocsp_request(request_der)
        request.hash_algorithm  # noqa: B018 - raises for an algorithm it does not know
    except (ValueError, NotImplementedError, UnsupportedAlgorithm):
        # NotImplementedError: more than one certificate asked about.
        return _der(
            ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
        )
    issuer = _issuer_for(pki, request)
    if issuer is None:
        return _der(
            ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
        )
    issued_by = issuer.cert.subject.public_bytes().hex()
    entry = next(
        (
            r
            for r in revocation.load_revocations(pki.directory)
            if r.issuer == issued_by and r.serial == request.serial_number
        ),
        None,
    )
    start = now()
    if entry is None:
        status, revoked_at, reason = ocsp.OCSPCertStatus.GOOD, None, None
    else:
        status = ocsp.OCSPCertStatus.REVOKED
        revoked_at, reason = entry.revoked_at, x509.ReasonFlags.key_compromise
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response_by_hash(
            issuer_name_hash=request.issuer_name_hash,
            issuer_key_hash=request.issuer_key_hash,
            serial_number=request.serial_number,
            algorithm=request.hash_algorithm,
            cert_status=status,
            this_update=start,
            next_update=start + RESPONSE_VALIDITY,
            revocation_time=revoked_at,
            revocation_reason=reason,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, issuer.cert)
    )
    nonce = _nonce(request)
    if nonce is not None:
        builder = builder.add_extension(nonce, critical=False)
    return _der(builder.sign(issuer.key, issuer.hash))


def _nonce(request: ocsp.OCSPRequest) -> x509.OCSPNonce | None:
    """Echo the client's nonce (openssl ocsp sends one and checks it)."""
    try:
        return request.extensions.get_extension_for_class(x509.OCSPNonce).value
    except x509.ExtensionNotFound:
        return None


__all__ = ["RESPONSE_VALIDITY", "respond"]
