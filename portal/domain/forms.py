"""Procedure forms: prefill from the authentic sources and server-side validation.

Prefill: a form property carrying ``"x-prefill": {"source": "rn"|"bce",
"field": "address.street"}`` takes the value of that field of the person
(``rn``: the national register record of the person acting) or of the
applicant organisation (``bce``). Values are placed at the property's JSON
pointer; :func:`prefill_values` returns them with the source of each.

Validation: JSON Schema 2020-12 with format checks (the sandbox's NRN, BCE,
IBAN, postal-code checkers), reporting *every* error with a JSON pointer
into the data — a form with five mistakes gets five messages at once.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from be_identifiers import format_checker
from portal.problems import FieldError, pointer_of


@dataclass(frozen=True)
class PrefillField:
    """One prefillable property of a form."""

    pointer: tuple[str, ...]
    source: str
    field: str


def prefill_fields(schema: dict[str, Any]) -> list[PrefillField]:
    """Every property with ``x-prefill`` (nested objects included; not arrays)."""
    return list(_walk(schema, ()))


def _walk(schema: Any, path: tuple[str, ...]) -> Iterator[PrefillField]:
    if not isinstance(schema, dict):
        return
    spec = schema.get("x-prefill")
    if isinstance(spec, dict) and path:
        source, field = spec.get("source"), spec.get("field")
        if isinstance(source, str) and isinstance(field, str):
            yield PrefillField(path, source, field)
    for name, sub in (schema.get("properties") or {}).items():
        yield from _walk(sub, (*path, name))


def lookup(record: dict[str, Any], dotted: str) -> Any:
    """``record["address"]["street"]`` for ``"address.street"``; None if absent."""
    value: Any = record
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def put(data: dict[str, Any], pointer: tuple[str, ...], value: Any) -> None:
    """Set ``value`` at ``pointer``, creating intermediate objects."""
    target = data
    for part in pointer[:-1]:
        nxt = target.get(part)
        if not isinstance(nxt, dict):
            nxt = {}
            target[part] = nxt
        target = nxt
    target[pointer[-1]] = value


def has(data: dict[str, Any], pointer: tuple[str, ...]) -> bool:
    """Whether ``data`` holds a value at ``pointer``."""
    value: Any = data
    for part in pointer:
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    return True


@functools.lru_cache(maxsize=256)
def _validator(schema_json: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_json), format_checker=format_checker())


def validator_for(schema: dict[str, Any]) -> Draft202012Validator:
    """A cached validator for ``schema`` (forms are immutable per version)."""
    return _validator(json.dumps(schema, sort_keys=True))


def validate(schema: dict[str, Any], data: Any) -> list[FieldError]:
    """All errors of ``data`` against ``schema``, ordered by pointer."""
    errors: list[FieldError] = []
    for error in validator_for(schema).iter_errors(data):
        errors.extend(_field_errors(error))
    unique = {(e["pointer"], e["message"]): e for e in errors}
    return sorted(unique.values(), key=lambda e: (e["pointer"], e["message"]))


def _field_errors(error: ValidationError) -> list[FieldError]:
    path = list(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [p for p in error.validator_value if p not in error.instance]
        return [FieldError(pointer_of([*path, name]), "this field is required") for name in missing]
    if error.validator in ("anyOf", "oneOf") and error.context:
        deepest = max(error.context, key=lambda e: len(e.absolute_path))
        return _field_errors(deepest)
    return [FieldError(pointer_of(path), _message(error))]


def _message(error: ValidationError) -> str:
    if error.validator == "format":
        return f"not a valid {error.validator_value}"
    if error.validator == "enum":
        return "must be one of: " + ", ".join(map(str, error.validator_value))
    message = error.message
    return message if len(message) <= 300 else message[:297] + "..."
