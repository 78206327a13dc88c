"""Turn the bytes of the identity, address and card-data files into records.

Pure functions with no card access, so the portal can reuse them and the
property tests can throw arbitrary bytes at them: every malformed input ends
in ``CardDataInvalid``, never in another exception.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from eid.dates import parse_birth_date, parse_card_date, parse_partial_birth_date
from eid.errors import N_, CardDataInvalid, UnsupportedApplet
from eid.layout import (
    CARD_DATA_APPLET_VERSION_OFFSET,
    CARD_DATA_LENGTH,
    CARD_DATA_LENGTH_WITH_PIN,
    AddressTag,
    IdentityTag,
    TlvError,
    decode_tlv,
)
from eid.models import Address, CardData, Identity

_APPLET_VERSIONS = {0x17: "1.7", 0x18: "1.8"}


def _text(fields: dict[int, bytes], tag: int) -> str:
    raw = fields.get(tag, b"")
    try:
        return raw.decode("utf-8").rstrip("\x00").strip()
    except UnicodeDecodeError as exc:
        raise CardDataInvalid(
            N_("Field 0x{tag:02X} is not valid UTF-8 text."), params={"tag": tag}
        ) from exc


def _version(fields: dict[int, bytes]) -> int | None:
    raw = fields.get(0)
    return int.from_bytes(raw, "big") if raw else None


def _optional_date(text: str, parse: Callable[[str], dt.date]) -> dt.date | None:
    if not text:
        return None
    try:
        return parse(text)
    except ValueError:
        return None


def _required_date(text: str, what: str) -> dt.date | None:
    if not text:
        return None
    try:
        return parse_card_date(text)
    except ValueError as exc:
        raise CardDataInvalid(
            N_("The {what} date {text!r} is not a valid date."), params={"what": what, "text": text}
        ) from exc


def _decode(data: bytes, what: str) -> dict[int, bytes]:
    try:
        return decode_tlv(data)
    except TlvError as exc:
        raise CardDataInvalid(
            N_("The {what} file is malformed: {detail}."), params={"what": what, "detail": str(exc)}
        ) from exc


def _known_birth_date(text: str) -> str:
    """The birth date as far as it is known (ISO 8601); CardDataInvalid if not a date."""
    if not text:
        return ""
    try:
        return parse_partial_birth_date(text).iso()
    except ValueError as exc:
        raise CardDataInvalid(
            N_("The birth date {text!r} on the card is not a date."), params={"text": text}
        ) from exc


def _sex(raw: str) -> str:
    """The card writes M for men and F/V/W (fr/nl/de) for women."""
    return "F" if raw in {"F", "V", "W"} else raw


def parse_identity(data: bytes) -> Identity:
    """Parse EF(ID#RRN); raises CardDataInvalid on malformed data."""
    f = _decode(data, N_("identity"))
    if IdentityTag.NATIONAL_NUMBER not in f or IdentityTag.CARD_NUMBER not in f:
        raise CardDataInvalid(N_("The identity file lacks the card number or national number."))
    t = lambda tag: _text(f, tag)  # noqa: E731 - local shorthand keeps the mapping readable
    birth_text = t(IdentityTag.BIRTH_DATE)
    known = {int(tag) for tag in IdentityTag}
    return Identity(
        file_version=_version(f),
        card_number=t(IdentityTag.CARD_NUMBER),
        chip_number=f.get(IdentityTag.CHIP_NUMBER, b""),
        validity_begin=_required_date(t(IdentityTag.VALIDITY_BEGIN), N_("validity begin")),
        validity_end=_required_date(t(IdentityTag.VALIDITY_END), N_("validity end")),
        issuing_municipality=t(IdentityTag.ISSUING_MUNICIPALITY),
        national_number=t(IdentityTag.NATIONAL_NUMBER),
        surname=t(IdentityTag.SURNAME),
        first_names=t(IdentityTag.FIRST_NAMES),
        third_name_initial=t(IdentityTag.THIRD_NAME_INITIAL),
        nationality=t(IdentityTag.NATIONALITY),
        birth_place=t(IdentityTag.BIRTH_PLACE),
        birth_date=_optional_date(birth_text, parse_birth_date),
        birth_date_text=birth_text,
        birth_date_known=_known_birth_date(birth_text),
        sex=_sex(t(IdentityTag.SEX)),
        noble_condition=t(IdentityTag.NOBLE_CONDITION),
        document_type=t(IdentityTag.DOCUMENT_TYPE),
        special_status=t(IdentityTag.SPECIAL_STATUS),
        photo_hash=f.get(IdentityTag.PHOTO_HASH, b""),
        duplicate=t(IdentityTag.DUPLICATE),
        special_organisation=t(IdentityTag.SPECIAL_ORGANISATION),
        member_of_family=IdentityTag.MEMBER_OF_FAMILY in f,
        protection_date_country=t(IdentityTag.PROTECTION_DATE_COUNTRY),
        work_permit_mention=t(IdentityTag.WORK_PERMIT_MENTION),
        employer_vat_1=t(IdentityTag.EMPLOYER_VAT_1),
        employer_vat_2=t(IdentityTag.EMPLOYER_VAT_2),
        regional_file_number=t(IdentityTag.REGIONAL_FILE_NUMBER),
        basic_key_hash=f.get(IdentityTag.BASIC_KEY_HASH),
        brexit_mention_1=t(IdentityTag.BREXIT_MENTION_1),
        brexit_mention_2=t(IdentityTag.BREXIT_MENTION_2),
        card_a_mention_1=t(IdentityTag.CARD_A_MENTION_1),
        card_a_mention_2=t(IdentityTag.CARD_A_MENTION_2),
        card_eu_start_date=_optional_date(t(IdentityTag.CARD_EU_START_DATE), parse_card_date),
        unknown_tags={tag: value for tag, value in f.items() if tag not in known},
    )


def parse_address(data: bytes) -> Address:
    """Parse EF(ID#Address); raises CardDataInvalid on malformed data."""
    f = _decode(data, N_("address"))
    if AddressTag.MUNICIPALITY not in f and AddressTag.STREET_AND_NUMBER not in f:
        raise CardDataInvalid(N_("The address file holds no address."))
    return Address(
        file_version=_version(f),
        street_and_number=_text(f, AddressTag.STREET_AND_NUMBER),
        zip_code=_text(f, AddressTag.ZIP_CODE),
        municipality=_text(f, AddressTag.MUNICIPALITY),
    )


def parse_card_data(data: bytes) -> CardData:
    """Parse the GET CARD DATA answer (0x1C bytes, or 0x1F with P2=01)."""
    if len(data) < CARD_DATA_LENGTH:
        raise CardDataInvalid(
            N_("GET CARD DATA returned {size} bytes, expected 28."), params={"size": len(data)}
        )
    version_byte = data[CARD_DATA_APPLET_VERSION_OFFSET]
    version = _APPLET_VERSIONS.get(version_byte)
    if version is None:
        raise UnsupportedApplet(
            N_("This eID runs applet version {version:02X}."), params={"version": version_byte}
        )
    tries = data[CARD_DATA_LENGTH] if len(data) >= CARD_DATA_LENGTH_WITH_PIN else None
    return CardData(
        serial_number=bytes(data[0:16]),
        component_code=data[16],
        os_number=data[17],
        os_version=data[18],
        softmask_number=data[19],
        softmask_version=data[20],
        applet_version=version,
        global_os_version=int.from_bytes(data[22:24], "big"),
        applet_interface_version=data[24],
        pkcs1_support=data[25],
        key_exchange_version=data[26],
        applet_life_cycle=data[27],
        pin_tries_left=None if tries in (None, 0xFF) else tries,
    )
