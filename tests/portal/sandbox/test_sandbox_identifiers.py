"""Identifier rules: the worked examples of walloon-procedures.md §2 and
properties over generated numbers (every built number validates; any
single-digit change is caught)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, ValidationError

from be_identifiers import (
    format_bce,
    format_checker,
    format_nrn,
    is_valid_bce,
    is_valid_iban,
    is_valid_nrn,
    is_valid_structured_ref,
    is_wallonia_postal_code,
    make_bce,
    make_be_iban,
    make_nrn,
    nrn_birth_date,
    nrn_sex,
    parse_structured_ref,
    structured_ref,
)

birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
serials = st.integers(min_value=1, max_value=998)


def _change_one_digit(value: str, position: int, delta: int) -> str:
    """The same string with one digit replaced by another digit."""
    digits = [i for i, c in enumerate(value) if c.isdigit()]
    i = digits[position % len(digits)]
    new = str((int(value[i]) + delta) % 10)
    return value[:i] + new + value[i + 1 :]


# --- worked examples (reference §2) ---------------------------------------


def test_nrn_worked_example_1985() -> None:
    assert is_valid_nrn("85.07.30-033.28")
    assert nrn_birth_date("85073003328") == date(1985, 7, 30)
    assert nrn_sex("85073003328") == "M"
    assert make_nrn(date(1985, 7, 30), 33) == "85073003328"


def test_nrn_worked_example_born_2000_plus() -> None:
    assert is_valid_nrn("17.07.30-033.84")
    assert nrn_birth_date("17073003384") == date(2017, 7, 30)
    assert make_nrn(date(2017, 7, 30), 33) == "17073003384"


def test_nrn_rejects_wrong_check_and_shapes() -> None:
    assert not is_valid_nrn("85073003329")
    assert not is_valid_nrn("8507300332")
    assert not is_valid_nrn("8507300332X")
    assert not is_valid_nrn("")


def test_nrn_unknown_day_has_no_birth_date() -> None:
    # Month 0 = unknown; build the check by hand for 1950-00-00 serial 5.
    first9 = "500000005"
    nrn = first9 + f"{97 - int(first9) % 97:02d}"
    assert is_valid_nrn(nrn)
    assert nrn_birth_date(nrn) is None


def test_nrn_rejects_impossible_day() -> None:
    first9 = "850231001"  # 31 February
    assert not is_valid_nrn(first9 + f"{97 - int(first9) % 97:02d}")


def test_format_nrn() -> None:
    assert format_nrn("85073003328") == "85.07.30-033.28"


def test_bce_worked_example() -> None:
    assert is_valid_bce("0403.019.261")
    assert is_valid_bce("BE0403019261")
    assert is_valid_bce("403019261")  # old 9-digit VAT number
    assert make_bce(4030192) == "0403019261"
    assert format_bce("0403019261") == "0403.019.261"


def test_bce_rejects_series_2_and_bad_check() -> None:
    assert not is_valid_bce("0403019262")
    assert not is_valid_bce("2403019261")
    with pytest.raises(ValueError):
        format_bce("0403019262")


def test_bce_one_series() -> None:
    number = make_bce(10_048_215)
    assert number.startswith("1")
    assert is_valid_bce(number)


def test_structured_ref_worked_example() -> None:
    assert structured_ref(1234567890) == "+++123/4567/89002+++"
    assert structured_ref("1234567890") == "+++123/4567/89002+++"
    assert parse_structured_ref("+++123/4567/89002+++") == "1234567890"
    assert is_valid_structured_ref("***123/4567/89002***")
    assert not is_valid_structured_ref("+++123/4567/89003+++")
    assert not is_valid_structured_ref("+++123/4567/89002***")


def test_structured_ref_zero_remainder_gives_97() -> None:
    ref = structured_ref(97)  # 0000000097 mod 97 = 0 → check 97
    assert ref == "+++000/0000/09797+++"
    assert parse_structured_ref(ref) == "0000000097"


def test_iban_worked_example() -> None:
    assert is_valid_iban("BE68 5390 0754 7034")
    assert make_be_iban(539, 75470) == "BE68539007547034"
    assert not is_valid_iban("BE69539007547034")
    assert is_valid_iban("FR1420041010050500013M02606")
    assert not is_valid_iban("BE68")


@pytest.mark.parametrize(("bank", "account"), [(-1, 5), (1000, 5), (539, 10_000_000), (539, -3)])
def test_make_be_iban_rejects_out_of_range_parts(bank: int, account: int) -> None:
    with pytest.raises(ValueError):
        make_be_iban(bank, account)


def test_iban_belgian_national_check_is_enforced() -> None:
    # Valid IBAN check digits computed over a BBAN with a wrong national check.
    bban = "5390075470" + "35"
    check = 98 - int(bban + "111400") % 97
    assert not is_valid_iban(f"BE{check:02d}{bban}")


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("1300", True),
        ("1499", True),
        ("4700", True),
        ("5000", True),
        ("7999", True),
        ("1000", False),
        ("1500", False),
        ("3000", False),
        ("8000", False),
        ("500", False),
        ("50OO", False),
    ],
)
def test_wallonia_postal_codes(code: str, ok: bool) -> None:
    assert is_wallonia_postal_code(code) is ok


# --- properties --------------------------------------------------------


@given(birth_dates, serials)
def test_made_nrn_round_trips(born: date, serial: int) -> None:
    nrn = make_nrn(born, serial)
    assert is_valid_nrn(nrn)
    assert nrn_birth_date(nrn) == born
    assert nrn_sex(nrn) == ("M" if serial % 2 else "F")
    assert is_valid_nrn(format_nrn(nrn))


@given(birth_dates, serials, st.integers(0, 10), st.integers(1, 9))
def test_nrn_check_catches_one_changed_digit(born: date, serial: int, pos: int, delta: int) -> None:
    changed = _change_one_digit(make_nrn(born, serial), pos, delta)
    # A changed digit either breaks the check or (for date digits) makes
    # another valid person; it never keeps the same birth date and serial.
    if is_valid_nrn(changed):
        assert (nrn_birth_date(changed), changed[6:9]) != (born, f"{serial:03d}")


@given(st.integers(1, 19_999_999))
def test_made_bce_is_valid(base: int) -> None:
    number = make_bce(base)
    assert is_valid_bce(number) and is_valid_bce(format_bce(number))


@given(st.integers(1, 19_999_999), st.integers(0, 9), st.integers(1, 9))
def test_bce_check_catches_one_changed_digit(base: int, pos: int, delta: int) -> None:
    changed = _change_one_digit(make_bce(base), pos, delta)
    assert not is_valid_bce(changed) or changed[0] not in "01"


@given(st.integers(0, 999), st.integers(0, 9_999_999))
def test_made_be_iban_is_valid(bank: int, account: int) -> None:
    iban = make_be_iban(bank, account)
    assert len(iban) == 16 and is_valid_iban(iban)


@given(st.integers(0, 999), st.integers(0, 9_999_999), st.integers(0, 15), st.integers(1, 9))
def test_iban_catches_one_changed_digit(bank: int, account: int, pos: int, delta: int) -> None:
    assert not is_valid_iban(_change_one_digit(make_be_iban(bank, account), pos, delta))


@given(st.integers(0, 9_999_999_999))
def test_structured_ref_round_trips(number: int) -> None:
    ref = structured_ref(number)
    assert is_valid_structured_ref(ref)
    assert parse_structured_ref(ref) == f"{number:010d}"


# --- JSON Schema formats ------------------------------------------------

_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "nrn": {"format": "be-nrn"},
        "bce": {"format": "be-bce"},
        "iban": {"format": "iban"},
        "postal_code": {"format": "be-postal-code-wallonia"},
        "day": {"format": "date"},
    },
}


def test_format_checker_accepts_valid_values() -> None:
    validator = Draft202012Validator(_SCHEMA, format_checker=format_checker())
    validator.validate(
        {
            "nrn": "85073003328",
            "bce": "0403019261",
            "iban": "BE68539007547034",
            "postal_code": "5000",
            "day": "2026-11-23",
        }
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("nrn", "85073003329"),
        ("bce", "0403019262"),
        ("iban", "BE69539007547034"),
        ("postal_code", "1000"),
        ("day", "2026-02-30"),
    ],
)
def test_format_checker_rejects_invalid_values(field: str, value: str) -> None:
    validator = Draft202012Validator(_SCHEMA, format_checker=format_checker())
    with pytest.raises(ValidationError):
        validator.validate({field: value})


def test_format_checker_ignores_non_strings() -> None:
    Draft202012Validator(_SCHEMA, format_checker=format_checker()).validate({"nrn": 85073003328})
