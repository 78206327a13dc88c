"""Where things live on a BELPIC card, and how its data files are encoded.

The card reader (``eid.card``) and the virtual card (``eid.virtual``) must agree
byte for byte on file identifiers, tag numbers and the TLV encoding; keeping
them in this one module means the emulator can never drift from the reader.

Sources (in ../shared/reference/belpic/): "Belgian Electronic Identity Card
content" v5.4 §4.3 (file identifiers) and §6.1 (simplified TLV), content
v4.01 §9 and "ID and Address file contents" v5.0 (ID/address tags), applet
1.8 reference manual (READ BINARY, TLV tags in ascending order).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum

# --------------------------------------------------------------------------
# Application identifier (EF(DIR) of the MF, content v5.4 §5.2.1)
# --------------------------------------------------------------------------

#: PKCS#15 AID of the BELPIC application ("\xA0\x00\x00\x01\x77PKCS-15").
BELPIC_AID = bytes.fromhex("A000000177504B43532D3135")
#: Instance AID of the BELPIC Java Card applet (applet 1.8 manual §2.2); the
#: applet is default-selected after reset, so readers rarely need it.
APPLET_AID = bytes.fromhex("A00000003029057000AD13100101FF")


class Fid(IntEnum):
    """Two-byte file identifiers (content v5.4 §4.3)."""

    MF = 0x3F00
    DIR = 0x2F00
    # DF(BELPIC): PKCS#15 application
    DF_BELPIC = 0xDF00
    ODF = 0x5031
    TOKEN_INFO = 0x5032
    AODF = 0x5034
    PRKDF = 0x5035
    CDF = 0x5037
    CERT_AUTHENTICATION = 0x5038  # Cert#2
    CERT_SIGNATURE = 0x5039  # Cert#3 (non-repudiation)
    CERT_CA = 0x503A  # Cert#4 (Citizen CA / Foreigner CA)
    CERT_ROOT = 0x503B  # Cert#6
    CERT_RRN = 0x503C  # Cert#8 (National Register signing certificate)
    # DF(ID): National Register data
    DF_ID = 0xDF01
    ID_RN = 0x4031  # EF(ID#RRN): identity file
    SGN_ID_RN = 0x4032  # EF(SGN#ID#RRN): RRN signature of the identity file
    ID_ADDRESS = 0x4033  # EF(ID#Address)
    SGN_ADDRESS = 0x4034  # EF(SGN#Address#RRN): signature of address || SGN#ID
    ID_PHOTO = 0x4035  # EF(ID#Photo): JPEG
    PUK1_BASIC = 0x4040  # EF(PuK#1 Basic): card's basic public key (applet 1.8)


def path_of(*fids: Fid | int) -> bytes:
    """Concatenate FIDs into a SELECT-by-path argument (2 bytes each)."""
    return b"".join(int(fid).to_bytes(2, "big") for fid in fids)


#: Absolute paths for SELECT FILE P1=08: "absolute path without the identifier
#: of the MF" (applet 1.7 and 1.8 reference manuals, SELECT FILE).
PATHS: dict[str, bytes] = {
    "odf": path_of(Fid.DF_BELPIC, Fid.ODF),
    "token_info": path_of(Fid.DF_BELPIC, Fid.TOKEN_INFO),
    "aodf": path_of(Fid.DF_BELPIC, Fid.AODF),
    "prkdf": path_of(Fid.DF_BELPIC, Fid.PRKDF),
    "cdf": path_of(Fid.DF_BELPIC, Fid.CDF),
    "cert_authentication": path_of(Fid.DF_BELPIC, Fid.CERT_AUTHENTICATION),
    "cert_signature": path_of(Fid.DF_BELPIC, Fid.CERT_SIGNATURE),
    "cert_ca": path_of(Fid.DF_BELPIC, Fid.CERT_CA),
    "cert_root": path_of(Fid.DF_BELPIC, Fid.CERT_ROOT),
    "cert_rrn": path_of(Fid.DF_BELPIC, Fid.CERT_RRN),
    "identity": path_of(Fid.DF_ID, Fid.ID_RN),
    "identity_signature": path_of(Fid.DF_ID, Fid.SGN_ID_RN),
    "address": path_of(Fid.DF_ID, Fid.ID_ADDRESS),
    "address_signature": path_of(Fid.DF_ID, Fid.SGN_ADDRESS),
    "photo": path_of(Fid.DF_ID, Fid.ID_PHOTO),
    "basic_public_key": path_of(Fid.DF_ID, Fid.PUK1_BASIC),
}

# --------------------------------------------------------------------------
# File sizes and padding of real cards
# --------------------------------------------------------------------------

#: Zero bytes appended to a certificate file at personalisation: 50 on
#: applet 1.7 cards (content v4.01 §8: Cert#2, #3, #4), 1100 on applet 1.8
#: (content v5.4 §8: every certificate file).
CERT_FILE_PADDING = {"1.7": 50, "1.8": 1100}
#: Size of a certificate file when no certificate was issued: all zeros
#: (content v4.01 §8 and §6.5: 1300 bytes; v5.4 §8: 2500 bytes).
EMPTY_CERT_FILE_SIZE = {"1.7": 1300, "1.8": 2500}
#: EF(ID#Address) is created at this size and zero-padded (content v5.4 §2.3).
ADDRESS_FILE_SIZE = 117
#: EF(SGN#ID) and EF(SGN#Address) on EC cards have "a fixed length" (content
#: v5.4 §6.2.5, applet 1.7 addendum) that the documents do not give; the
#: sandbox uses 104, the longest DER ECDSA P-384 signature.
EC_SIGNATURE_FILE_SIZE = 104


# --------------------------------------------------------------------------
# Keys and PIN references (content v5.4 §3, applet manuals MSE SET)
# --------------------------------------------------------------------------

PIN_REFERENCE = 0x01  # PINCardholder, 3 tries (content v5.4 §3.2)
PIN_MAX_TRIES = 3
KEY_REFERENCE_AUTHENTICATION = 0x82  # PrK#2
KEY_REFERENCE_SIGNATURE = 0x83  # PrK#3 (non-repudiation)
KEY_REFERENCE_BASIC = 0x81  # PrK#1 (applet 1.8 internal authenticate)

#: MSE SET algorithm references. Applet 1.7 (RSA-2048, manual table 11):
ALG_RSA_PKCS1 = 0x01  # PKCS#1 v1.5, caller supplies DigestInfo (<= 245 bytes)
ALG_RSA_PKCS1_SHA1 = 0x02
ALG_RSA_PKCS1_MD5 = 0x04
ALG_RSA_PKCS1_SHA256 = 0x08  # card adds the SHA-256 DigestInfo to a 32-byte hash
ALG_RSA_PSS_SHA1 = 0x10
ALG_RSA_PSS_SHA256 = 0x20
#: Applet 1.8 (ECDSA, manual table 14); the card answers raw r || s.
ALG_ECDSA_SHA256 = 0x01
ALG_ECDSA_SHA384 = 0x02
ALG_ECDSA_SHA512 = 0x04
ALG_ECDSA_ANY_HASH = 0x40

#: GET CARD DATA (80 E4 00 P2 Le): 0x1C bytes with P2=00; 0x1F with P2=01
#: (applet 1.8 appends the PIN tries left). Offsets in the answer:
CARD_DATA_LENGTH = 0x1C
CARD_DATA_LENGTH_WITH_PIN = 0x1F
CARD_DATA_APPLET_VERSION_OFFSET = 21

#: ATRs published in content v5.4 §2.3 (electrical personalisation history).
KNOWN_ATRS: dict[str, str] = {
    "3B9894400AA503010101AD1310": "1.x (2004)",
    "3B9813400AA503010101AD1311": "1.1-1.7",
    "3B7F96000080318065B085040120120FFF829000": "1.8",
}
#: Historical-byte patterns shared by every BELPIC ATR of each family.
ATR_SIGNATURES = (bytes.fromhex("0AA503010101AD13"), bytes.fromhex("80318065B085"))

# --------------------------------------------------------------------------
# Tags of the identity file EF(ID#RRN) ("ID and Address file contents" v5.0)
# --------------------------------------------------------------------------


class IdentityTag(IntEnum):
    """Tags of EF(ID#RRN); names are the field names of ``eid.models.Identity``."""

    FILE_VERSION = 0x00
    CARD_NUMBER = 0x01
    CHIP_NUMBER = 0x02
    VALIDITY_BEGIN = 0x03
    VALIDITY_END = 0x04
    ISSUING_MUNICIPALITY = 0x05
    NATIONAL_NUMBER = 0x06
    SURNAME = 0x07
    FIRST_NAMES = 0x08  # two first given names
    THIRD_NAME_INITIAL = 0x09  # first letter of the third given name
    NATIONALITY = 0x0A
    BIRTH_PLACE = 0x0B
    BIRTH_DATE = 0x0C
    SEX = 0x0D
    NOBLE_CONDITION = 0x0E
    DOCUMENT_TYPE = 0x0F
    SPECIAL_STATUS = 0x10
    PHOTO_HASH = 0x11  # SHA-1 (applet 1.7) / SHA-384 (1.8)
    DUPLICATE = 0x12
    SPECIAL_ORGANISATION = 0x13
    MEMBER_OF_FAMILY = 0x14  # present (empty) = true
    PROTECTION_DATE_COUNTRY = 0x15  # dd.MM.yyyy-A2
    WORK_PERMIT_MENTION = 0x16  # labour market mention
    EMPLOYER_VAT_1 = 0x17
    EMPLOYER_VAT_2 = 0x18
    REGIONAL_FILE_NUMBER = 0x19
    BASIC_KEY_HASH = 0x1A  # SHA-384 of EF(PuK#1 Basic), applet 1.8
    BREXIT_MENTION_1 = 0x1B  # B: Article 18(1) agreement
    BREXIT_MENTION_2 = 0x1C  # C: séjour permanent
    CARD_A_MENTION_1 = 0x1D  # D..J: student, pupil, trainee…
    CARD_A_MENTION_2 = 0x1E  # K: mobility programme
    CARD_EU_START_DATE = 0x1F  # date d'enregistrement (EU) / séjour permanent (EU+)


class AddressTag(IntEnum):
    """Tags of EF(ID#Address)."""

    FILE_VERSION = 0x00
    STREET_AND_NUMBER = 0x01
    ZIP_CODE = 0x02
    MUNICIPALITY = 0x03


#: Human labels (English) for every tag, used by ``eid read`` and docs.
IDENTITY_TAG_LABELS: dict[IdentityTag, str] = {
    IdentityTag.FILE_VERSION: "File structure version",
    IdentityTag.CARD_NUMBER: "Card number",
    IdentityTag.CHIP_NUMBER: "Chip number",
    IdentityTag.VALIDITY_BEGIN: "Card validity begin",
    IdentityTag.VALIDITY_END: "Card validity end",
    IdentityTag.ISSUING_MUNICIPALITY: "Card delivery municipality",
    IdentityTag.NATIONAL_NUMBER: "National number",
    IdentityTag.SURNAME: "Name",
    IdentityTag.FIRST_NAMES: "First two given names",
    IdentityTag.THIRD_NAME_INITIAL: "First letter of third given name",
    IdentityTag.NATIONALITY: "Nationality",
    IdentityTag.BIRTH_PLACE: "Birth location",
    IdentityTag.BIRTH_DATE: "Birth date",
    IdentityTag.SEX: "Sex",
    IdentityTag.NOBLE_CONDITION: "Noble condition",
    IdentityTag.DOCUMENT_TYPE: "Document type",
    IdentityTag.SPECIAL_STATUS: "Special status",
    IdentityTag.PHOTO_HASH: "Hash of photo",
    IdentityTag.DUPLICATE: "Duplicate",
    IdentityTag.SPECIAL_ORGANISATION: "Special organisation",
    IdentityTag.MEMBER_OF_FAMILY: "Member of family",
    IdentityTag.PROTECTION_DATE_COUNTRY: "Date and country of protection",
    IdentityTag.WORK_PERMIT_MENTION: "Labour market mention",
    IdentityTag.EMPLOYER_VAT_1: "Employer VAT number 1",
    IdentityTag.EMPLOYER_VAT_2: "Employer VAT number 2",
    IdentityTag.REGIONAL_FILE_NUMBER: "Regional file number",
    IdentityTag.BASIC_KEY_HASH: "Hash of basic public key",
    IdentityTag.BREXIT_MENTION_1: "Brexit mention (Article 18(1))",
    IdentityTag.BREXIT_MENTION_2: "Brexit mention (permanent stay)",
    IdentityTag.CARD_A_MENTION_1: "A-card mention",
    IdentityTag.CARD_A_MENTION_2: "A-card mobility mention",
    IdentityTag.CARD_EU_START_DATE: "Registration / permanent stay date",
}

ADDRESS_TAG_LABELS: dict[AddressTag, str] = {
    AddressTag.FILE_VERSION: "File structure version",
    AddressTag.STREET_AND_NUMBER: "Street and number",
    AddressTag.ZIP_CODE: "Zip code",
    AddressTag.MUNICIPALITY: "Municipality",
}

# --------------------------------------------------------------------------
# Simplified TLV (content v5.4 §6.1)
# --------------------------------------------------------------------------
#
# tag: 1 byte. length: one byte when < 255; otherwise 0xFF bytes each worth
# 255 followed by the remainder ("FF x" = 255 + x, "FF FF x" = 510 + x).
# The value may be followed by zero padding, which is ignored: a tag byte of
# 0x00 after tag 0 has been seen ends the file.

_LENGTH_STEP = 0xFF
#: READ BINARY offsets are 15 bits: no file can be larger.
MAX_FILE_SIZE = 0x8000


class TlvError(ValueError):
    """The bytes are not a well-formed BELPIC TLV file."""


@dataclass(frozen=True, slots=True)
class TlvField:
    """One decoded element, kept in file order (tags may in theory repeat)."""

    tag: int
    value: bytes


def encode_length(length: int) -> bytes:
    """Encode a value length per content v5.4 §6.1."""
    if length < 0:
        raise ValueError("length must be >= 0")
    steps, rest = divmod(length, _LENGTH_STEP)
    return bytes([_LENGTH_STEP] * steps + [rest])


def encode_tlv(fields: Mapping[int, bytes] | Iterable[tuple[int, bytes]]) -> bytes:
    """Encode (tag, value) pairs, in the order given, into a TLV file body."""
    items = fields.items() if isinstance(fields, Mapping) else fields
    out = bytearray()
    for tag, value in items:
        if not 0 <= tag <= 0xFF:
            raise ValueError(f"tag {tag} does not fit in one byte")
        out.append(tag)
        out += encode_length(len(value))
        out += value
    return bytes(out)


def _read_length(data: bytes, pos: int) -> tuple[int, int]:
    """Return (length, position after the length bytes)."""
    length = 0
    while True:
        if pos >= len(data):
            raise TlvError(f"length runs past the end of the data at offset {pos}")
        byte = data[pos]
        pos += 1
        length += byte
        if byte != _LENGTH_STEP:
            return length, pos


def iter_tlv(data: bytes) -> list[TlvField]:
    """Decode a TLV file into fields; trailing zero padding is ignored.

    Padding is recognised as "a zero tag byte after the first element"
    followed only by zero bytes; anything else after that is an error, so
    a corrupted file is reported rather than half-read.
    """
    fields: list[TlvField] = []
    pos = 0
    while pos < len(data):
        if fields and data[pos] == 0 and not any(data[pos:]):
            break
        tag = data[pos]
        length, pos = _read_length(data, pos + 1)
        end = pos + length
        if end > len(data):
            raise TlvError(
                f"tag 0x{tag:02X} claims {length} bytes but only {len(data) - pos} remain"
            )
        fields.append(TlvField(tag, bytes(data[pos:end])))
        pos = end
    return fields


def decode_tlv(data: bytes) -> dict[int, bytes]:
    """Decode a TLV file into {tag: value}; a repeated tag keeps its first value."""
    result: dict[int, bytes] = {}
    for field in iter_tlv(data):
        result.setdefault(field.tag, field.value)
    return result


def strip_zero_padding(data: bytes) -> bytes:
    """Remove the trailing zero bytes cards pad files with (e.g. the address file)."""
    return bytes(data).rstrip(b"\x00")


def der_length(data: bytes) -> int:
    """Length of the DER object at the start of ``data`` (header included).

    Certificate and signature files are zero-padded to a fixed size; this
    finds where the real object ends without parsing it.
    """
    if len(data) < 2 or data[0] == 0:
        return 0
    first = data[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if count == 0 or count > 4 or len(data) < 2 + count:
        raise TlvError("malformed DER length")
    return 2 + count + int.from_bytes(data[2 : 2 + count], "big")
