"""What the card's signature engine does for each MSE algorithm reference.

Applet 1.7 (manual table 11, §6.8): RSA-2048. With ``0x01`` the caller sends
the DigestInfo (or any data up to 245 bytes) and the card only adds the
PKCS#1 v1.5 type-1 padding; with the hash-specific references it sends the
bare hash and the card adds the DigestInfo; ``0x10``/``0x20`` are PSS.
Applet 1.8 (table 14, §6.13): ECDSA on the bare hash, answered as the plain
``r || s`` of TR-03111 (96 bytes for P-384), never DER.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

from eid.pki.storage import PrivateKey

#: applet -> algorithm reference -> accepted input lengths (None = 1..245).
RSA_ALGORITHMS: dict[int, tuple[int, ...] | None] = {
    0x01: None,
    0x02: (20,),
    0x04: (16,),
    0x08: (32,),
    0x10: (20,),
    0x20: (32,),
}
EC_ALGORITHMS: dict[int, tuple[int, ...] | None] = {
    0x01: (32,),
    0x02: (48,),
    0x04: (64,),
    0x08: (32,),
    0x10: (48,),
    0x20: (64,),
    0x40: (20, 28, 32, 48, 64),
}
ALGORITHMS: dict[str, dict[int, tuple[int, ...] | None]] = {
    "1.7": RSA_ALGORITHMS,
    "1.8": dict(EC_ALGORITHMS),
}

_HASH_BY_LENGTH: dict[int, hashes.HashAlgorithm] = {
    # The card signs what it is given; MD5/SHA-1 exist because applet 1.7 offers them.
    16: hashes.MD5(),  # noqa: S303
    20: hashes.SHA1(),  # noqa: S303
    28: hashes.SHA224(),
    32: hashes.SHA256(),
    48: hashes.SHA384(),
    64: hashes.SHA512(),
}


def accepts(applet: str, algorithm: int, data: bytes) -> bool:
    """Whether the input length fits the algorithm (else the card answers 6700)."""
    lengths = ALGORITHMS[applet][algorithm]
    if lengths is None:
        return 1 <= len(data) <= 245
    return len(data) in lengths


def sign(key: PrivateKey, algorithm: int, data: bytes) -> bytes:
    """The signature the card returns for ``data`` under ``algorithm``."""
    if isinstance(key, rsa.RSAPrivateKey):
        return _sign_rsa(key, algorithm, data)
    # ECDSA only looks at the digest bytes; any hash of that size describes them.
    der = key.sign(data, ec.ECDSA(utils.Prehashed(_HASH_BY_LENGTH[len(data)])))
    r, s = utils.decode_dss_signature(der)
    size = (key.curve.key_size + 7) // 8
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def _sign_rsa(key: rsa.RSAPrivateKey, algorithm: int, data: bytes) -> bytes:
    if algorithm == 0x01:
        return _raw_pkcs1(key, data)
    prehashed = utils.Prehashed(_HASH_BY_LENGTH[len(data)])
    if algorithm in (0x10, 0x20):
        pss = padding.PSS(
            mgf=padding.MGF1(_HASH_BY_LENGTH[len(data)]), salt_length=padding.PSS.DIGEST_LENGTH
        )
        return key.sign(data, pss, prehashed)
    return key.sign(data, padding.PKCS1v15(), prehashed)


def _raw_pkcs1(key: rsa.RSAPrivateKey, data: bytes) -> bytes:
    """PKCS#1 v1.5 type-1 padding around caller-supplied data, then the RSA primitive."""
    k = (key.key_size + 7) // 8
    encoded = b"\x00\x01" + b"\xff" * (k - 3 - len(data)) + b"\x00" + data
    numbers = key.private_numbers()
    m = int.from_bytes(encoded, "big")
    return pow(m, numbers.d, numbers.public_numbers.n).to_bytes(k, "big")
