"""Procedure forms on the client side: schema reading and value handling.

Pure functions shared by the CLI's ``dossier fill`` and the TUI's form
screen, so both read a form the same way (``$ref``, ``x-ui`` order and
widgets, titles) and type a person's answer the same way: dates typed
``dd/mm/yyyy`` become ISO, amounts typed with a decimal comma become the
two-decimal string the portal wants, IBANs typed in groups of four become
compact. The format checks are the portal's own (:mod:`be_identifiers`, the
package both sides import) so a mistake is caught as it is typed, not at
submit, with the answer the portal will give.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Container
from decimal import Decimal, InvalidOperation
from typing import Any

import be_identifiers
from monespace_cli.i18n import _

_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_SEPARATORS = re.compile(r"[\s.\-/]")
_AMOUNT_PATTERN_TAIL = (r"\.\d{2}$", r"\.[0-9]{2}$")


# -- schema reading ------------------------------------------------------------


def nearest_pointer(pointer: str, known: Container[str]) -> str | None:
    """``pointer`` or its nearest parent found in ``known`` (None when none is).

    The portal names a problem by the deepest JSON pointer (``/spouse/birth_date``);
    a screen, a spreadsheet column or a prefill source may know only a parent
    (``/spouse``). The root ``""`` is never tried: callers decide what "no field"
    means to them.
    """
    probe = pointer
    while probe:
        if probe in known:
            return probe
        probe = probe.rsplit("/", 1)[0]
    return None


def resolve_ref(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref`` (``#/$defs/...``); other schemas come back as they are."""
    seen = 0
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and seen < 20:
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            return schema
        target: Any = root
        for part in ref[2:].split("/"):
            target = (
                target.get(part.replace("~1", "/").replace("~0", "~"), {})
                if isinstance(target, dict)
                else {}
            )
        merged = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **merged} if isinstance(target, dict) else merged
        seen += 1
    return schema


def schema_types(schema: dict[str, Any] | None) -> set[str]:
    """The JSON types a schema allows (from ``type``, ``const`` or ``enum``)."""
    if not schema:
        return set()
    declared = schema.get("type")
    if isinstance(declared, str):
        return {declared}
    if isinstance(declared, list):
        return {str(t) for t in declared}
    values = schema.get("enum") or ([schema["const"]] if "const" in schema else [])
    return {json_type(v) for v in values}


