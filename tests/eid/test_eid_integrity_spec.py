"""Register signatures checked against vectors built from the specifications.

Not from the virtual card: each vector is laid out as content v5.4 §6.2.3-
§6.2.5 and the applet 1.7 content addendum describe real cards, with keys
made here. On EC cards (applet 1.8, and re-keyed 1.7 cards) EF(SGN#ID) and
EF(SGN#Address) have a fixed length and hold a DER ECDSA P-384/SHA-384
signature followed by zero bytes; the address signature covers the address
without its trailing zeros followed by the *whole* EF(SGN#ID) file. The
fixed length used here is 104 bytes, the longest DER P-384 signature.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from eid.integrity import check_integrity
from eid.layout import AddressTag, IdentityTag, encode_tlv

SIGNATURE_FILE_SIZE = 104
ADDRESS_FILE_SIZE = 117  # content v5.4 §2.3
PHOTO = b"\xff\xd8\xff\xe0 spec vector photo \xff\xd9"


def _certificate(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "spec vector RRN")])
    now = dt.datetime.now(dt.UTC)
    algorithm = hashes.SHA384() if isinstance(key, ec.EllipticCurvePrivateKey) else hashes.SHA256()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, algorithm)
    )


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP384R1())


def _identity(photo_hash: bytes) -> bytes:
    return encode_tlv(
        [
            (IdentityTag.FILE_VERSION, b"\x00\x02"),
            (IdentityTag.CARD_NUMBER, b"592123456789"),
            (IdentityTag.NATIONAL_NUMBER, b"85073003328"),
            (IdentityTag.SURNAME, b"Specimen"),
            (IdentityTag.PHOTO_HASH, photo_hash),
        ]
    )


def _address() -> bytes:
    body = encode_tlv(
        [
            (AddressTag.FILE_VERSION, b"\x00\x02"),
            (AddressTag.STREET_AND_NUMBER, b"Rue de Fer 42"),
            (AddressTag.ZIP_CODE, b"5000"),
            (AddressTag.MUNICIPALITY, b"Namur"),
        ]
    )
    return body + b"\x00" * (ADDRESS_FILE_SIZE - len(body))


def _padded_ec_signature(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """A DER signature shorter than the file, so the file really carries padding."""
    for _ in range(200):
        der = key.sign(data, ec.ECDSA(hashes.SHA384()))
        if len(der) < SIGNATURE_FILE_SIZE:
            return der + b"\x00" * (SIGNATURE_FILE_SIZE - len(der))
    raise AssertionError("no short signature in 200 tries")  # pragma: no cover


def _ec_card(key: ec.EllipticCurvePrivateKey, *, sign_trimmed: bool = False) -> dict[str, bytes]:
    identity = _identity(hashlib.sha384(PHOTO).digest())
    sgn_id_file = _padded_ec_signature(key, identity)
    address = _address()
    id_part = sgn_id_file[: sgn_id_file[1] + 2] if sign_trimmed else sgn_id_file
    sgn_address_file = _padded_ec_signature(key, address.rstrip(b"\x00") + id_part)
    return {
        "identity": identity,
        "identity_signature": sgn_id_file,
        "address": address,
        "address_signature": sgn_address_file,
    }


def test_ec_address_signature_covers_the_whole_padded_identity_signature_file(
    ec_key: ec.EllipticCurvePrivateKey,
) -> None:
    files = _ec_card(ec_key)
    assert files["identity_signature"].endswith(b"\x00")
    report = check_integrity(**files, photo=PHOTO, rrn_certificate=_certificate(ec_key))
    assert report.identity_signature_valid
    assert report.address_signature_valid
    assert report.ok, report.problems


def test_address_signature_over_the_cut_identity_signature_is_not_the_spec(
    ec_key: ec.EllipticCurvePrivateKey,
) -> None:
    """The register never signs the DER signature alone: such a card is not genuine."""
    files = _ec_card(ec_key, sign_trimmed=True)
    report = check_integrity(**files, photo=PHOTO, rrn_certificate=_certificate(ec_key))
    assert report.identity_signature_valid
    assert not report.address_signature_valid


def test_address_signed_without_the_identity_signature_is_refused(
    ec_key: ec.EllipticCurvePrivateKey,
) -> None:
    """An address signature must bind the address to this identity file."""
    files = _ec_card(ec_key)
    files["address_signature"] = _padded_ec_signature(ec_key, files["address"].rstrip(b"\x00"))
    report = check_integrity(**files, photo=PHOTO, rrn_certificate=_certificate(ec_key))
    assert not report.address_signature_valid


def test_ec_signature_file_of_garbage_is_named(ec_key: ec.EllipticCurvePrivateKey) -> None:
    files = _ec_card(ec_key)
    files["identity_signature"] = b"\x01\x02" + files["identity_signature"][2:]
    report = check_integrity(**files, photo=PHOTO, rrn_certificate=_certificate(ec_key))
    assert not report.ok
    assert any("DER ECDSA" in p and "identity" in p for p in report.problems)


def test_ec_signature_with_bytes_after_it_is_named(ec_key: ec.EllipticCurvePrivateKey) -> None:
    files = _ec_card(ec_key)
    sig = files["address_signature"]
    files["address_signature"] = sig[:-1] + b"\x01"
    report = check_integrity(**files, photo=PHOTO, rrn_certificate=_certificate(ec_key))
    assert any("address signature file" in p for p in report.problems)


def test_rsa_signature_file_of_wrong_length_is_named() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    identity = _identity(hashlib.sha1(PHOTO, usedforsecurity=False).digest())
    sgn_id = key.sign(identity, padding.PKCS1v15(), hashes.SHA256())
    address = _address()
    sgn_address = key.sign(address.rstrip(b"\x00") + sgn_id, padding.PKCS1v15(), hashes.SHA256())
    ok = check_integrity(
        identity=identity,
        identity_signature=sgn_id,
        address=address,
        address_signature=sgn_address,
        photo=PHOTO,
        rrn_certificate=_certificate(key),
    )
    assert ok.ok, ok.problems
    short = check_integrity(
        identity=identity,
        identity_signature=sgn_id[:200],
        address=address,
        address_signature=sgn_address,
        photo=PHOTO,
        rrn_certificate=_certificate(key),
    )
    assert not short.identity_signature_valid
    assert any("shorter than an RSA signature" in p for p in short.problems)
