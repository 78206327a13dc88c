"""Personalising a sandbox card: from a cardholder and the sandbox PKI to a CardImage.

What goes where follows the card content specifications in
reference/belpic/: file identifiers (content v5.4 §4.3), the identity and
address TLV files ("ID and Address file contents" v5.0; v4.01 for 1.7), the
photo hash (SHA-1 on 1.7, SHA-384 on 1.8), the register's signatures
(SGN#ID over the identity file; SGN#Address over the address file without
its zero padding followed by the whole SGN#ID file), the file sizes of real
cards (``eid.layout``: certificate padding, empty certificate files of
zeros for cards without them, the 117-byte address file), and the GET CARD
DATA layout of each applet manual.

Sandbox choices where the specifications are silent, so readers can rely
on them: applet 1.7 register signatures are RSA PKCS#1 v1.5 with SHA-256
(the DigestInfo inside says so); applet 1.8 ones are DER ECDSA P-384 with
SHA-384, SGN#ID and SGN#Address zero-padded to 104 bytes (the longest DER
P-384 signature).
"""

from __future__ import annotations

import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from eid.integrity import address_signed_data
from eid.layout import (
    ADDRESS_FILE_SIZE,
    CERT_FILE_PADDING,
    EC_SIGNATURE_FILE_SIZE,
    EMPTY_CERT_FILE_SIZE,
    AddressTag,
    Fid,
    IdentityTag,
    encode_tlv,
    path_of,
)
from eid.pki import PersonCredentials, SandboxPKI
from eid.pki.storage import PrivateKey
from eid.virtual import pkcs15
from eid.virtual.cardholder import CardholderData
from eid.virtual.image import CardImage
from eid.virtual.photo import sandbox_photo

__all__ = ["ATRS", "CardImage", "CardholderData", "build_card", "card_data"]

#: ATRs from content v5.4 §2.3: the 2004 chip (applet up to 1.7) and applet 1.8.
ATRS = {
    "1.7": bytes.fromhex("3B9813400AA503010101AD1311"),
    "1.8": bytes.fromhex("3B7F96000080318065B085040120120FFF829000"),
}

_MONTHS = {
    "fr": "JAN FEV MARS AVR MAI JUIN JUIL AOUT SEPT OCT NOV DEC",
    "nl": "JAN FEB MAAR APR MEI JUN JUL AUG SEP OKT NOV DEC",
    "de": "JAN FEB MÄR APR MAI JUN JUL AUG SEP OKT NOV DEZ",
}


def _path(*fids: Fid) -> str:
    return path_of(Fid.MF, *fids).hex().upper()


def birth_date_text(person: CardholderData) -> str:
    """Birth date as the card writes it: "DD MMMM YYYY", German "DD.MMM.YYYY"."""
    if person.birth_date_text:
        return person.birth_date_text
    d = person.birth_date
    month = _MONTHS[person.language].split()[d.month - 1]
    sep = "." if person.language == "de" else " "
    return f"{d.day:02d}{sep}{month}{sep}{d.year}"


def card_data(person: CardholderData, applet: str) -> bytes:
    """The 28-byte GET CARD DATA answer (P2=00) of the applet manuals."""
    if applet == "1.7":
        platform = bytes([0xA5, 0x03, 0x01, 0x01, 0x01])  # as in the 1.7 ATR history bytes
        tail = bytes([0x17, 0x00, 0x03, 0x00, 0x21, 0x01, 0x0F])
    else:
        platform = bytes([0xB0, 0x85, 0x04, 0x01, 0x20])
        tail = bytes([0x18, 0x00, 0x01, 0x00, 0x00, 0x02, 0x0F])
    data = person.chip_number + platform + tail
    assert len(data) == 0x1C
    return data


