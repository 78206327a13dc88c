"""Checking what is typed: inline per field, per form, and the portal's answers.

Three moments, one vocabulary (JSON pointers into the dossier data):

- as you type: :class:`FieldValidator` (a Textual ``Validator``) turns the
  text into the value the schema wants (date, amount, number…) and checks it
  against the field's own sub-schema, formats included;
- on save and before submit: :func:`form_errors` checks the whole data
  (required fields, conditions) like the portal does;
- the portal's verdict (``POST /validate``, a 422 on submit): :func:`route`
  sends each ``{"pointer", "message"}`` to the field that shows it, or to
  the nearest enclosing field when the pointer names something not on
  screen (a missing object, an attachment kind).
"""

from __future__ import annotations

from typing import Any

from textual.validation import ValidationResult, Validator

from monespace_cli import forms
from monespace_cli.i18n import _
from monespace_cli.schema_messages import human_message
from tui.forms.schema import Field, Kind


def parse(node: Field, text: str) -> Any:
    """The JSON value for what was typed in a text-like field; ValueError with a message."""
    raw = text.strip()
    if node.kind is Kind.DATE:
        return forms.parse_date(raw)
    if node.kind is Kind.AMOUNT:
        return forms.parse_amount(raw, node.schema)
    if node.kind is Kind.IBAN:
        return forms.compact_iban(raw)
    if node.kind is Kind.INTEGER:
        try:
            return int(raw.replace(" ", ""))
        except ValueError:
            raise ValueError(_("Type a whole number.")) from None
    if node.kind is Kind.NUMBER:
        try:
            return float(raw.replace(" ", "").replace(",", "."))
        except ValueError:
            raise ValueError(_("Type a number.")) from None
    return text if node.kind is Kind.MULTILINE else raw


def check(node: Field, text: str, root: dict[str, Any]) -> str | None:
    """The problem with ``text`` in this field, or None (empty is the form's business)."""
    if not text.strip():
        return _("This field is required.") if node.required and not node.conditional else None
    try:
        value = parse(node, text)
    except ValueError as exc:
        return str(exc)
    return forms.first_problem(node.schema, value, root)


class FieldValidator(Validator):
    """Inline validation of one field as it is typed (Textual ``Input(validators=…)``)."""

    def __init__(self, node: Field, root: dict[str, Any]) -> None:
        super().__init__()
        self.node = node
        self.root = root

    def validate(self, value: str) -> ValidationResult:
        problem = check(self.node, value, self.root)
        return self.failure(problem, value) if problem else self.success()


def form_errors(form: dict[str, Any], data: dict[str, Any]) -> list[dict[str, str]]:
    """Every problem of ``data`` against the whole form, as the portal reports them."""
    # jsonschema (a fifth of a second to import) only once a form is checked:
    # it keeps `monespace tui` quick to start, and most sessions check no form.
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(form, format_checker=forms.format_checker())
    found: dict[tuple[str, str], dict[str, str]] = {}
    for error in validator.iter_errors(data):
        for item in _field_errors(error):
            found[(item["pointer"], item["message"])] = item
    return sorted(found.values(), key=lambda e: e["pointer"])


def _field_errors(error: Any) -> list[dict[str, str]]:
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [p for p in error.validator_value if p not in error.instance]
        return [
            {"pointer": pointer([*path, name]), "message": _("This field is required.")}
            for name in missing
        ]
    if error.validator in ("anyOf", "oneOf") and error.context:
        return _field_errors(max(error.context, key=lambda e: len(e.absolute_path)))
    return [{"pointer": pointer(path), "message": human_message(error)}]


def humanise(
    form: dict[str, Any], data: dict[str, Any], errors: list[dict[str, str]]
) -> list[dict[str, str]]:
    """The portal's errors with the shared human sentence of the same rule, when known.

    The portal words its errors for developers, in English; the same form
    checked here gives the person's sentence (monespace_cli.schema_messages)
    for each pointer it also finds. What only the portal knows is kept as sent.
    """
    local: dict[str, str] = {}
    for error in form_errors(form, data):
        local.setdefault(error["pointer"], error["message"])
    return [
        dict(error, message=local.get(error.get("pointer", ""), error.get("message", "")))
        for error in errors
    ]


def pointer(parts: list[Any] | tuple[Any, ...]) -> str:
    """RFC 6901 pointer of a path (``("works", 0, "amount")`` → ``/works/0/amount``)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def route(errors: list[dict[str, str]], shown: set[str]) -> dict[str, list[str]]:
    """Messages per pointer on screen; unknown pointers go to their nearest shown parent.

    ``""`` collects what belongs to no field (shown at the top of the form).
    """
    routed: dict[str, list[str]] = {}
    for error in errors:
        target = forms.nearest_pointer(error.get("pointer", ""), shown) or ""
        message = error.get("message", "")
        routed.setdefault(target, []).append(message)
    return routed
