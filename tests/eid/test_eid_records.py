"""Parsing the identity, address and card-data files into records."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eid.errors import CardDataInvalid, EidError, UnsupportedApplet
from eid.layout import AddressTag, IdentityTag, encode_tlv
from eid.records import parse_address, parse_card_data, parse_identity

PHOTO_HASH = hashlib.sha384(b"photo").digest()


def identity_file(**overrides: bytes) -> bytes:
    fields = {
        IdentityTag.FILE_VERSION: b"\x00\x02",
        IdentityTag.CARD_NUMBER: b"592123456789",
        IdentityTag.CHIP_NUMBER: bytes(range(16)),
        IdentityTag.VALIDITY_BEGIN: b"01.02.2021",
        IdentityTag.VALIDITY_END: b"01.02.2031",
        IdentityTag.ISSUING_MUNICIPALITY: "Liège".encode(),
        IdentityTag.NATIONAL_NUMBER: b"85073003328",
        IdentityTag.SURNAME: b"Dupont",
        IdentityTag.FIRST_NAMES: "Marie Hélène".encode(),
        IdentityTag.THIRD_NAME_INITIAL: b"J",
        IdentityTag.NATIONALITY: b"Belge",
        IdentityTag.BIRTH_PLACE: b"Namur",
        IdentityTag.BIRTH_DATE: b"30 JUIL 1985",
        IdentityTag.SEX: b"V",
        IdentityTag.NOBLE_CONDITION: b"",
        IdentityTag.DOCUMENT_TYPE: b"1",
        IdentityTag.SPECIAL_STATUS: b"0",
        IdentityTag.PHOTO_HASH: PHOTO_HASH,
        IdentityTag.DUPLICATE: b"01",
        IdentityTag.SPECIAL_ORGANISATION: b"",
        IdentityTag.MEMBER_OF_FAMILY: b"",
        IdentityTag.PROTECTION_DATE_COUNTRY: b"",
        IdentityTag.WORK_PERMIT_MENTION: b"7",
        IdentityTag.EMPLOYER_VAT_1: b"0123.456.789",
        IdentityTag.EMPLOYER_VAT_2: b"",
        IdentityTag.REGIONAL_FILE_NUMBER: b"R-42",
        IdentityTag.BASIC_KEY_HASH: hashlib.sha384(b"key").digest(),
        IdentityTag.BREXIT_MENTION_1: b"B",
        IdentityTag.BREXIT_MENTION_2: b"C",
        IdentityTag.CARD_A_MENTION_1: b"D",
        IdentityTag.CARD_A_MENTION_2: b"K",
        IdentityTag.CARD_EU_START_DATE: b"15.03.2020",
        0x2A: b"future",
    }
    fields.update({IdentityTag[name.upper()]: value for name, value in overrides.items()})
    return encode_tlv(sorted(fields.items()))


def test_every_tag_is_parsed() -> None:
    identity = parse_identity(identity_file())
    assert identity.file_version == 2
    assert identity.card_number == "592123456789"
    assert identity.chip_number == bytes(range(16))
    assert identity.validity_begin == dt.date(2021, 2, 1)
    assert identity.validity_end == dt.date(2031, 2, 1)
    assert identity.issuing_municipality == "Liège"
    assert identity.national_number == "85073003328"
    assert identity.surname == "Dupont"
    assert identity.given_names == "Marie Hélène J"
    assert identity.birth_date == dt.date(1985, 7, 30)
    assert identity.birth_date_text == "30 JUIL 1985"
    assert identity.sex == "F"  # V (Dutch vrouw) means woman
    assert identity.document_type == "1"
    assert identity.photo_hash == PHOTO_HASH
    assert identity.duplicate == "01"
    assert identity.member_of_family is True
    assert identity.work_permit_mention == "7"
    assert identity.employer_vat_1 == "0123.456.789"
    assert identity.regional_file_number == "R-42"
    assert identity.basic_key_hash == hashlib.sha384(b"key").digest()
    assert (identity.brexit_mention_1, identity.brexit_mention_2) == ("B", "C")
    assert (identity.card_a_mention_1, identity.card_a_mention_2) == ("D", "K")
    assert identity.card_eu_start_date == dt.date(2020, 3, 15)
    assert identity.unknown_tags == {0x2A: b"future"}
    as_json = identity.to_dict()
    assert as_json["birth_date"] == "1985-07-30"
    assert as_json["photo_hash"] == PHOTO_HASH.hex()


def test_unknown_birth_day_keeps_text() -> None:
    identity = parse_identity(identity_file(birth_date=b"00 JAN 1960"))
    assert identity.birth_date is None
    assert identity.birth_date_text == "00 JAN 1960"
    assert identity.birth_date_known == "1960-01"


def test_unknown_birth_day_and_month() -> None:
    identity = parse_identity(identity_file(birth_date=b"00 00 1960"))
    assert identity.birth_date is None
    assert identity.to_dict()["birth_date_known"] == "1960"


def test_birth_date_that_is_no_date_is_a_clear_error() -> None:
    with pytest.raises(CardDataInvalid, match="birth date"):
        parse_identity(identity_file(birth_date=b"31 FEV 1960"))


def test_member_of_family_absent_is_false() -> None:
    data = encode_tlv([(0, b"\x00\x01"), (1, b"1"), (6, b"85073003328")])
    assert parse_identity(data).member_of_family is False


def test_bad_validity_date_is_card_data_invalid() -> None:
    with pytest.raises(CardDataInvalid, match="validity end"):
        parse_identity(identity_file(validity_end=b"31.02.2031"))


def test_missing_national_number_is_invalid() -> None:
    with pytest.raises(CardDataInvalid):
        parse_identity(encode_tlv([(0, b"\x00\x01"), (1, b"1")]))


def test_address_with_padding() -> None:
    data = encode_tlv(
        [
            (AddressTag.FILE_VERSION, b"\x00\x02"),
            (AddressTag.STREET_AND_NUMBER, "Rue de l'Étuve 12".encode()),
            (AddressTag.ZIP_CODE, b"4000"),
            (AddressTag.MUNICIPALITY, "Liège".encode()),
        ]
    )
    address = parse_address(data + bytes(117 - len(data)))
    assert address.street_and_number == "Rue de l'Étuve 12"
    assert (address.zip_code, address.municipality) == ("4000", "Liège")


def card_data(version: int, extra: bytes = b"") -> bytes:
    return bytes(range(16)) + bytes([1, 2, 3, 4, 5, version, 0, 1, 0, 0, 2, 0x0F]) + extra


def test_card_data() -> None:
    data = parse_card_data(card_data(0x18, b"\x02\xff\xff"))
    assert data.applet_version == "1.8"
    assert data.serial_number == bytes(range(16))
    assert data.applet_life_cycle == 0x0F
    assert data.pin_tries_left == 2
    assert parse_card_data(card_data(0x17)).pin_tries_left is None


def test_card_data_unknown_applet() -> None:
    with pytest.raises(UnsupportedApplet):
        parse_card_data(card_data(0x11))
    with pytest.raises(CardDataInvalid):
        parse_card_data(b"\x00" * 10)


@given(st.binary(max_size=512))
def test_any_bytes_parse_or_card_data_invalid(data: bytes) -> None:
    for parse in (parse_identity, parse_address):
        try:
            parse(data)
        except CardDataInvalid:
            pass


@given(st.binary(max_size=40))
def test_card_data_any_bytes(data: bytes) -> None:
    try:
        parse_card_data(data)
    except EidError:
        pass


@pytest.mark.parametrize("applet", ["1.7", "1.8"])
@given(
    identity=st.binary(max_size=300),
    address=st.binary(max_size=300),
    signature=st.binary(max_size=120),
)
def test_integrity_never_crashes_on_garbage(
    sandbox_pki: Any, applet: str, identity: bytes, address: bytes, signature: bytes
) -> None:
    from eid.integrity import check_integrity

    report = check_integrity(
        identity=identity,
        identity_signature=signature,
        address=address,
        address_signature=signature,
        photo=b"",
        rrn_certificate=sandbox_pki.rrn_certificate(applet),
        basic_public_key=signature,
    )
    assert not report.ok and report.problems
