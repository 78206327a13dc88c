"""The sandbox CRLs: a persistent list of revoked serials, signed on demand.

Revocations are appended to ``revoked.json`` in the PKI directory so that a
portal started later (or in another process) sees them; each call to
:func:`build_crl` signs a fresh CRL valid for a week, which is what a relying
party downloading the real Citizen CA CRL would get.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from eid.pki.profiles import Issuer, now
from eid.pki.storage import write_atomic

REVOKED_FILE = "revoked.json"


@dataclass(frozen=True)
class Revocation:
    """One revoked certificate: its issuer (DER name, hex) and serial."""

    issuer: str
    serial: int
    revoked_at: dt.datetime


def load_revocations(directory: Path) -> list[Revocation]:
    """Read the revocation list (empty when nothing was ever revoked)."""
    path = directory / REVOKED_FILE
    if not path.exists():
        return []
    rows = json.loads(path.read_text())
    return [
        Revocation(r["issuer"], int(r["serial"]), dt.datetime.fromisoformat(r["revoked_at"]))
        for r in rows
    ]


def add_revocation(directory: Path, cert: x509.Certificate) -> None:
    """Append ``cert`` to the list (idempotent); the caller holds the lock."""
    rows = load_revocations(directory)
    issuer = cert.issuer.public_bytes().hex()
    if any(r.issuer == issuer and r.serial == cert.serial_number for r in rows):
        return
    rows.append(Revocation(issuer, cert.serial_number, now()))
    data = [
        {"issuer": r.issuer, "serial": str(r.serial), "revoked_at": r.revoked_at.isoformat()}
        for r in rows
    ]
    write_atomic(directory / REVOKED_FILE, json.dumps(data, indent=1).encode())


def build_crl(ca: Issuer, revocations: list[Revocation]) -> x509.CertificateRevocationList:
    """A CRL of ``ca`` listing the revocations it issued, valid seven days."""
    issuer = ca.cert.subject.public_bytes().hex()
    mine = [r for r in revocations if r.issuer == issuer]
    ski = ca.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    start = now()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.cert.subject)
        .last_update(start)
        .next_update(start + dt.timedelta(days=7))
        .add_extension(x509.CRLNumber(len(mine) + 1), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
    )
    for r in mine:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(r.serial)
            .revocation_date(r.revoked_at)
            .build()
        )
    return builder.sign(ca.key, ca.hash)


def crl_der(crl: x509.CertificateRevocationList) -> bytes:
    """The DER form a relying party downloads."""
    return crl.public_bytes(serialization.Encoding.DER)
