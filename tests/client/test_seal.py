"""Offline seal verification against a real EC P-384 chain made here."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from monespace_cli.client import SealInvalid, canonical_json, verify_seal

NOW = datetime.now(UTC)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(
    subject: str, key, issuer: str, issuer_key, ca: bool, days: int = 365
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA384())
    )


@pytest.fixture(scope="module")
def pki():
    root_key = ec.generate_private_key(ec.SECP384R1())
    root = _cert("Sandbox Root", root_key, "Sandbox Root", root_key, ca=True)
    seal_key = ec.generate_private_key(ec.SECP384R1())
    leaf = _cert("Portal Seal", seal_key, "Sandbox Root", root_key, ca=False)
    return root, leaf, seal_key


def _seal(content: bytes, leaf, key, root) -> dict:
    seal = {
        "format": "monespace-seal/v1",
        "document_sha256": hashlib.sha256(content).hexdigest(),
        "document_id": "doc_1",
        "signed_at": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "algorithm": "ES384",
    }
    sig = key.sign(canonical_json(seal), ec.ECDSA(hashes.SHA384()))
    seal["signature"] = base64.b64encode(sig).decode()
    seal["certificates"] = [
        base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in (leaf, root)
    ]
    return seal


def _der(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def test_valid_seal(pki) -> None:
    root, leaf, key = pki
    content = b"%PDF-1.7 receipt"
    report = verify_seal(content, _seal(content, leaf, key, root), _der(root))
    assert report.document_id == "doc_1"
    assert "Portal Seal" in report.signer


def test_changed_file_is_caught(pki) -> None:
    root, leaf, key = pki
    seal = _seal(b"original", leaf, key, root)
    with pytest.raises(SealInvalid, match="SHA-256"):
        verify_seal(b"tampered", seal, _der(root))


def test_changed_seal_field_is_caught(pki) -> None:
    root, leaf, key = pki
    seal = _seal(b"x", leaf, key, root)
    seal["document_id"] = "doc_2"
    with pytest.raises(SealInvalid, match="signature"):
        verify_seal(b"x", seal, _der(root))


def test_foreign_anchor_is_refused(pki) -> None:
    root, leaf, key = pki
    other_key = ec.generate_private_key(ec.SECP384R1())
    other = _cert("Sandbox Root", other_key, "Sandbox Root", other_key, ca=True)
    seal = _seal(b"x", leaf, key, root)
    with pytest.raises(SealInvalid, match="chain"):
        verify_seal(b"x", seal, _der(other))


def test_self_made_seal_with_valid_signature_but_wrong_issuer(pki) -> None:
    root, _leaf, _key = pki
    rogue_key = ec.generate_private_key(ec.SECP384R1())
    rogue = _cert("Portal Seal", rogue_key, "Sandbox Root", rogue_key, ca=False)
    seal = _seal(b"x", rogue, rogue_key, root)
    with pytest.raises(SealInvalid):
        verify_seal(b"x", seal, _der(root))


def test_non_ca_issuer_is_refused(pki) -> None:
    root, leaf, key = pki
    sub_key = ec.generate_private_key(ec.SECP384R1())
    sub = _cert("Child", sub_key, "Portal Seal", key, ca=False)
    seal = _seal(b"x", sub, sub_key, root)
    seal["certificates"] = [base64.b64encode(_der(c)).decode() for c in (sub, leaf, root)]
    with pytest.raises(SealInvalid, match="not a CA"):
        verify_seal(b"x", seal, _der(root))


@pytest.mark.parametrize("field", ["format", "algorithm", "certificates"])
def test_malformed_seal(pki, field: str) -> None:
    root, leaf, key = pki
    seal = _seal(b"x", leaf, key, root)
    seal[field] = [] if field == "certificates" else "other"
    with pytest.raises(SealInvalid):
        verify_seal(b"x", seal, _der(root))