def _identity_file(person: CardholderData, applet: str, photo: bytes, basic_spki: bytes) -> bytes:
    if applet == "1.7":
        photo_hash = hashlib.sha1(photo, usedforsecurity=False).digest()
    else:
        photo_hash = hashlib.sha384(photo).digest()
    end = person.validity_end
    assert end is not None
    fields: list[tuple[int, bytes]] = [
        (IdentityTag.FILE_VERSION, b"\x00\x02" if applet == "1.8" else b"\x00\x01"),
        (IdentityTag.CARD_NUMBER, person.card_number.encode()),
        (IdentityTag.CHIP_NUMBER, person.chip_number),
        (IdentityTag.VALIDITY_BEGIN, person.validity_begin.strftime("%d.%m.%Y").encode()),
        (IdentityTag.VALIDITY_END, end.strftime("%d.%m.%Y").encode()),
        (IdentityTag.ISSUING_MUNICIPALITY, person.issuing_municipality.encode()),
        (IdentityTag.NATIONAL_NUMBER, person.nrn.encode()),
        (IdentityTag.SURNAME, person.surname.encode()),
        (IdentityTag.FIRST_NAMES, person.given_names.encode()),
        (IdentityTag.THIRD_NAME_INITIAL, person.third_name_initial.encode()),
        (IdentityTag.NATIONALITY, person.nationality.encode()),
        (IdentityTag.BIRTH_PLACE, person.birth_place.encode()),
        (IdentityTag.BIRTH_DATE, birth_date_text(person).encode()),
        (IdentityTag.SEX, person.sex.encode()),
        (IdentityTag.NOBLE_CONDITION, person.noble_condition.encode()),
        (IdentityTag.DOCUMENT_TYPE, person.document_type.encode()),
        (IdentityTag.SPECIAL_STATUS, person.special_status.encode()),
        (IdentityTag.PHOTO_HASH, photo_hash),
        (IdentityTag.DUPLICATE, b"00"),
        (IdentityTag.SPECIAL_ORGANISATION, b""),
    ]
    if applet == "1.8":
        fields.append((IdentityTag.BASIC_KEY_HASH, hashlib.sha384(basic_spki).digest()))
    fields.extend(person.extra_fields)
    fields.sort(key=lambda f: f[0])  # tags are always in ascending order
    return encode_tlv(fields)


def _address_file(person: CardholderData) -> bytes:
    body = encode_tlv(
        [
            (AddressTag.FILE_VERSION, b"\x00\x02"),
            (AddressTag.STREET_AND_NUMBER, person.street_and_number.encode()),
            (AddressTag.ZIP_CODE, person.zip_code.encode()),
            (AddressTag.MUNICIPALITY, person.municipality.encode()),
        ]
    )
    return body + b"\x00" * max(ADDRESS_FILE_SIZE - len(body), 0)


def register_signature(key: PrivateKey, data: bytes) -> bytes:
    """The national register's signature: RSA PKCS#1 v1.5 SHA-256, or DER ECDSA SHA-384."""
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return key.sign(data, ec.ECDSA(hashes.SHA384()))


def _der_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


_CDF_ENTRIES = {
    "both": frozenset({"Authentication", "Signature"}),
    "authentication": frozenset({"Authentication"}),
    "none": frozenset(),
}


def _signature_file(signature: bytes) -> bytes:
    """EF(SGN#…) as stored: an EC signature zero-padded to the fixed file length."""
    if signature[:1] == b"\x30" and len(signature) <= EC_SIGNATURE_FILE_SIZE:
        return signature + b"\x00" * (EC_SIGNATURE_FILE_SIZE - len(signature))
    return signature  # RSA: exactly the key's length


