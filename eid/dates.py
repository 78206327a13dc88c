"""Dates as the eID card writes them.

Validity dates are "DD.MM.YYYY". The birth date is written in the card's
language: "DD mmmm YYYY" in French or Dutch, "DD.mmm.YYYY" in German, with the
month abbreviations of "ID and Address file contents" v5.0 §3 (FEV, MAAR,
MÄR, MEI, DEZ…). Cards in the field also carry longer French forms (JANV,
FEVR, AVRIL) and unaccented German (MAR, MRZ), so every variant is accepted;
a day of 00 (unknown birth day) is not a date and is reported as such.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("JAN", "JANV", "JANVIER", "JANUARI", "JANUAR"),
        ("FEV", "FEVR", "FEVRIER", "FEB", "FEBR", "FEBRUARI", "FEBRUAR"),
        ("MARS", "MAAR", "MAART", "MAR", "MRZ", "MARZ", "MAERZ"),
        ("AVR", "AVRI", "AVRIL", "APR", "APRIL"),
        ("MAI", "MEI"),
        ("JUIN", "JUN", "JUNI"),
        ("JUIL", "JUILL", "JUILLET", "JUL", "JULI"),
        ("AOUT", "AUG", "AUGUSTUS", "AUGUST"),
        ("SEPT", "SEP", "SEPTEMBRE", "SEPTEMBER"),
        ("OCT", "OKT", "OCTOBRE", "OKTOBER"),
        ("NOV", "NOVEMBRE", "NOVEMBER"),
        ("DEC", "DEZ", "DECEMBRE", "DECEMBER", "DEZEMBER"),
    ),
    start=1,
):
    for _name in _names:
        _MONTHS[_name] = _number

_BIRTH_RE = re.compile(r"^\s*(\d{1,2})[\s.]+([A-Z]+)\.?[\s.]+(\d{4})\s*$")
_NUMERIC_RE = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})\s*$")


def _fold(text: str) -> str:
    """Upper-case and strip accents: 'Mär' → 'MAR', 'fév' → 'FEV'."""
    decomposed = unicodedata.normalize("NFKD", text.upper())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def month_number(abbreviation: str) -> int:
    """Month number for a French/Dutch/German abbreviation; ValueError if unknown."""
    folded = _fold(abbreviation).strip(". ")
    if folded == "MAER":  # "MÄR" spelled with the German ae transliteration
        folded = "MAR"
    try:
        return _MONTHS[folded]
    except KeyError:
        raise ValueError(f"unknown month abbreviation {abbreviation!r}") from None


def parse_birth_date(text: str) -> dt.date:
    """Parse a card birth date ('12 JANV 1980', '12 MAAR 1980', '12.MÄR.1980').

    Numeric forms ('12.03.1980') are accepted too, as some foreigner cards
    use them. Raises ValueError for anything else, including day 00.
    """
    match = _BIRTH_RE.match(_fold(text))
    if match:
        day, month_text, year = match.groups()
        month = month_number(month_text)
    else:
        numeric = _NUMERIC_RE.match(text)
        if not numeric:
            raise ValueError(f"unrecognised birth date {text!r}")
        day, month_str, year = numeric.groups()
        month = int(month_str)
    return dt.date(int(year), month, int(day))


def parse_card_date(text: str) -> dt.date:
    """Parse a validity date 'DD.MM.YYYY' (also tolerating '-' and '/')."""
    match = _NUMERIC_RE.match(text)
    if not match:
        raise ValueError(f"unrecognised date {text!r}")
    day, month, year = (int(part) for part in match.groups())
    return dt.date(year, month, day)


_PARTIAL_RE = re.compile(r"^\s*(?:(\d{1,2})[\s.]+(?:([A-Z]+)\.?|(\d{1,2}))[\s.]+)?(\d{4})\s*$")


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A birth date whose day, or day and month, the register does not know.

    People born where no record survives have a national register number
    with ``00`` as day and/or month, and a card birth date to match
    ("00 JAN 1950", "00 00 1950"). ``iso()`` gives ISO 8601 reduced
    precision ("1950-01", "1950").
    """

    year: int
    month: int | None
    day: int | None

    def iso(self) -> str:
        """ "1950-01-31", "1950-01" or "1950"."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


def parse_partial_birth_date(text: str) -> PartialDate:
    """Parse a card birth date, complete or not; ValueError when it is neither.

    Accepts what :func:`parse_birth_date` accepts, plus day 00 ("00 JAN
    1950", "00.MÄR.1950"), day and month 00 ("00 00 1950", "00.00.1950")
    and the year alone. A day without a month, or an impossible date, is
    an error.
    """
    try:
        full = parse_birth_date(text)
    except ValueError:
        pass
    else:
        return PartialDate(full.year, full.month, full.day)
    match = _PARTIAL_RE.match(_fold(text))
    if not match:
        raise ValueError(f"unrecognised birth date {text!r}")
    day_text, month_name, month_digits, year_text = match.groups()
    year = int(year_text)
    if day_text is None:
        return PartialDate(year, None, None)
    month = month_number(month_name) if month_name else int(month_digits or "0")
    day = int(day_text)
    if month > 12 or (month == 0 and day) or day > 31:
        raise ValueError(f"impossible birth date {text!r}")
    if month and day:  # a complete date parse_birth_date refused: not a real day
        raise ValueError(f"impossible birth date {text!r}")
    return PartialDate(year, month or None, None)
