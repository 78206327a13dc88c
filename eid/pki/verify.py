"""Verifying a Belgian-shaped certificate chain with ``cryptography``.

Real eID authentication certificates carry no SubjectAlternativeName, which
cryptography's Web-PKI client verifier requires by default. As
reference/x509-notes.md records, relaxing only that one end-entity rule keeps
every other check (signatures, validity, basic constraints on CAs, key
usage). Revocation is a separate step: :func:`revoked_by`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from cryptography import x509
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

__all__ = ["VerificationError", "revoked_by", "verify_chain"]


def verify_chain(
    leaf: x509.Certificate,
    intermediates: Iterable[x509.Certificate],
    anchors: Iterable[x509.Certificate],
    *,
    at: dt.datetime | None = None,
) -> list[x509.Certificate]:
    """Return the verified chain leaf → root, or raise ``VerificationError``."""
    ee_policy = ExtensionPolicy.webpki_defaults_ee().may_be_present(
        x509.SubjectAlternativeName, Criticality.AGNOSTIC, None
    )
    builder = (
        PolicyBuilder()
        .store(Store(list(anchors)))
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee_policy)
    )
    if at is not None:
        builder = builder.time(at)
    verified = builder.build_client_verifier().verify(leaf, list(intermediates))
    return list(verified.chain)


def revoked_by(
    cert: x509.Certificate, crls: Iterable[x509.CertificateRevocationList]
) -> x509.RevokedCertificate | None:
    """The CRL entry revoking ``cert`` in a CRL of its issuer, or None."""
    for crl in crls:
        if crl.issuer == cert.issuer:
            entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
            if entry is not None:
                return entry
    return None
