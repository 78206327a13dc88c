"""A procedure's JSON Schema turned into a tree of fields to render.

The portal's forms are JSON Schema 2020-12 with presentation hints beside
the rules (``x-ui`` order/widget/labels/help, ``x-title-en``, ``x-prefill``).
Walking the schema once into :class:`Field` nodes keeps the widgets simple:
each node says which *kind* of input it needs, its title in the user's
language, whether it is required, its choices, and — for fields that only
matter in some cases (``if``/``then`` in the parent) — the conditions under
which it is shown. Arrays keep one *item* template; the rows are made from
it at render time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from monespace_cli import forms
from monespace_cli.i18n import pick_language, schema_title
from tui.forms.conditional import Condition, conditions_of

#: A text longer than this is typed in a multi-line area.
MULTILINE_FROM = 500


class Kind(StrEnum):
    """The input a field needs (one widget class each, see :mod:`tui.forms.widgets`)."""

    TEXT = "text"
    MULTILINE = "multiline"
    DATE = "date"
    AMOUNT = "amount"
    IBAN = "iban"
    INTEGER = "integer"
    NUMBER = "number"
    ENUM = "enum"
    BOOLEAN = "boolean"
    CHOICES = "choices"  # several values from a list (array of enum)
    GROUP = "group"  # nested object
    ARRAY = "array"  # repeatable rows


@dataclass
class Field:
    """One node of a form: a value to type, a group of fields, or repeatable rows."""

    key: str  # property name ("" for the root and for array items)
    kind: Kind
    schema: dict[str, Any]
    title: str
    required: bool = False
    help: str = ""
    options: list[tuple[str, Any]] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)
    item: Field | None = None
    min_items: int = 0
    max_items: int | None = None
    conditions: list[Condition] = field(default_factory=list)

    @property
    def conditional(self) -> bool:
        """Shown only when one of its conditions holds on the parent's data."""
        return bool(self.conditions)

    def walk(self) -> list[Field]:
        """This node and every node below it (array item templates included)."""
        nodes = [self]
        for child in self.children:
            nodes.extend(child.walk())
        if self.item is not None:
            nodes.extend(self.item.walk())
        return nodes


def build(form: dict[str, Any]) -> Field:
    """The field tree of a whole form (the root is a group)."""
    return _node("", forms.resolve_ref(form, form), form, required=True)


def _node(key: str, schema: dict[str, Any], root: dict[str, Any], *, required: bool) -> Field:
    kind = kind_of(schema)
    node = Field(
        key=key,
        kind=kind,
        schema=schema,
        title=schema_title(schema) or key,
        required=required,
        help=_help(schema),
    )
    if kind is Kind.GROUP:
        node.children = _children(schema, root)
    elif kind is Kind.ARRAY:
        items = forms.resolve_ref(schema.get("items") or {}, root)
        node.item = _node("", items, root, required=True)
        node.item.title = node.item.title or node.title  # rows of plain values: the list's title
        node.min_items = int(schema.get("minItems", 0))
        node.max_items = int(schema["maxItems"]) if "maxItems" in schema else None
    elif kind is Kind.CHOICES:
        items = forms.resolve_ref(schema.get("items") or {}, root)
        node.options = _options(items, schema)
    elif kind is Kind.ENUM:
        node.options = _options(schema, schema)
    return node


def _children(schema: dict[str, Any], root: dict[str, Any]) -> list[Field]:
    required = set(schema.get("required") or [])
    conditions = conditions_of(schema, root)
    children = []
    for key, sub in forms.ordered_properties(schema, root):
        child = _node(key, sub, root, required=key in required)
        child.conditions = [] if key in required else conditions.get(key, [])
        children.append(child)
    return children


def kind_of(schema: dict[str, Any]) -> Kind:
    """Which input a sub-schema needs, from its type, format and ``x-ui.widget``."""
    types = forms.schema_types(schema)
    widget = forms.ui_hints(schema).get("widget")
    if "object" in types or ("properties" in schema and not types):
        return Kind.GROUP
    if "array" in types:
        items = schema.get("items")
        if isinstance(items, dict) and isinstance(items.get("enum"), list):
            return Kind.CHOICES
        return Kind.ARRAY
    if (
        isinstance(schema.get("enum"), list)
        or ("const" in schema and "boolean" not in types)
        or _const_branches(schema)
    ):
        return Kind.ENUM
    if "boolean" in types:
        return Kind.BOOLEAN
    if forms.is_date(schema):
        return Kind.DATE
    if forms.is_iban(schema):
        return Kind.IBAN
    if forms.is_amount(schema):
        return Kind.AMOUNT
    if "integer" in types:
        return Kind.INTEGER
    if "number" in types:
        return Kind.NUMBER
    if widget == "textarea" or int(schema.get("maxLength", 0)) >= MULTILINE_FROM:
        return Kind.MULTILINE
    return Kind.TEXT


def _const_branches(schema: dict[str, Any]) -> bool:
    """``oneOf`` of ``{"const", "title"}`` branches: a list of titled choices."""
    branches = schema.get("oneOf")
    return (
        isinstance(branches, list)
        and bool(branches)
        and all(isinstance(b, dict) and "const" in b for b in branches)
    )


def _options(schema: dict[str, Any], labelled: dict[str, Any]) -> list[tuple[str, Any]]:
    """``(label, value)`` pairs: ``x-ui.labels``, else ``oneOf``/``const`` titles, else values."""
    labels = forms.ui_hints(labelled).get("labels") or forms.ui_hints(schema).get("labels") or {}
    values = schema.get("enum")
    if not isinstance(values, list):
        values = [schema["const"]] if "const" in schema else []
    titled = {
        _key(branch["const"]): schema_title(branch)
        for branch in schema.get("oneOf") or []
        if isinstance(branch, dict) and "const" in branch
    }
    if not values and titled:
        values = [b["const"] for b in schema["oneOf"] if isinstance(b, dict) and "const" in b]
    options = []
    for value in values:
        label = labels.get(_key(value)) if isinstance(labels, dict) else None
        text = pick_language(label) if label else titled.get(_key(value)) or _key(value)
        options.append((text, value))
    return options


def _key(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _help(schema: dict[str, Any]) -> str:
    help_text = forms.ui_hints(schema).get("help") or schema.get("description")
    return pick_language(help_text) if help_text else ""
