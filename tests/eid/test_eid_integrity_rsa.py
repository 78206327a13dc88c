"""Regression: an RSA register signature that happens to start with 0x30.

A DER-looking first byte made the reader cut RSA signatures at a bogus DER
length, so about one applet 1.7 card in 256 was reported as tampered.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from eid.integrity import check_integrity
from eid.layout import IdentityTag, encode_tlv
from eid.pki import SandboxPKI


def test_rsa_signature_starting_like_der_still_verifies(tmp_path: Path) -> None:
    pki = SandboxPKI.open(tmp_path / "pki")
    key = pki.rrn_key("1.7")
    assert isinstance(key, rsa.RSAPrivateKey)
    photo = b"\xff\xd8 sandbox photo \xff\xd9"
    address = encode_tlv([(1, b"Rue de Fer 42"), (2, b"5000"), (3, b"Namur")])

    def sign(data: bytes) -> bytes:
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    for serial in range(5000):
        identity = encode_tlv(
            [(1, f"{serial:012d}".encode()), (IdentityTag.PHOTO_HASH, hashlib.sha1(photo).digest())]
        )
        id_sig = sign(identity)
        if id_sig[0] == 0x30:
            break
    else:  # pragma: no cover - 5000 tries without a 0x30 first byte: about e^-19
        raise AssertionError("no signature starting with 0x30 found")
    report = check_integrity(
        identity=identity,
        identity_signature=id_sig,
        address=address + b"\x00" * 20,
        address_signature=sign(address + id_sig),
        photo=photo,
        rrn_certificate=pki.rrn_certificate("1.7"),
    )
    assert report.identity_signature_valid
    assert report.address_signature_valid
