"""PKCS#15 files of DF(BELPIC) and EF(DIR), as content v5.4 §5 lays them out.

Encoded with a tiny DER writer so the lengths are always right (the printed
tables in the specification contain at least one wrong length byte: the CDF's
authentication entry says ``30 32`` where its content is 0x2F bytes long).
Applet 1.7 cards describe RSA-2048 keys (PKCS#15 ``privateRSAKey``, a plain
SEQUENCE); applet 1.8 cards P-384 keys (``[0] privateECKey``).
"""

from __future__ import annotations

from eid.layout import BELPIC_AID, Fid, path_of

_MF_BELPIC = path_of(Fid.MF, Fid.DF_BELPIC)


def der(tag: int, *parts: bytes) -> bytes:
    """One DER element with a definite length."""
    body = b"".join(parts)
    n = len(body)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + body


def _octets(value: bytes) -> bytes:
    return der(0x04, value)


def _utf8(text: str) -> bytes:
    return der(0x0C, text.encode())


def _int(value: int, width: int) -> bytes:
    return der(0x02, value.to_bytes(width, "big"))


def _path(path: bytes) -> bytes:
    return der(0x30, _octets(path))


def ef_dir() -> bytes:
    """EF(DIR) 3F00/2F00: one application template for BELPIC (§5.2.1)."""
    return der(
        0x61,
        der(0x4F, BELPIC_AID),
        der(0x50, b"BELPIC"),
        der(0x51, _MF_BELPIC),
        der(0x73, der(0x06, bytes.fromhex("603802"))),  # OID 2.16.56.2
    )


def odf() -> bytes:
    """EF(ODF) 5031: where the PrKDF, CDF and AODF are (§5.3.2)."""
    return b"".join(
        der(tag, _path(path_of(Fid.MF, Fid.DF_BELPIC, fid)))
        for tag, fid in ((0xA0, Fid.PRKDF), (0xA4, Fid.CDF), (0xA8, Fid.AODF))
    )


def token_info(serial: bytes, applet: str) -> bytes:
    """EF(TokenInfo) 5032: chip serial, label, flags, personalisation versions (§5.3.1)."""
    version = bytes([0x00, 0x04 if applet == "1.8" else 0x03, 0x00, 0x00])
    return der(
        0x30,
        _int(0, 1),
        _octets(serial),
        der(0x80, b"BELPIC"),
        der(0x03, b"\x04\x30"),  # prnGeneration, eidCompliant
        der(0x9E, version),
    )


def aodf() -> bytes:
    """EF(AODF) 5034: the cardholder PIN object, BCD, 4..12 digits, padded FF (§5.3.3)."""
    return der(
        0x30,
        der(0x30, _utf8("Basic PIN"), der(0x03, b"\x06\xc0")),
        der(0x30, _octets(b"\x01")),
        der(
            0xA1,
            der(
                0x30,
                der(0x03, b"\x02\x0c"),  # initialized, needs-padding
                der(0x0A, b"\x00"),  # bcd
                _int(4, 1),  # min length
                _int(8, 1),  # stored length
                der(0x80, b"\x01"),  # PIN reference
                _octets(b"\xff"),  # pad char
                _path(path_of(Fid.MF)),
            ),
        ),
    )


def prkdf(applet: str) -> bytes:
    """EF(PrKDF) 5035: the authentication (82) and non-repudiation (83) keys (§5.3.4)."""
    rsa = applet == "1.7"
    bits = 2048 if rsa else 384
    outer = 0x30 if rsa else 0xA0
    entries = []
    for label, ident, usage, ref, consent in (
        ("Authentication", 2, b"\x05\x20", 0x82, False),
        ("Signature", 3, b"\x06\x00\x40", 0x83, True),
    ):
        common = [_utf8(label), der(0x03, b"\x06\xc0"), _octets(b"\x01")]
        if consent:
            common.append(_int(1, 1))  # userConsent: PIN for every signature
        entries.append(
            der(
                outer,
                der(0x30, *common),
                der(
                    0x30,
                    _octets(bytes([ident])),
                    der(0x03, usage),
                    der(0x03, b"\x03\xb8"),  # sensitive, alwaysSensitive, neverExtractable, local
                    _int(ref, 2),
                ),
                der(0xA1, der(0x30, _path(_MF_BELPIC), _int(bits, 2))),
            )
        )
    return b"".join(entries)


def cdf(present: frozenset[str] = frozenset({"Authentication", "Signature"})) -> bytes:
    """EF(CDF) 5037: authentication, signature, CA and root certificates (§5.3.6).

    A card without a signature (or any personal) certificate leaves those
    entries out and fills the rest of the file with zero bytes, keeping the
    size of the full file (content v4.01 §6.5, cases 2 and 3).
    """
    full = _cdf_entries(frozenset({"Authentication", "Signature"}))
    mine = _cdf_entries(present)
    return mine + b"\x00" * (len(full) - len(mine))


def _cdf_entries(present: frozenset[str]) -> bytes:
    entries = []
    for label, ident, authority, fid in (
        ("Authentication", 2, False, Fid.CERT_AUTHENTICATION),
        ("Signature", 3, False, Fid.CERT_SIGNATURE),
        ("CA", 4, True, Fid.CERT_CA),
        ("Root", 6, True, Fid.CERT_ROOT),
    ):
        if not authority and label not in present:
            continue
        attrs = [_octets(bytes([ident]))]
        if authority:
            attrs.append(der(0x01, b"\xff"))
        attrs.append(der(0x83, b"\x00"))  # implicitTrust FALSE
        entries.append(
            der(
                0x30,
                der(0x30, _utf8(label), der(0x03, b"\x06\x40"), _octets(b"\x01")),
                der(0x30, *attrs),
                der(0xA1, der(0x30, _path(path_of(Fid.MF, Fid.DF_BELPIC, fid)))),
            )
        )
    return b"".join(entries)
