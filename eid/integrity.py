"""Does the National Register data on the card verify?

The RRN signs the identity file (SGN#ID) and the address file followed by
the whole EF(SGN#ID) file, padding included (SGN#Address, content v5.4
§6.2.5: trailing zero bytes of the address removed first); the identity file holds the hash of the
photo and, on applet 1.8, of the basic public key. The photo hash algorithm
is chosen from the stored hash's length, not the applet version, because
real cards deviate from the documents (x509-notes.md).

Pure functions over bytes and a certificate, so the portal can reuse them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from eid.errors import N_
from eid.layout import IdentityTag, TlvError, decode_tlv, der_length, strip_zero_padding
from eid.models import IntegrityReport

_HASH_BY_LENGTH = {20: "sha1", 32: "sha256", 48: "sha384", 64: "sha512"}
_RSA_HASHES: tuple[hashes.HashAlgorithm, ...] = (hashes.SHA256(), hashes.SHA1(), hashes.SHA384())  # noqa: S303
_EC_HASHES: tuple[hashes.HashAlgorithm, ...] = (hashes.SHA384(), hashes.SHA256())


def hash_name_for(stored: bytes) -> str | None:
    """The hash algorithm whose digest length equals the stored hash's."""
    return _HASH_BY_LENGTH.get(len(stored))


def digest_matches(stored: bytes, content: bytes) -> bool:
    """True when ``stored`` is the hash of ``content`` (algorithm from its length)."""
    name = hash_name_for(stored)
    return name is not None and hashlib.new(name, content).digest() == stored


def trim_signature(raw: bytes) -> bytes:
    """Remove the zero padding after a DER ECDSA signature (v5.4 §6.2.5)."""
    if raw[:1] == b"\x30":
        try:
            length = der_length(raw)
        except TlvError:
            return raw
        if 0 < length <= len(raw):
            return raw[:length]
    return raw


#: Problems with a signature file's length or shape, per file (plain msgids).
_SHORT_RSA = {
    "identity": N_("the identity signature file is shorter than an RSA signature of the RRN key"),
    "address": N_("the address signature file is shorter than an RSA signature of the RRN key"),
}
_NOT_DER = {
    "identity": N_("the identity signature file does not hold a DER ECDSA signature and zeros"),
    "address": N_("the address signature file does not hold a DER ECDSA signature and zeros"),
}


def _signature_bytes(
    certificate: x509.Certificate | None, raw: bytes, which: str, problems: list[str]
) -> bytes:
    """The signature held in a signature file, without the file's padding.

    An ECDSA signature is DER and is followed by zero padding up to the
    file's fixed length (content v5.4 §6.2.5: its length is the second byte
    plus 2); an RSA signature is exactly as long as the key. Only EC
    signatures may be cut at their DER length: an RSA signature that happens
    to start with 0x30 would otherwise be truncated (one card in 256). A
    file of the wrong length or shape is named in ``problems``, so the
    person reads why, not only that it failed.
    """
    if certificate is None:
        return raw
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        size = (key.key_size + 7) // 8
        if len(raw) < size:
            problems.append(_SHORT_RSA[which])
        return raw[:size]
    trimmed = trim_signature(raw)
    if raw[:1] != b"\x30" or len(trimmed) < 8 or any(raw[len(trimmed) :]):
        problems.append(_NOT_DER[which])
    return trimmed


def verify_rrn_signature(
    certificate: x509.Certificate, signature: bytes, candidates: Iterable[bytes]
) -> bool:
    """True if ``signature`` by the RRN key covers one of ``candidates``."""
    key = certificate.public_key()
    for data in candidates:
        if isinstance(key, rsa.RSAPublicKey):
            for algorithm in _RSA_HASHES:
                try:
                    key.verify(signature, data, padding.PKCS1v15(), algorithm)
                    return True
                except InvalidSignature:
                    continue
                except ValueError:
                    break
        elif isinstance(key, ec.EllipticCurvePublicKey):
            for algorithm in _EC_HASHES:
                try:
                    key.verify(signature, data, ec.ECDSA(algorithm))
                    return True
                except (InvalidSignature, ValueError):
                    continue
    return False


def address_signed_data(address: bytes, identity_signature_file: bytes) -> bytes:
    """What the register signs in EF(SGN#Address) (content v5.4 §6.2.5).

    EF(ID#Address) without its trailing zero bytes, followed by the file
    EF(SGN#ID) *as stored*: on EC cards that file has a fixed length and its
    DER signature is followed by zero padding, which is signed too (eid-mw
    and commons-eid append the whole file). Cutting it at the DER length
    makes every padded card fail.
    """
    return strip_zero_padding(address) + bytes(identity_signature_file)


def _variants(data: bytes) -> list[bytes]:
    stripped = strip_zero_padding(data)
    return [data] if stripped == data else [data, stripped]


def check_integrity(
    *,
    identity: bytes,
    identity_signature: bytes,
    address: bytes,
    address_signature: bytes,
    photo: bytes,
    rrn_certificate: x509.Certificate | None,
    basic_public_key: bytes | None = None,
) -> IntegrityReport:
    """Verify the RRN signatures and the hashes held in the identity file."""
    problems: list[str] = []
    try:
        fields = decode_tlv(identity)
    except TlvError:
        fields = {}
        problems.append(N_("the identity file is malformed"))
    id_sig = _signature_bytes(rrn_certificate, identity_signature, "identity", problems)
    addr_sig = _signature_bytes(rrn_certificate, address_signature, "address", problems)
    id_ok = addr_ok = False
    if rrn_certificate is None:
        problems.append(N_("the card holds no RRN certificate to check signatures with"))
    else:
        id_ok = verify_rrn_signature(rrn_certificate, id_sig, _variants(identity))
        addr_ok = verify_rrn_signature(
            rrn_certificate, addr_sig, [address_signed_data(address, identity_signature)]
        )
        if not id_ok:
            problems.append(N_("the identity file's signature does not verify"))
        if not addr_ok:
            problems.append(N_("the address file's signature does not verify"))
    stored_photo_hash = fields.get(IdentityTag.PHOTO_HASH, b"")
    photo_ok = digest_matches(stored_photo_hash, photo)
    if not photo_ok:
        problems.append(N_("the photo does not match the hash in the identity file"))
    key_ok = _basic_key_ok(fields.get(IdentityTag.BASIC_KEY_HASH), basic_public_key)
    if key_ok is False:
        problems.append(N_("the basic public key does not match its hash in the identity file"))
    return IntegrityReport(
        identity_signature_valid=id_ok,
        address_signature_valid=addr_ok,
        photo_hash_valid=photo_ok,
        basic_key_hash_valid=key_ok,
        rrn_certificate_present=rrn_certificate is not None,
        photo_hash_algorithm=hash_name_for(stored_photo_hash) or "unknown",
        problems=tuple(problems),
    )


def _basic_key_ok(stored: bytes | None, key_file: bytes | None) -> bool | None:
    """Check EF(PuK#1 Basic) against tag 0x1A; None when not applicable."""
    if not stored or key_file is None:
        return None
    candidates = {key_file, strip_zero_padding(key_file)}
    if key_file[:1] == b"\x30":
        try:
            candidates.add(key_file[: der_length(key_file)])
        except TlvError:
            pass
    return any(digest_matches(stored, candidate) for candidate in candidates)
