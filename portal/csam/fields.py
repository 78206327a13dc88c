"""Field parsing shared by single CSAM requests and change sets.

Why shared: a grant sent alone and the same grant inside ``roles:apply``
must produce the same field errors, only with a different pointer prefix.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from be_identifiers import is_valid_nrn
from portal.models import Organisation, Person
from portal.problems import FieldError, Problem

BCE = re.compile(r"\d{10}", re.ASCII)
_ID = re.compile(r"[1-9]\d{0,11}", re.ASCII)


def int_id(value: str) -> int | None:
    """The integer behind a public id ("12"), None for anything else."""
    return int(value) if _ID.fullmatch(value) else None


class Invalid(Exception):
    """Field errors of one request or change (pointers relative to ``prefix``)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(e["message"] for e in errors))
        self.errors = errors


def raise_invalid(exc: Invalid) -> Problem:
    """The 422 problem for ``exc``."""
    count = len(exc.errors)
    return Problem(
        "validation-failed",
        f"the request has {count} invalid field{'s' if count != 1 else ''}",
        errors=exc.errors,
    )


def parse_date(raw: Any, pointer: str, errors: list[FieldError]) -> dt.date | None:
    """A ``YYYY-MM-DD`` date, None when absent or (with an error noted) invalid."""
    if raw is None:
        return None
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    errors.append(FieldError(pointer, "must be a date YYYY-MM-DD"))
    return None


def check_person(db: Session, raw: Any, pointer: str, errors: list[FieldError]) -> str | None:
    """The NRN of a person known to the national register, else None (error noted)."""
    nrn = raw.replace(".", "").replace("-", "").replace(" ", "") if isinstance(raw, str) else None
    if nrn is None or not is_valid_nrn(nrn):
        errors.append(FieldError(pointer, "must be a valid national register number (11 digits)"))
        return None
    if db.get(Person, nrn) is None:
        errors.append(FieldError(pointer, f"no person {nrn} in the national register"))
        return None
    return nrn


def check_org(db: Session, raw: Any, pointer: str, errors: list[FieldError]) -> str | None:
    """The BCE number of a known organisation, else None (error noted)."""
    bce = raw.replace(".", "").replace(" ", "") if isinstance(raw, str) else None
    if bce is None or not BCE.fullmatch(bce) or db.get(Organisation, bce) is None:
        errors.append(FieldError(pointer, "must be the BCE number of a known organisation"))
        return None
    return bce


def check_choice(
    raw: Any, choices: Sequence[str], pointer: str, errors: list[FieldError]
) -> str | None:
    """``raw`` if it is one of ``choices``, else None (error noted)."""
    if raw not in choices:
        errors.append(FieldError(pointer, f"must be one of {', '.join(choices)}"))
        return None
    return str(raw)
