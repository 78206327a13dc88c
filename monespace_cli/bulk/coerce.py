"""Typing a cell from the form's JSON Schema, the way a Belgian sheet writes values.

Why not the ``--set`` coercion of ``dossier new``: a spreadsheet writes
``1 180,40`` for an amount, ``01/09/2026`` for a date, ``VRAI`` for a
checkbox and ``BE33 3631 9024 6746`` for an IBAN. The schema says what the
form wants (a number, a ``date`` string, a money string with two decimals);
this module turns the cell into exactly that, or says why it cannot.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import be_identifiers
from monespace_cli.dates import DateError, parse_date
from monespace_cli.forms import schema_types
from monespace_cli.i18n import _

TRUE_WORDS = {"true", "yes", "y", "oui", "o", "1", "vrai", "waar", "ja", "x"}
FALSE_WORDS = {"false", "no", "n", "non", "0", "faux", "onwaar", "nee", "nein"}
#: A money pattern of the forms: digits, a point, exactly two decimals.
_MONEY_PATTERN = re.compile(r"\\\.\[0-9\]\{2\}\$$")
_SPACES = str.maketrans("", "", " \u00a0\u202f'")


class CellError(ValueError):
    """A cell that cannot be the value the form wants; the message is the reason."""


def coerce_cell(raw: Any, schema: dict[str, Any] | None) -> Any:
    """The JSON value of a cell for ``schema`` (None: unknown field, kept as text)."""
    if not isinstance(raw, str):
        return raw  # JSON Lines already carry typed values
    if schema is None:
        return raw.strip()
    types = schema_types(schema)
    if "string" in types:
        return _string(raw, schema)
    if "boolean" in types:
        return _boolean(raw)
    if types & {"integer", "number"}:
        return _number(raw, integer="number" not in types)
    if types & {"array", "object"}:
        return _structured(raw, schema)
    return raw.strip()


def _string(raw: str, schema: dict[str, Any]) -> str:
    text = raw.strip()
    fmt = schema.get("format")
    if fmt == "date":
        return belgian_date(text)
    if fmt == "iban":
        return be_identifiers.compact(text).upper()
    if fmt == "be-bce":
        return be_identifiers.compact_bce(text)
    if fmt == "be-nrn":
        return _nrn(text)
    if _is_money(schema):
        return money(text)
    return text


def _nrn(text: str) -> str:
    """An NRN in its 11 digits; a 10-digit one lost its leading 0 as a number cell.

    Everyone born from 2000 to 2009 has an NRN starting with 0, and a sheet
    that typed the column as numbers dropped it. Putting it back is safe:
    the number must still pass the NRN's check digits.
    """
    number = be_identifiers.compact(text)
    return "0" + number if len(number) == 10 and number.isdigit() else number


def _is_money(schema: dict[str, Any]) -> bool:
    widget = (schema.get("x-ui") or {}).get("widget")
    pattern = schema.get("pattern")
    return widget == "money" or (isinstance(pattern, str) and bool(_MONEY_PATTERN.search(pattern)))


def belgian_date(text: str) -> str:
    """``dd/mm/yyyy`` (also with ``.`` or ``-``) or ISO → ``YYYY-MM-DD``.

    The rule of :func:`monespace_cli.dates.parse_date`, the one every typed date uses.
    """
    try:
        return parse_date(text)
    except DateError as exc:
        raise CellError(str(exc)) from None


def decimal_of(text: str) -> Decimal:
    """A number written the Belgian way (``1.180,40``, ``1 180,4``) or the English way."""
    compact = text.strip().translate(_SPACES)
    if "," in compact:
        compact = compact.replace(".", "").replace(",", ".")
    try:
        value = Decimal(compact)
    except InvalidOperation:
        raise CellError(_("{value!r} is not a number.").format(value=text.strip())) from None
    if not value.is_finite():
        raise CellError(_("{value!r} is not a number.").format(value=text.strip()))
    return value


def money(text: str) -> str:
    """An amount as the API writes it: ``"1180.40"`` (two decimals, no sign)."""
    value = decimal_of(text)
    if value != value.quantize(Decimal("0.01")):
        raise CellError(_("{value!r} has more than two decimals.").format(value=text))
    return f"{value:.2f}"


def _number(raw: str, *, integer: bool) -> int | float:
    value = decimal_of(raw)
    if value == value.to_integral_value():
        return int(value)
    if integer:
        raise CellError(_("{value!r} is not a whole number.").format(value=raw.strip()))
    return float(value)


def _boolean(raw: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("{value!r} is not yes or no.").format(value=raw.strip()))


def _structured(raw: str, schema: dict[str, Any]) -> Any:
    text = raw.strip()
    if text[:1] in "[{":
        try:
            return json.loads(text)
        except ValueError:
            raise CellError(_("{value!r} is not valid JSON.").format(value=text)) from None
    items = schema.get("items")
    if "array" in schema_types(schema) and isinstance(items, dict):
        return [coerce_cell(part, items) for part in re.split(r"\s*\|\s*", text) if part]
    raise CellError(_("{value!r} is not valid JSON.").format(value=text))
