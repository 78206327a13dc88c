"""The certificates the portal trusts for eID logins, and how it learns of revocations.

Sandbox mode trusts only the sandbox PKI's roots (shared with the virtual
cards through the PKI directory); otherwise the configured files (Belgium
Root CA3/CA4/CA6 and their CRLs in production). Revocation is checked by
OCSP first, CRLs second (portal/auth/revocation.py); the sandbox portal is
its own PKI's OCSP responder and answers its own questions in-process, and
its CRLs are signed anew from the revocation list at each use.

``eid.pki`` is imported where the sandbox PKI is opened: only a sandbox
portal needs it, and it loads the PKI's key-making code.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509

from portal.auth.revocation import RevocationChecker
from portal.config import Settings

if TYPE_CHECKING:
    from eid.pki import SandboxPKI


@dataclass(frozen=True)
class TrustMaterial:
    """Trust anchors, known intermediates and current CRLs."""

    anchors: list[x509.Certificate]
    intermediates: list[x509.Certificate]
    crls: list[x509.CertificateRevocationList]
    revocation: RevocationChecker = field(default_factory=RevocationChecker)


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
        pki = sandbox_pki(settings.effective_pki_dir)
        return TrustMaterial(
            pki.trust_anchors(), pki.intermediates(), pki.crls(), checker_for(settings)
        )
    try:
        certs = [c for p in settings.trust_anchor_files for c in _load_certs(p)]
        crls = [_load_crl(p) for p in settings.crl_files]
    except (OSError, ValueError) as exc:
        raise TrustConfigError(f"cannot load trust anchors or CRLs: {exc}") from exc
    anchors = [c for c in certs if c.issuer == c.subject]
    intermediates = [c for c in certs if c.issuer != c.subject]
    return TrustMaterial(anchors, intermediates, crls, checker_for(settings))


_lock = threading.Lock()
_pkis: dict[Path, SandboxPKI] = {}
_checkers: dict[tuple[object, ...], RevocationChecker] = {}
_latest: list[RevocationChecker] = []


def sandbox_pki(directory: Path) -> SandboxPKI:
    """The sandbox PKI, opened once per process (its keys do not change)."""
    from eid.pki import SandboxPKI

    with _lock:
        if directory not in _pkis:
            _pkis[directory] = SandboxPKI.open(directory)
        return _pkis[directory]


def checker_for(settings: Settings) -> RevocationChecker:
    """The process's revocation checker (and cache) for ``settings``."""
    key = (
        settings.sandbox,
        settings.effective_pki_dir if settings.sandbox else None,
        settings.crl_files,
        settings.revocation_recheck_seconds,
        settings.crl_grace_seconds,
        settings.ocsp_timeout_seconds,
    )
    with _lock:
        checker = _checkers.get(key)
    if checker is None:
        checker = _new_checker(settings)
        with _lock:
            checker = _checkers.setdefault(key, checker)
    with _lock:
        _latest[:] = [checker]
    return checker


def latest_checker() -> RevocationChecker | None:
    """The checker of the last settings seen (for callers outside a request)."""
    with _lock:
        return _latest[0] if _latest else None


def _new_checker(settings: Settings) -> RevocationChecker:
    recheck, grace = settings.revocation_recheck_seconds, settings.crl_grace_seconds
    timeout = settings.ocsp_timeout_seconds
    if settings.sandbox:
        pki = sandbox_pki(settings.effective_pki_dir)
        return RevocationChecker(
            fetch=lambda _url, request, _timeout: pki.ocsp_response(request),
            crls=pki.crls,
            recheck=recheck,
            grace=grace,
            timeout=timeout,
        )
    try:
        crls = [_load_crl(p) for p in settings.crl_files]
    except (OSError, ValueError) as exc:
        raise TrustConfigError(f"cannot load CRLs: {exc}") from exc
    return RevocationChecker(crls=lambda: crls, recheck=recheck, grace=grace, timeout=timeout)
