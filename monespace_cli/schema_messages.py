"""A sentence a person understands for every JSON Schema rule a value can break.

jsonschema's own messages are for developers (``'500' does not match
'^[0-9]{4}$'``, ``'Jean Dupont' is too long``). The procedures' forms are
JSON Schema, and the same rules are checked in the terminal form, by the
CLI's prompts and by the portal; this module is the one place that turns a
broken rule into words, in the person's language (gettext, with plural
forms). A form may word a rule itself: ``"x-messages": {"pattern": {"fr":
"…", "en": "…"}}`` beside the rule wins over the generic sentence.

The sentences speak about the field at hand ("Type at most 10 characters."),
since they are shown under it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from monespace_cli.i18n import N_, _, pick_language, plural

#: Where a form words its own messages, per keyword, beside its rules.
OWN_MESSAGES = "x-messages"


def _n(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _number(value: Any) -> str:
    """A limit as people in Belgium write it (decimal comma, no trailing .0)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",")


def type_sentence(expected: Any) -> str:
    """What to type for a JSON Schema ``type`` (one or a list), said to a person."""
    kinds = expected if isinstance(expected, list) else [expected]
    if "integer" in kinds:
        return _("Type a whole number.")
    if "number" in kinds:
        return _("Type a number.")
    if "boolean" in kinds:
        return _("Answer yes or no.")
    if "array" in kinds:
        return _("Choose one or more items.")
    if "object" in kinds:
        return _("Fill in this group of fields.")
    return _("Type some text.")


def _choices(values: Any) -> str:
    shown = ", ".join(str(v) for v in list(values or [])[:8])
    return _("Choose one of the proposed values ({values}).").format(values=shown)


SENTENCES: dict[str, Callable[[Any, Any], str]] = {
    "required": lambda _limit, _value: _("This field is required."),
    "type": lambda limit, _value: type_sentence(limit),
    "enum": lambda limit, _value: _choices(limit),
    "const": lambda limit, value: (
        _("This must be confirmed.")
        if limit is True or value is False
        else _("Only {value} is accepted here.").format(value=limit)
    ),
    "pattern": lambda _limit, _value: _("This is not in the expected form."),
    "minLength": lambda limit, _value: plural(
        _n(limit), N_("Type at least {n} character."), N_("Type at least {n} characters.")
    ).format(n=_n(limit)),
    "maxLength": lambda limit, _value: plural(
        _n(limit), N_("Type at most {n} character."), N_("Type at most {n} characters.")
    ).format(n=_n(limit)),
    "minimum": lambda limit, _value: _("The smallest value accepted is {n}.").format(
        n=_number(limit)
    ),
    "maximum": lambda limit, _value: _("The largest value accepted is {n}.").format(
        n=_number(limit)
    ),
    "exclusiveMinimum": lambda limit, _value: _("Type more than {n}.").format(n=_number(limit)),
    "exclusiveMaximum": lambda limit, _value: _("Type less than {n}.").format(n=_number(limit)),
    "multipleOf": lambda limit, _value: _("Type a multiple of {n}.").format(n=_number(limit)),
    "minItems": lambda limit, _value: plural(
        _n(limit), N_("Give at least {n} item."), N_("Give at least {n} items.")
    ).format(n=_n(limit)),
    "maxItems": lambda limit, _value: plural(
        _n(limit), N_("Give at most {n} item."), N_("Give at most {n} items.")
    ).format(n=_n(limit)),
    "uniqueItems": lambda _limit, _value: _("The same item is given twice."),
    "minProperties": lambda _limit, _value: _("Fill in at least one field of this group."),
    "maxProperties": lambda _limit, _value: _("Too many fields are filled in this group."),
    "additionalProperties": lambda _limit, _value: _("This group holds a field it does not know."),
    "unevaluatedProperties": lambda _limit, _value: _("This group holds a field it does not know."),
    "propertyNames": lambda _limit, _value: _("This group holds a field it does not know."),
    "dependentRequired": lambda _limit, _value: _("Another field is needed with this one."),
    "contains": lambda _limit, _value: _("A required item is missing from the list."),
    "minContains": lambda _limit, _value: _("A required item is missing from the list."),
    "maxContains": lambda _limit, _value: _("An item is given too many times."),
    "not": lambda _limit, _value: _("This value is not accepted here."),
    "anyOf": lambda _limit, _value: _("This value does not fit any accepted case."),
    "oneOf": lambda _limit, _value: _("This value does not fit exactly one accepted case."),
    "allOf": lambda _limit, _value: _("This value is not accepted here."),
    "false": lambda _limit, _value: _("Nothing is accepted here."),
}


def format_sentence(fmt: str) -> str:
    """What a failed ``format`` check tells the person."""
    messages = {
        "date": _("Type a date as dd/mm/yyyy."),
        "date-time": _("Type a date and time."),
        "email": _("Not a valid e-mail address."),
        "uri": _("Not a valid web address."),
        "be-nrn": _("Not a valid national register number (11 digits)."),
        "be-bce": _("Not a valid enterprise number (10 digits)."),
        "iban": _("Not a valid IBAN (check the digits)."),
        "be-postal-code-wallonia": _("Not a postal code in Wallonia."),
    }
    return messages.get(fmt, _("This is not in the expected form."))


def own_message(schema: Mapping[str, Any] | None, keyword: str) -> str | None:
    """The form's own wording for ``keyword`` on this field, in the person's language."""
    if not isinstance(schema, Mapping):
        return None
    messages = schema.get(OWN_MESSAGES)
    if not isinstance(messages, Mapping) or keyword not in messages:
        return None
    text = pick_language(messages[keyword])
    return text or None


def sentence(keyword: str, limit: Any = None, value: Any = None) -> str:
    """The generic sentence for a broken ``keyword`` (``limit`` is the rule's value)."""
    if keyword == "format":
        return format_sentence(str(limit))
    found = SENTENCES.get(keyword)
    return found(limit, value) if found else _("This value is not accepted here.")


def human_message(error: Any) -> str:
    """The sentence for a jsonschema ``ValidationError``: the form's own, else the generic one."""
    keyword = str(error.validator)
    if keyword == "False" or error.validator is False:
        keyword = "false"
    return own_message(error.schema, keyword) or sentence(
        keyword, error.validator_value, error.instance
    )