def json_type(value: Any) -> str:
    """The JSON Schema type name of a Python value."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


def ui_hints(schema: Any) -> dict[str, Any]:
    """The ``x-ui`` object of a schema (empty when absent or malformed)."""
    ui = schema.get("x-ui") if isinstance(schema, dict) else None
    return ui if isinstance(ui, dict) else {}


def ordered_properties(
    schema: dict[str, Any], root: dict[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    """The properties of an object schema in display order, ``readOnly`` ones left out.

    Order: an explicit ``x-ui.order`` list on the parent, else each field's
    ``x-ui.order`` rank (unranked fields keep their place after the ranked).
    Properties declared in ``allOf`` branches are included.
    """
    props = dict(schema.get("properties") or {})
    for branch in schema.get("allOf") or []:
        branch = resolve_ref(branch, root) if isinstance(branch, dict) else {}
        for key, sub in (branch.get("properties") or {}).items():
            props.setdefault(key, sub)
    order = ui_hints(schema).get("order")
    keys = list(props)
    if isinstance(order, list):
        keys = [k for k in order if k in props] + [k for k in props if k not in order]
    else:
        keys.sort(key=lambda k: _rank(props[k]))
    return [
        (k, resolve_ref(props[k], root))
        for k in keys
        if isinstance(props[k], dict) and not props[k].get("readOnly")
    ]


def _rank(schema: Any) -> float:
    order = ui_hints(schema).get("order")
    return float(order) if isinstance(order, int | float) else float("inf")


def is_date(schema: dict[str, Any]) -> bool:
    return schema.get("format") == "date" or ui_hints(schema).get("widget") == "date"


def is_iban(schema: dict[str, Any]) -> bool:
    return schema.get("format") == "iban" or ui_hints(schema).get("widget") == "iban"


def is_amount(schema: dict[str, Any]) -> bool:
    """Money: ``x-ui.widget`` money/amount, or a string pattern ending in two decimals."""
    if ui_hints(schema).get("widget") in ("money", "amount"):
        return True
    pattern = str(schema.get("pattern", ""))
    return "string" in schema_types(schema) and pattern.endswith(_AMOUNT_PATTERN_TAIL)


# -- values a person types --------------------------------------------------------


def parse_date(text: str) -> str:
    """ISO ``YYYY-MM-DD`` from ``dd/mm/yyyy`` (also ``.``/``-``) or ISO; ValueError else.

    The one rule of :mod:`monespace_cli.dates`, so forms, options and sheets agree.
    """
    from monespace_cli.dates import parse_date as parse

    return parse(text)


def display_date(value: Any) -> str:
    """``14/03/1968`` for ``1968-03-14``; anything else as it is."""
    text = "" if value is None else str(value)
    iso = _ISO.match(text)
    return f"{iso.group(3)}/{iso.group(2)}/{iso.group(1)}" if iso else text


def parse_amount(text: str, schema: dict[str, Any]) -> str | float | int:
    """The amount as the schema stores it: a two-decimal string, or a number.

    Accepts a decimal comma and thousands separators (spaces, dots before a
    comma): ``1 250,5`` → ``"1250.50"``.
    """
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace("€", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("Type an amount, e.g. 1250,00.")) from None
    if not amount.is_finite():
        raise ValueError(_("Type an amount, e.g. 1250,00."))
    types = schema_types(schema)
    if "string" in types or not types:
        return f"{amount.quantize(Decimal('0.01')):f}"
    if "integer" in types and amount == amount.to_integral_value():
        return int(amount)
    return float(amount)


def display_amount(value: Any) -> str:
    """``1250,50`` for ``"1250.50"``: the decimal comma people in Belgium read."""
    if value is None:
        return ""
    return str(value).replace(".", ",")


def compact_iban(text: str) -> str:
    """An IBAN without spaces, upper case (``be68 5390…`` → ``BE685390…``)."""
    return _SEPARATORS.sub("", text).upper()


def display_iban(value: Any) -> str:
    """``BE68 5390 0754 7034``: groups of four, as on a bank card."""
    compact = compact_iban("" if value is None else str(value))
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


# -- format checks (the portal's rules, so mistakes show while typing) ---------------


# The identifier rules are the portal's own (one implementation, be_identifiers);
# they are re-exported here because the TUI's fields look them up in this module.
is_valid_nrn = be_identifiers.is_valid_nrn
is_valid_bce = be_identifiers.is_valid_bce
is_valid_iban = be_identifiers.is_valid_iban
is_wallonia_postal_code = be_identifiers.is_wallonia_postal_code
FORMAT_CHECKS: dict[str, Callable[[str], bool]] = be_identifiers.FORMAT_CHECKS


@functools.lru_cache(maxsize=1)
def format_checker() -> Any:
    """The portal's FormatChecker (standard formats plus the Belgian ones), built once."""
    return be_identifiers.format_checker()


def format_message(fmt: str) -> str:
    """What a failed format check tells the person (the shared sentences)."""
    from monespace_cli.schema_messages import format_sentence

    return format_sentence(fmt)


def schema_message(error: Any) -> str:
    """What a failed check of the form's JSON Schema tells the person, in their language.

    jsonschema's own messages are English and name values as Python reprs;
    the shared sentences (:mod:`monespace_cli.schema_messages`) say the rule
    instead, for the CLI, bulk and the TUI alike.
    """
    from monespace_cli.schema_messages import human_message

    return human_message(error)


def first_problem(schema: dict[str, Any], value: Any, root: dict[str, Any]) -> str | None:
    """The first problem of ``value`` against its own sub-schema (formats checked).

    Conditions across fields and ``required`` of nested objects are the whole
    form's business; this answers "is what I just typed acceptable here?".
    """
    from jsonschema import Draft202012Validator

    probe = {k: v for k, v in schema.items() if not k.startswith("x-")}
    for key in ("required", "allOf", "if", "then", "else", "properties", "items"):
        probe.pop(key, None)
    if "$defs" in root:
        probe.setdefault("$defs", root["$defs"])
    validator = Draft202012Validator(probe, format_checker=format_checker())
    from monespace_cli.schema_messages import human_message

    for error in validator.iter_errors(value):
        return human_message(error)
    return None
