"""Client and portal give the same answer for every identifier (one implementation).

The CLI's pre-checks (``bulk`` rows, ``roles`` files and options, the TUI's
form fields) and the portal's form validator must never disagree: a number
the portal accepts refused by ``bulk`` stops an accounting firm on day one.
Hypothesis draws valid numbers (including NRNs with an unknown birth day or
month, ``00``), near misses and noise, and asks every entry point.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import be_identifiers
import be_identifiers as portal_ids  # the rules the portal validates with
from monespace_cli import forms, roles_file
from monespace_cli.bulk import rows

SEPARATORS = st.sampled_from(["", " ", ".", "-", "/"])


def _nrn_of(year: int, month: int, day: int, serial: int) -> str:
    """An NRN with any month/day, 00 included (unknown parts of a birth date)."""
    first9 = f"{year % 100:02d}{month:02d}{day:02d}{serial:03d}"
    base = int(("2" if year >= 2000 else "") + first9)
    return f"{first9}{97 - base % 97:02d}"


@st.composite
def nrns(draw: st.DrawFn) -> str:
    year = draw(st.integers(1900, 2030))
    month = draw(st.sampled_from([0, *range(1, 13), 21, 41, 13, 33]))
    day = draw(st.integers(0, 32))
    number = _nrn_of(year, month, day, draw(st.integers(1, 998)))
    if draw(st.booleans()):  # a near miss: one digit changed
        i = draw(st.integers(0, 10))
        number = number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1 :]
    return number


@st.composite
def bces(draw: st.DrawFn) -> str:
    number = be_identifiers.make_bce(draw(st.integers(1, 19_999_999)))
    if draw(st.booleans()):
        number = number[:-1] + str((int(number[-1]) + draw(st.integers(1, 9))) % 10)
    return draw(st.sampled_from(["", "BE", "BE "])) + number


@st.composite
def ibans(draw: st.DrawFn) -> str:
    number = be_identifiers.make_be_iban(draw(st.integers(0, 999)), draw(st.integers(0, 9999999)))
    if draw(st.booleans()):
        i = draw(st.integers(2, 15))
        number = number[:i] + str((int(number[i]) + draw(st.integers(1, 9))) % 10) + number[i + 1 :]
    sep = draw(st.sampled_from(["", " "]))
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


def _client_format(fmt: str, value: str) -> bool:
    """The answer of the client's shared format checker (TUI fields, dossier fill)."""
    return forms.format_checker().conforms(value, fmt)


def _bulk_format(fmt: str, value: str) -> bool:
    return rows.format_checker().conforms(value, fmt)


def _portal_format(fmt: str, value: str) -> bool:
    return portal_ids.format_checker().conforms(value, fmt)


@settings(max_examples=400, deadline=None)
@given(nrns())
def test_nrn_same_answer_everywhere(nrn: str) -> None:
    portal = portal_ids.is_valid_nrn(nrn)
    assert _portal_format("be-nrn", nrn) is portal
    assert _client_format("be-nrn", nrn) is portal
    assert _bulk_format("be-nrn", nrn) is portal
    assert roles_file.nrn_ok(nrn) is portal
    assert forms.is_valid_nrn(nrn) is portal


@settings(max_examples=300, deadline=None)
@given(bces())
def test_bce_same_answer_everywhere(bce: str) -> None:
    portal = portal_ids.is_valid_bce(bce)
    assert _client_format("be-bce", bce) is portal
    assert _bulk_format("be-bce", bce) is portal
    assert rows.is_valid_bce(rows.normalise_bce(bce)) is portal
    assert roles_file.bce_ok(roles_file.clean_number(bce)) is portal


@settings(max_examples=300, deadline=None)
@given(ibans())
def test_iban_same_answer_everywhere(iban: str) -> None:
    portal = portal_ids.is_valid_iban(iban)
    assert _client_format("iban", iban) is portal
    assert _bulk_format("iban", iban) is portal


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789", min_size=3, max_size=5))
def test_postal_code_same_answer_everywhere(code: str) -> None:
    portal = portal_ids.is_wallonia_postal_code(code)
    assert _client_format("be-postal-code-wallonia", code) is portal
    assert _bulk_format("be-postal-code-wallonia", code) is portal


@pytest.mark.parametrize(
    "iban",
    [
        "BE68 5390 0754 7034",
        "BE68539007547034",
        "be68 5390 0754 7034",
        "FR14 2004 1010 0505 0001 3M02 606",
    ],
)
def test_ibans_the_portal_accepts_pass_every_client_check(iban: str) -> None:
    """The reference worked example uses a bank code no bank register lists."""
    assert portal_ids.is_valid_iban(iban)
    assert _bulk_format("iban", iban.replace(" ", "").upper())
    assert _client_format("iban", iban)


def test_partial_birth_dates_are_valid_nrns() -> None:
    """Unknown day, or day and month (00), as the register issues them."""
    unknown_day = _nrn_of(1985, 7, 0, 33)
    unknown_both = _nrn_of(2003, 0, 0, 2)
    for nrn in (unknown_day, unknown_both):
        assert portal_ids.is_valid_nrn(nrn)
        assert roles_file.nrn_ok(nrn)
        assert _bulk_format("be-nrn", nrn)
        assert portal_ids.nrn_birth_date(nrn) is None
    assert portal_ids.nrn_birth_date(_nrn_of(1985, 7, 30, 33)) == dt.date(1985, 7, 30)


def test_structured_communication_both_layouts() -> None:
    ref = be_identifiers.structured_ref(1234567890)
    assert be_identifiers.is_valid_structured_ref(ref)
    assert be_identifiers.is_valid_structured_ref(ref.replace("+", "*"))
    assert not be_identifiers.is_valid_structured_ref(ref[:-4] + "9+++")
