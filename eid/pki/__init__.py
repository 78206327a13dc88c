"""The sandbox PKI: Belgian-shaped certificate authorities for development and tests.

Pure ``cryptography``; no card code. See :mod:`eid.pki.sandbox`.
"""

from eid.pki.profiles import CertificateHolder
from eid.pki.sandbox import PersonCredentials, SandboxPKI
from eid.pki.verify import VerificationError, revoked_by, verify_chain

__all__ = [
    "CertificateHolder",
    "PersonCredentials",
    "SandboxPKI",
    "VerificationError",
    "revoked_by",
    "verify_chain",
]
