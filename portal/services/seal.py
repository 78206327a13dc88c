"""The portal's electronic seal on the documents it files (receipts, decisions).

Why a detached seal: the document stays a plain PDF the citizen can open
anywhere, and the seal (docs/api.md "Seal") can be checked offline with only
public certificates — `GET /seal/certificates` gives the chain and the trust
anchor once, `monespace document verify` needs nothing else.

What is signed is the canonical JSON of the seal's own fields (format,
document id, document sha256, time, algorithm): binding the document's
digest and id under the portal's key. Canonical = `json.dumps(sort_keys=True,
separators=(",", ":"))`, exactly as the contract states, so any client in any
language can rebuild the bytes.

Key source: in sandbox mode `SandboxPKI.seal_credentials()` (the sandbox
PKI, shared with the virtual cards); otherwise a PEM key and a PEM chain
(seal certificate first, trust anchor last) from configured files.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

SEAL_FORMAT = "monespace-seal/v1"
SEAL_ALGORITHM = "ES384"
_SIGNED_FIELDS = ("format", "document_sha256", "document_id", "signed_at", "algorithm")


class SealError(Exception):
    """A seal does not verify; the message says which check failed."""


@dataclass(frozen=True)
class SealCredentials:
    """The portal's seal key and its certificate chain (seal cert first)."""

    key: ec.EllipticCurvePrivateKey
    chain: list[x509.Certificate]
    trust_anchor: x509.Certificate

    def public_certificates(self) -> dict[str, Any]:
        """The body of `GET /seal/certificates`."""
        return {
            "certificates": [_b64_der(cert) for cert in self.chain],
            "trust_anchor": _b64_der(self.trust_anchor),
        }


def _b64_der(cert: x509.Certificate) -> str:
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def _is_self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def credentials_from(
    key: Any, certificates: list[x509.Certificate], anchors: list[x509.Certificate] | None = None
) -> SealCredentials:
    """Assemble credentials; the anchor is the self-signed root of the chain.

    When the chain stops below its root (e.g. `[seal, seal CA]`), the root is
    looked up among `anchors` by issuer name and signature.
    """
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp384r1":
        raise SealError("the portal seal key must be an EC P-384 key (ES384)")
    if not certificates:
        raise SealError("the seal certificate chain is empty")
    chain = list(certificates)
    if _is_self_signed(chain[-1]):
        return SealCredentials(key, chain[:-1] or chain, chain[-1])
    for anchor in anchors or []:
        try:
            chain[-1].verify_directly_issued_by(anchor)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return SealCredentials(key, chain, anchor)
    raise SealError("no trust anchor found for the seal certificate chain")


def load_sandbox_credentials(pki_dir: Path) -> SealCredentials:
    """The sandbox seal key from eid's SandboxPKI (created on first use)."""
    from eid.pki import SandboxPKI  # imported lazily: key generation is costly

    pki = SandboxPKI.open(pki_dir)
    key, chain = pki.seal_credentials()
    return credentials_from(key, list(chain), [pki.seal_trust_anchor()])


def load_file_credentials(key_file: Path, chain_file: Path) -> SealCredentials:
    """Production: a PEM private key and a PEM chain ending with the trust anchor."""
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    chain = x509.load_pem_x509_certificates(chain_file.read_bytes())
    return credentials_from(key, chain)


def canonical_json(fields: dict[str, Any]) -> bytes:
    """The bytes that are signed, exactly as docs/api.md defines them."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def seal_document(
    credentials: SealCredentials, document_id: str, content: bytes, at: datetime | None = None
) -> dict[str, Any]:
    """Return the Seal JSON for a document's bytes."""
    signed_at = (at or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    fields: dict[str, Any] = {
        "format": SEAL_FORMAT,
        "document_sha256": hashlib.sha256(content).hexdigest(),
        "document_id": document_id,
        "signed_at": signed_at,
        "algorithm": SEAL_ALGORITHM,
    }
    signature = credentials.key.sign(canonical_json(fields), ec.ECDSA(hashes.SHA384()))
    return {
        **fields,
        "signature": base64.b64encode(signature).decode(),
        "certificates": [_b64_der(cert) for cert in credentials.chain],
    }


def verify_seal(seal: dict[str, Any], content: bytes, trust_anchor_der: bytes) -> None:
    """Check a seal offline against one trusted root; raise SealError if not valid.

    Checks, in order: format and algorithm, the document digest, the chain
    from the seal certificate up to the anchor (signatures and validity at
    signing time), then the signature over the canonical JSON.
    """
    if seal.get("format") != SEAL_FORMAT or seal.get("algorithm") != SEAL_ALGORITHM:
        raise SealError("unknown seal format or algorithm")
    if hashlib.sha256(content).hexdigest() != seal.get("document_sha256"):
        raise SealError("the document does not match the sealed digest")
    try:
        chain = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in seal["certificates"]]
        signature = base64.b64decode(seal["signature"], validate=True)
        signed_at = datetime.strptime(seal["signed_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except (KeyError, ValueError, TypeError) as exc:
        raise SealError("the seal is malformed") from exc
    anchor = x509.load_der_x509_certificate(trust_anchor_der)
    _verify_chain(chain, anchor, signed_at)
    public_key = chain[0].public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise SealError("the seal certificate does not hold an EC key")
    fields = {name: seal[name] for name in _SIGNED_FIELDS}
    try:
        public_key.verify(signature, canonical_json(fields), ec.ECDSA(hashes.SHA384()))
    except InvalidSignature as exc:
        raise SealError("the seal signature is not valid") from exc


def _verify_chain(chain: list[x509.Certificate], anchor: x509.Certificate, at: datetime) -> None:
    """Each certificate issued by the next, the last one by the anchor."""
    if not chain:
        raise SealError("the seal carries no certificate")
    for cert, issuer in zip(chain, [*chain[1:], anchor], strict=True):
        if cert == anchor:
            break
        try:
            cert.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature) as exc:
            raise SealError(f"certificate {cert.subject.rfc4514_string()} is not trusted") from exc
        if not cert.not_valid_before_utc <= at <= cert.not_valid_after_utc:
            raise SealError(f"certificate {cert.subject.rfc4514_string()} was not valid then")
