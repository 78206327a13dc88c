"""Belgian identifiers: national register number, enterprise number, IBAN,
structured communication, postal codes — one implementation of every check.

Why a package of its own: the portal validates what it stores, the CLI checks
a spreadsheet before sending it and the TUI checks a field as it is typed.
When these were three copies, ``bulk`` refused an IBAN the portal accepts.
Both sides import this package and neither side's code is imported here
(an import-linter contract says so), so the client never needs the server and
the answer is the same everywhere. The rules and worked examples are in
shared/reference/walloon-procedures.md §2.

Pure functions, no I/O, nothing heavy at import time (``monespace --help``
must stay fast): stdnum and jsonschema are imported where they are used.
Inputs are accepted with the usual separators (spaces, dots, dashes, slashes)
so that "85.07.30-033.28" and "85073003328" are the same number; builders
return the compact form unless their name says ``format``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from jsonschema import FormatChecker

__all__ = [
    "FORMAT_CHECKS",
    "compact",
    "compact_bce",
    "format_bce",
    "format_checker",
    "format_nrn",
    "is_valid_bce",
    "is_valid_iban",
    "is_valid_nrn",
    "is_valid_structured_ref",
    "is_wallonia_postal_code",
    "make_bce",
    "make_be_iban",
    "make_nrn",
    "nrn_birth_date",
    "nrn_sex",
    "parse_structured_ref",
    "structured_ref",
]

_SEPARATORS = re.compile(r"[\s.\-/]")
_STRUCTURED_REF = re.compile(r"^(\+\+\+|\*\*\*)(\d{3})/(\d{4})/(\d{5})(\+\+\+|\*\*\*)$")


def compact(value: str) -> str:
    """Strip the separators people type (spaces, dots, dashes, slashes)."""
    return _SEPARATORS.sub("", value)


def _mod97_complement(number: int) -> int:
    """97 minus the remainder: the check used by NRN and BCE."""
    return 97 - number % 97


# --- national register number (NRN) -------------------------------------


def _nrn_century(nrn: str) -> int | None:
    """1900 or 2000 according to which check digits match, None if neither.

    People born in 2000 or later have their check computed with a ``2``
    prefixed to the first nine digits; the two checks can never both match.
    """
    check = int(nrn[9:])
    if _mod97_complement(int(nrn[:9])) == check:
        return 1900
    if _mod97_complement(int("2" + nrn[:9])) == check:
        return 2000
    return None


def is_valid_nrn(value: str) -> bool:
    """True for an 11-digit NRN whose mod-97 check holds (1900 or 2000+ rule).

    The month may be 0 (unknown) and, for "bis" style numbers, carry +20/+40;
    a month above 12 after that, or a day beyond the month, is rejected.
    """
    nrn = compact(value)
    if len(nrn) != 11 or not nrn.isdigit() or _nrn_century(nrn) is None:
        return False
    month = int(nrn[2:4]) % 20
    day = int(nrn[4:6])
    if month > 12 or day > 31:
        return False
    if month and day:
        century = _nrn_century(nrn) or 1900
        return day <= calendar.monthrange(century + int(nrn[:2]), month)[1]
    return True


def nrn_birth_date(value: str) -> date | None:
    """The birth date an NRN encodes, or None when month or day is unknown (0).

    Raises ValueError for an invalid NRN (callers check first; an invalid
    number here is a programming error, not user input).
    """
    nrn = compact(value)
    if not is_valid_nrn(nrn):
        raise ValueError("not a valid national register number")
    century = _nrn_century(nrn) or 1900
    month, day = int(nrn[2:4]) % 20, int(nrn[4:6])
    if not month or not day:
        return None
    return date(century + int(nrn[:2]), month, day)


def nrn_sex(value: str) -> Literal["M", "F"]:
    """Sex from the serial: odd for men, even for women."""
    nrn = compact(value)
    if not is_valid_nrn(nrn):
        raise ValueError("not a valid national register number")
    return "M" if int(nrn[6:9]) % 2 else "F"


def make_nrn(birth_date: date, serial: int) -> str:
    """Build the NRN of a person born on ``birth_date`` with a serial 1–998.

    The serial carries the sex (odd = M, even = F). Birth years from 2000 use
    the ``2``-prefixed check.
    """
    if not 1 <= serial <= 998:
        raise ValueError("serial must be between 1 and 998")
    if not 1900 <= birth_date.year <= 2099:
        raise ValueError("birth year must be between 1900 and 2099")
    first9 = f"{birth_date:%y%m%d}{serial:03d}"
    base = int(("2" if birth_date.year >= 2000 else "") + first9)
    return f"{first9}{_mod97_complement(base):02d}"


def format_nrn(value: str) -> str:
    """``YY.MM.DD-SSS.CC``, the way the eID card and letters print it."""
    n = compact(value)
    return f"{n[0:2]}.{n[2:4]}.{n[4:6]}-{n[6:9]}.{n[9:11]}"


# --- enterprise number (BCE / KBO) ---------------------------------------


def compact_bce(value: str) -> str:
    """Compact form, accepting a ``BE`` VAT prefix and old 9-digit numbers.

    ``BE 0641.238.591`` → ``0641238591``; nothing else is changed, so an
    invalid number stays recognisable in an error message.
    """
    number = compact(value).upper()
    number = number.removeprefix("BE")
    return "0" + number if len(number) == 9 else number


def is_valid_bce(value: str) -> bool:
    """True for a 10-digit enterprise number starting with 0 or 1 whose
    first eight digits plus the last two are divisible by 97."""
    number = compact_bce(value)
    if len(number) != 10 or not number.isdigit() or number[0] not in "01":
        return False
    return int(number[:8]) > 0 and (int(number[:8]) + int(number[8:])) % 97 == 0


def format_bce(value: str) -> str:
    """``0403.019.261``, the form the BCE publishes."""
    n = compact_bce(value)
    if not is_valid_bce(n):
        raise ValueError("not a valid enterprise number")
    return f"{n[0:4]}.{n[4:7]}.{n[7:10]}"


def make_bce(base: int) -> str:
    """Enterprise number from its first eight digits (0–19 999 999).

    Numbers below 10 000 000 are the historical 0-series; the 1-series has
    been handed out since 19 September 2023.
    """
    if not 1 <= base <= 19_999_999:
        raise ValueError("base must be between 1 and 19999999")
    return f"{base:08d}{_mod97_complement(base):02d}"


# --- IBAN -------------------------------------------------------------


def is_valid_iban(value: str) -> bool:
    """True for a structurally valid IBAN whose check digits hold; Belgian
    ones must also pass the national mod-97 check of the last two digits.

    The bank code is deliberately not looked up in a bank register: the
    register changes over time and the reference worked example
    (BE68 5390 0754 7034) uses an unassigned code.
    """
    from stdnum import iban as _stdnum_iban
    from stdnum.exceptions import ValidationError

    number = compact(value).upper()
    try:
        _stdnum_iban.validate(number, check_country=False)
    except ValidationError:
        return False
    if number.startswith("BE"):
        digits = number[4:]
        return len(digits) == 12 and (int(digits[:10]) % 97 or 97) == int(digits[10:])
    return True


def make_be_iban(bank: int | str, account: int | str) -> str:
    """Belgian IBAN from a 3-digit bank code and a 7-digit account number.

    Adds the national check (first ten digits mod 97, 0 → 97) and the IBAN
    check digits. ``make_be_iban(539, 75470)`` → ``BE68539007547034``.
    """
    if not (0 <= int(bank) <= 999 and 0 <= int(account) <= 9_999_999):
        raise ValueError("bank code is 3 digits, account number 7")
    bank_s, account_s = f"{int(bank):03d}", f"{int(account):07d}"
    national = int(bank_s + account_s) % 97 or 97
    bban = f"{bank_s}{account_s}{national:02d}"
    # B=11, E=14, then "00" as placeholder check digits.
    iban_check = 98 - int(bban + "111400") % 97
    return f"BE{iban_check:02d}{bban}"


# --- structured communication (OGM/VCS) ---------------------------------


def structured_ref(number10: int | str) -> str:
    """``+++123/4567/89002+++`` from ten digits (check = mod 97, 0 → 97)."""
    digits = f"{int(number10):010d}" if isinstance(number10, int) else compact(number10)
    if len(digits) != 10 or not digits.isdigit():
        raise ValueError("a structured communication carries exactly 10 digits")
    full = f"{digits}{int(digits) % 97 or 97:02d}"
    return f"+++{full[0:3]}/{full[3:7]}/{full[7:12]}+++"


def parse_structured_ref(value: str) -> str:
    """The ten digits inside a structured communication (``+++`` or ``***``).

    Raises ValueError when the layout or the check digits are wrong.
    """
    match = _STRUCTURED_REF.match(value.strip())
    if match is None or match.group(1) != match.group(5):
        raise ValueError("expected +++DDD/DDDD/DDDDD+++")
    full = "".join(match.group(2, 3, 4))
    if (int(full[:10]) % 97 or 97) != int(full[10:]):
        raise ValueError("structured communication check digits do not match")
    return full[:10]


def is_valid_structured_ref(value: str) -> bool:
    """True for ``+++DDD/DDDD/DDDCC+++`` (or ``***``) with a valid check."""
    try:
        parse_structured_ref(value)
    except ValueError:
        return False
    return True


# --- postal codes ---------------------------------------------------------


def is_wallonia_postal_code(value: str) -> bool:
    """True for a 4-digit Belgian postal code of the Walloon Region:
    1300–1499 (Brabant wallon) and 4000–7999 (Liège incl. the
    German-speaking area, Namur, Hainaut, Luxembourg)."""
    if len(value) != 4 or not value.isdigit():
        return False
    code = int(value)
    return 1300 <= code <= 1499 or 4000 <= code <= 7999


# --- JSON Schema --------------------------------------------------------

#: The portal's custom ``format`` names and their checks (forms use these).
FORMAT_CHECKS: dict[str, Callable[[str], bool]] = {
    "be-nrn": is_valid_nrn,
    "be-bce": is_valid_bce,
    "iban": is_valid_iban,
    "be-postal-code-wallonia": is_wallonia_postal_code,
}


def format_checker() -> FormatChecker:
    """jsonschema FormatChecker with the standard formats (date, email…)
    plus ``be-nrn``, ``be-bce``, ``iban`` and ``be-postal-code-wallonia``.

    As JSON Schema requires, a format only constrains strings: other types
    pass (``type`` is what rejects them).
    """
    from jsonschema import FormatChecker

    checker = FormatChecker()
    for name, check in FORMAT_CHECKS.items():
        checker.checks(name)(_strings_only(check))
    return checker


def _strings_only(check: Callable[[str], bool]) -> Callable[[object], bool]:
    """Wrap a string check so that non-strings are accepted (JSON Schema rule)."""

    def wrapped(instance: object) -> bool:
        return not isinstance(instance, str) or check(instance)

    return wrapped
