"""The certificates the portal trusts for eID logins, and their revocation lists.

Sandbox mode trusts only the sandbox PKI's roots (shared with the virtual
cards through the PKI directory); otherwise the configured files (Belgium
Root CA3/CA4/CA6 and their CRLs in production). CRLs of the sandbox are read
anew at each login so a revocation takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from portal.config import Settings


@dataclass(frozen=True)
class TrustMaterial:
    """Trust anchors, known intermediates and current CRLs."""

    anchors: list[x509.Certificate]
    intermediates: list[x509.Certificate]
    crls: list[x509.CertificateRevocationList]


class TrustConfigError(RuntimeError):
    """The trust configuration is unusable (missing or unreadable file)."""


def _load_certs(path: Path) -> list[x509.Certificate]:
    data = path.read_bytes()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def _load_crl(path: Path) -> x509.CertificateRevocationList:
    data = path.read_bytes()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_crl(data)
    return x509.load_der_x509_crl(data)


def load_trust(settings: Settings) -> TrustMaterial:
    """The trust material for ``settings`` (sandbox PKI or configured files)."""
    if settings.sandbox:
        from eid.pki import SandboxPKI

        pki = SandboxPKI.open(settings.effective_pki_dir)
        return TrustMaterial(pki.trust_anchors(), pki.intermediates(), pki.crls())
    try:
        certs = [c for p in settings.trust_anchor_files for c in _load_certs(p)]
        crls = [_load_crl(p) for p in settings.crl_files]
    except (OSError, ValueError) as exc:
        raise TrustConfigError(f"cannot load trust anchors or CRLs: {exc}") from exc
    anchors = [c for c in certs if c.issuer == c.subject]
    intermediates = [c for c in certs if c.issuer != c.subject]
    return TrustMaterial(anchors, intermediates, crls)
