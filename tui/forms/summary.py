"""What will be sent, as lines a person reads before confirming a submit."""

from __future__ import annotations

from typing import Any

from monespace_cli.i18n import _
from tui.forms.widgets import (
    UNSET,
    ArrayField,
    BooleanField,
    ChoicesField,
    EnumField,
    FieldWidget,
    GroupField,
    MultilineField,
    TextField,
    option_label,
)

_LONG = 60


def summary_lines(group: GroupField, depth: int = 0) -> list[str]:
    """One line a filled field, indented by group; hidden and empty fields left out."""
    lines: list[str] = []
    for widget in group.fields():
        if widget.display:
            lines.extend(_lines(widget, depth))
    return lines


def _lines(widget: FieldWidget, depth: int) -> list[str]:
    pad = "  " * depth
    if isinstance(widget, GroupField):
        inner = summary_lines(widget, depth + 1)
        return [f"{pad}{widget.node.title}", *inner] if inner else []
    if isinstance(widget, ArrayField):
        lines = [f"{pad}{widget.node.title}"]
        for row in widget.rows():
            lines.append(f"{pad}  {row.index + 1}.")
            if isinstance(row.field, GroupField):
                lines.extend(summary_lines(row.field, depth + 2))
            else:
                lines.extend(_lines(row.field, depth + 2))
        return lines
    value = widget.value()
    if value is UNSET:
        return []
    return [f"{pad}{widget.node.title}: {shown_value(widget, value)}"]


def shown_value(widget: FieldWidget, value: Any) -> str:
    """A value as the form shows it (labels for choices, yes/no, tidy dates)."""
    if isinstance(widget, EnumField):
        return option_label(widget.node, value)
    if isinstance(widget, ChoicesField):
        return ", ".join(option_label(widget.node, v) for v in value)
    if isinstance(widget, BooleanField):
        return _("yes") if value else _("no")
    if isinstance(widget, MultilineField):
        text = " ".join(str(value).split())
        return text if len(text) <= _LONG else text[: _LONG - 1] + "…"
    if isinstance(widget, TextField):
        return widget.text_of(value)
    return str(value)