def _certificate_files(
    cardholder: CardholderData, creds: PersonCredentials, pki: SandboxPKI, applet: str
) -> dict[str, bytes]:
    """The five certificate files at their real sizes (content v4.01 / v5.4 §8).

    A certificate file is the DER certificate followed by the applet's zero
    padding; a certificate not issued leaves a file of zeros. On applet 1.7
    the root and RRN files carry no padding (v4.01 §8.4, §8.5).
    """
    pad = b"\x00" * CERT_FILE_PADDING[applet]
    empty = b"\x00" * EMPTY_CERT_FILE_SIZE[applet]
    tail = pad if applet == "1.8" else b""
    has_auth = cardholder.certificates in ("both", "authentication")
    has_sign = cardholder.certificates == "both"
    return {
        _path(Fid.DF_BELPIC, Fid.CERT_AUTHENTICATION): _der_cert(creds.auth_cert) + pad
        if has_auth
        else empty,
        _path(Fid.DF_BELPIC, Fid.CERT_SIGNATURE): _der_cert(creds.sign_cert) + pad
        if has_sign
        else empty,
        _path(Fid.DF_BELPIC, Fid.CERT_CA): _der_cert(creds.ca_cert) + pad,
        _path(Fid.DF_BELPIC, Fid.CERT_ROOT): _der_cert(creds.root_cert) + tail,
        _path(Fid.DF_BELPIC, Fid.CERT_RRN): _der_cert(pki.rrn_certificate(applet)) + tail,
    }


def build_card(
    cardholder: CardholderData,
    pki: SandboxPKI,
    applet: str = "1.8",
    pin: str = "1234",
    *,
    credentials: PersonCredentials | None = None,
) -> CardImage:
    """Personalise a card of ``applet`` for ``cardholder`` with keys from ``pki``.

    ``credentials`` overrides the person's usual certificates, e.g. with
    ``pki.issue_expired(...)``, ``issue_revoked`` or ``issue_unknown_ca``.
    """
    if applet not in ATRS:
        raise ValueError(f"unknown applet {applet!r} (expected 1.7 or 1.8)")
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise ValueError("the PIN must be 4 to 12 digits")
    creds = credentials or pki.issue_person(cardholder, applet)
    if creds.applet != applet:
        raise ValueError(f"credentials are for applet {creds.applet}, not {applet}")
    rrn_key = pki.rrn_key(applet)
    photo = cardholder.photo or sandbox_photo(cardholder.nrn)
    basic_key = ec.generate_private_key(ec.SECP384R1()) if applet == "1.8" else None
    basic_spki = (
        basic_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if basic_key
        else b""
    )
    identity = _identity_file(cardholder, applet, photo, basic_spki)
    address = _address_file(cardholder)
    sgn_id = _signature_file(register_signature(rrn_key, identity))
    sgn_address = _signature_file(register_signature(rrn_key, address_signed_data(address, sgn_id)))
    certs = _certificate_files(cardholder, creds, pki, applet)
    files = {
        _path(Fid.DIR): pkcs15.ef_dir(),
        _path(Fid.DF_BELPIC, Fid.ODF): pkcs15.odf(),
        _path(Fid.DF_BELPIC, Fid.TOKEN_INFO): pkcs15.token_info(cardholder.chip_number, applet),
        _path(Fid.DF_BELPIC, Fid.AODF): pkcs15.aodf(),
        _path(Fid.DF_BELPIC, Fid.PRKDF): pkcs15.prkdf(applet),
        _path(Fid.DF_BELPIC, Fid.CDF): pkcs15.cdf(_CDF_ENTRIES[cardholder.certificates]),
        **certs,
        _path(Fid.DF_ID, Fid.ID_RN): identity,
        _path(Fid.DF_ID, Fid.SGN_ID_RN): sgn_id,
        _path(Fid.DF_ID, Fid.ID_ADDRESS): address,
        _path(Fid.DF_ID, Fid.SGN_ADDRESS): sgn_address,
        _path(Fid.DF_ID, Fid.ID_PHOTO): photo,
    }
    if applet == "1.8":
        files[_path(Fid.DF_ID, Fid.PUK1_BASIC)] = basic_spki
    return CardImage(
        applet=applet,
        atr=ATRS[applet],
        card_data=card_data(cardholder, applet),
        files=files,
        auth_key=creds.auth_key,
        sign_key=creds.sign_key,
        basic_key=basic_key,
        pin=pin,
        pin_tries_left=3,
    )
