"""Card dates: validity DD.MM.YYYY and birth dates in French, Dutch, German."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eid.dates import month_number, parse_birth_date, parse_card_date, parse_partial_birth_date

FRENCH = "JAN FEV MARS AVR MAI JUIN JUIL AOUT SEPT OCT NOV DEC".split()
DUTCH = "JAN FEB MAAR APR MEI JUN JUL AUG SEP OKT NOV DEC".split()
GERMAN = "JAN FEB MÄR APR MAI JUN JUL AUG SEP OKT NOV DEZ".split()


@pytest.mark.parametrize("months", [FRENCH, DUTCH, GERMAN], ids=["fr", "nl", "de"])
def test_every_month_of_the_spec_table(months: list[str]) -> None:
    # "ID and Address file contents" v5.0 §3, birth month encoding.
    assert [month_number(m) for m in months] == list(range(1, 13))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 JANV 1980", dt.date(1980, 1, 12)),
        ("01 FÉV 2001", dt.date(2001, 2, 1)),
        ("29 FEVR 2000", dt.date(2000, 2, 29)),
        ("03 MAAR 1975", dt.date(1975, 3, 3)),
        ("03.MÄR.1975", dt.date(1975, 3, 3)),
        ("03.MAR.1975", dt.date(1975, 3, 3)),
        ("15 MAI 1990", dt.date(1990, 5, 15)),
        ("15 MEI 1990", dt.date(1990, 5, 15)),
        ("24.DEZ.1969", dt.date(1969, 12, 24)),
        ("24 DEC 1969", dt.date(1969, 12, 24)),
        ("5 AOUT 1950", dt.date(1950, 8, 5)),
        ("07.08.1950", dt.date(1950, 8, 7)),
    ],
)
def test_birth_dates(text: str, expected: dt.date) -> None:
    assert parse_birth_date(text) == expected


@pytest.mark.parametrize("text", ["", "00 JAN 1970", "31 FEB 1970", "12 XYZ 1980", "1980"])
def test_bad_birth_dates_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_birth_date(text)


def test_card_date() -> None:
    assert parse_card_date("01.02.2031") == dt.date(2031, 2, 1)
    with pytest.raises(ValueError):
        parse_card_date("2031-02-01")


@given(st.text(max_size=40))
def test_any_text_is_a_date_or_value_error(text: str) -> None:
    try:
        result = parse_birth_date(text)
    except ValueError:
        return
    assert isinstance(result, dt.date)


@given(st.dates(min_value=dt.date(1000, 1, 1)), st.sampled_from([FRENCH, DUTCH, GERMAN]))
def test_formatted_dates_round_trip(date: dt.date, months: list[str]) -> None:
    sep = "." if months is GERMAN else " "
    text = f"{date.day:02d}{sep}{months[date.month - 1]}{sep}{date.year:04d}"
    assert parse_birth_date(text) == date


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("00 JAN 1950", "1950-01"),
        ("00 FEV 2001", "2001-02"),
        ("00.MÄR.1950", "1950-03"),
        ("00 MAAR 1950", "1950-03"),
        ("00 00 1950", "1950"),
        ("00.00.1950", "1950"),
        ("1950", "1950"),
        ("12 JANV 1980", "1980-01-12"),
    ],
)
def test_partial_birth_dates(text: str, iso: str) -> None:
    """National register numbers with 00 as day or month, and the card text to match."""
    assert parse_partial_birth_date(text).iso() == iso


@pytest.mark.parametrize("text", ["", "31 FEV 1970", "12 00 1950", "00 13 1950", "00 XYZ 1950"])
def test_impossible_partial_birth_dates(text: str) -> None:
    with pytest.raises(ValueError):
        parse_partial_birth_date(text)
