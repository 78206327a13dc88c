"""Offline check of the portal's seal on a document (``document verify``).

A sealed document must be checkable years later without asking the portal:
the seal carries the document's SHA-256, an ECDSA P-384 signature over the
canonical JSON of its fields, and the sealing certificate chain; the check
needs only the file, the seal and a trust anchor fetched once from
``GET /seal/certificates``. This module deliberately shares no code with
``portal/``: a verifier that reuses the signer's code would inherit its bugs.

The chain is walked by hand (issuer name, signature, validity at signing time,
CA flag) rather than with a Web-PKI verifier, whose rules (SAN, EKU) are for
TLS servers, not for document seals.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

SEAL_FORMAT = "monespace-seal/v1"
_UNSIGNED_FIELDS = ("signature", "certificates")


class SealInvalid(Exception):
    """The seal does not hold: the message says which check failed."""


@dataclass(frozen=True)
class SealReport:
    """What a valid seal proves: which document, signed when, by whom."""

    document_id: str
    document_sha256: str
    signed_at: str
    signer: str
    anchor: str


def canonical_json(seal: dict[str, Any]) -> bytes:
    """The bytes the portal signed: every field but signature and certificates."""
    fields = {k: v for k, v in seal.items() if k not in _UNSIGNED_FIELDS}
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def verify_seal(content: bytes, seal: dict[str, Any], trust_anchor_der: bytes) -> SealReport:
    """Check file hash, signature and chain; raise SealInvalid on the first failure."""
    _check_shape(seal)
    digest = hashlib.sha256(content).hexdigest()
    if digest != str(seal["document_sha256"]).lower():
        raise SealInvalid("the file does not match the seal: its SHA-256 differs (file changed?)")
    chain = [_load_cert(c, i) for i, c in enumerate(seal["certificates"])]
    _check_signature(chain[0], seal)
    signed_at = _parse_time(str(seal["signed_at"]))
    anchor = _load_der(trust_anchor_der, "trust anchor")
    _check_chain(chain, anchor, signed_at)
    return SealReport(
        document_id=str(seal["document_id"]),
        document_sha256=digest,
        signed_at=str(seal["signed_at"]),
        signer=chain[0].subject.rfc4514_string(),
        anchor=anchor.subject.rfc4514_string(),
    )


def _check_shape(seal: dict[str, Any]) -> None:
    if not isinstance(seal, dict):
        raise SealInvalid("the seal file is not a JSON object")
    if seal.get("format") != SEAL_FORMAT:
        raise SealInvalid(f"unknown seal format {seal.get('format')!r} (expected {SEAL_FORMAT})")
    missing = [
        k
        for k in (
            "document_sha256",
            "document_id",
            "signed_at",
            "algorithm",
            "signature",
            "certificates",
        )
        if k not in seal
    ]
    if missing:
        raise SealInvalid(f"the seal lacks the field(s) {', '.join(missing)}")
    if seal["algorithm"] != "ES384":
        raise SealInvalid(f"unsupported seal algorithm {seal['algorithm']!r} (expected ES384)")
    if not isinstance(seal["certificates"], list) or not seal["certificates"]:
        raise SealInvalid("the seal carries no certificate")


def _load_cert(b64: Any, index: int) -> Any:
    try:
        der = base64.b64decode(str(b64), validate=True)
    except ValueError as exc:
        raise SealInvalid(f"certificate {index} of the seal is not base64") from exc
    return _load_der(der, f"certificate {index} of the seal")


def _load_der(der: bytes, what: str) -> Any:
    from cryptography import x509

    try:
        return x509.load_der_x509_certificate(der)
    except ValueError:
        try:
            return x509.load_pem_x509_certificate(der)
        except ValueError as exc:
            raise SealInvalid(f"the {what} is not an X.509 certificate") from exc


def _check_signature(leaf: Any, seal: dict[str, Any]) -> None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    key = leaf.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp384r1":
        raise SealInvalid("the sealing certificate does not hold an EC P-384 key")
    try:
        signature = base64.b64decode(str(seal["signature"]), validate=True)
    except ValueError as exc:
        raise SealInvalid("the seal's signature is not base64") from exc
    try:
        key.verify(signature, canonical_json(seal), ec.ECDSA(hashes.SHA384()))
    except InvalidSignature as exc:
        raise SealInvalid("the seal's signature is invalid (the seal was altered)") from exc


def _check_chain(chain: list[Any], anchor: Any, at: datetime) -> None:
    """Each certificate issued by the next, the last by (or equal to) the anchor."""
    path = list(chain)
    if path[-1].fingerprint(_sha256()) != anchor.fingerprint(_sha256()):
        path.append(anchor)
    for cert in path:
        if not cert.not_valid_before_utc <= at <= cert.not_valid_after_utc:
            name = cert.subject.rfc4514_string()
            raise SealInvalid(f"the certificate {name} was not valid when the seal was made")
    for child, issuer in itertools.pairwise(path):
        _check_issued(child, issuer)


def _check_issued(child: Any, issuer: Any) -> None:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature

    try:
        basic = issuer.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        basic = None
    if basic is None or not basic.ca:
        raise SealInvalid(f"{issuer.subject.rfc4514_string()} is not a CA certificate")
    try:
        child.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature) as exc:
        raise SealInvalid(
            f"{child.subject.rfc4514_string()} does not chain to the trust anchor"
        ) from exc


def _sha256() -> Any:
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256()


def _parse_time(value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SealInvalid(f"the seal's signed_at {value!r} is not a date-time") from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)
