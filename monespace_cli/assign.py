"""``path=value`` assignments: ``api -f/-F`` fields and ``dossier new/fill --set``.

One path syntax and one writer for every command taking assignments, so they
behave alike; only the typing of the value differs by command:

- :func:`parse_assignment` cuts at the *first* ``=`` (values may contain
  ``=``); the path must not be empty. Where allowed (``--set``), ``path:=JSON``
  (httpie's syntax) marks the value as raw JSON;
- :func:`parse_path` accepts dotted keys with list indexes
  (``works.0.amount`` or ``works[0].amount``) or a JSON pointer
  (``/works/0/amount``, with ``~1``/``~0`` escapes); ``-`` or ``[]``
  (``works[].amount``) appends, as does an index equal to the list's length;
- :func:`set_path` writes a value at a path into a nested dict, creating the
  objects and lists on the way, and refuses to write through a plain value
  (two assignments that contradict each other are a mistake, not a merge);
- :func:`typed_value` reads a value the way ``gh api -F`` does: ``true``,
  ``false``, ``null``, integers and decimals become JSON values, ``@file``
  reads a file (``@-`` stdin), anything else stays a string; ``--set`` types
  its values from the form's schema instead
  (:func:`monespace_cli.commands.dossier.data_input.coerce`).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from monespace_cli.errors import UsageProblem
from monespace_cli.i18n import _

PathPart = str | int
#: A path part meaning "a new item at the end of this list": ``works.-.amount``, ``works[].amount``.
APPEND = "-"

_INT = re.compile(r"^-?(0|[1-9]\d*)$")
_FLOAT = re.compile(r"^-?(0|[1-9]\d*)\.\d+$")


@dataclass(frozen=True)
class Assignment:
    """One ``path=value``: where, the text given, and whether that text is raw JSON."""

    path: tuple[PathPart, ...]
    raw: str
    is_json: bool = False

    def pointer(self) -> str:
        return to_pointer(self.path)


def parse_assignment(text: str, *, option: str = "--set", json_values: bool = True) -> Assignment:
    """``path=value`` (or ``path:=json`` when ``json_values``) → Assignment.

    ``option`` names the flag in the usage error a malformed text gets.
    """
    if json_values:
        match = re.match(r"^([^=]*?)(:?=)(.*)$", text, re.DOTALL)
        key, sep, value = match.groups() if match else ("", "", "")
    else:
        key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UsageProblem(
            _("{option} needs path=value, got {text!r}.").format(option=option, text=text)
        )
    return Assignment(path=parse_path(key.strip()), raw=value, is_json=sep == ":=")


def to_pointer(path: tuple[PathPart, ...] | list[PathPart]) -> str:
    """RFC 6901 pointer of a path (the API's way of naming a field)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def parse_path(text: str) -> tuple[PathPart, ...]:
    """Dotted/bracketed path or JSON pointer → tuple of keys and indexes."""
    if text.startswith("/"):
        parts = [p.replace("~1", "/").replace("~0", "~") for p in text[1:].split("/")]
        if not all(parts):
            _bad_path(text)
        return tuple(int(p) if p.isdigit() else p for p in parts)
    out: list[PathPart] = []
    for chunk in text.replace("[]", ".-").split("."):
        m = re.fullmatch(r"([^\[\]]*)((?:\[\d+\])*)", chunk)
        if m is None or not (m.group(1) or m.group(2)):
            _bad_path(text)
        key, indexes = m.group(1), m.group(2)
        if key:
            out.append(int(key) if key.isdigit() else key)
        out.extend(int(index) for index in re.findall(r"\[(\d+)\]", indexes))
    return tuple(out)


def _bad_path(text: str) -> NoReturn:
    raise UsageProblem(_("Invalid field path {key!r}.").format(key=text))


def resolve_append(data: Any, path: tuple[PathPart, ...]) -> tuple[PathPart, ...]:
    """Replace each ``-`` (append, as in JSON Patch) by the index after the list's end."""
    out: list[PathPart] = []
    node: Any = data
    for part in path:
        if part == APPEND:
            part = len(node) if isinstance(node, list) else 0
        out.append(part)
        if isinstance(node, dict):
            node = node.get(part) if isinstance(part, str) else None
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(out)


def set_path(data: dict[str, Any], path: tuple[PathPart, ...], value: Any) -> None:
    """Put ``value`` at ``path`` (appends resolved), creating objects and lists on the way."""
    if not path:
        raise UsageProblem(_("An empty field path cannot be set."))
    node: Any = data
    for i, part in enumerate(path):
        last = i == len(path) - 1
        nxt: Any = value if last else ([] if isinstance(path[i + 1], int) else {})
        if isinstance(part, int):
            if not isinstance(node, list):
                raise UsageProblem(
                    _("{path}: not a list.").format(path=to_pointer(path[:i]) or "/")
                )
            if part > len(node):
                raise UsageProblem(
                    _("{path}: index {index} skips items (the list has {n}).").format(
                        path=to_pointer(path[:i]) or "/", index=part, n=len(node)
                    )
                )
            if part == len(node):
                node.append(nxt)
            elif last:
                node[part] = value
        else:
            if not isinstance(node, dict):
                raise UsageProblem(
                    _("{path}: not an object.").format(path=to_pointer(path[:i]) or "/")
                )
            if last or node.get(part) is None:
                node[part] = nxt
        if not last:
            node = node[part]
            if not isinstance(node, list if isinstance(path[i + 1], int) else dict):
                what = _("not a list") if isinstance(path[i + 1], int) else _("not an object")
                raise UsageProblem(f"{to_pointer(path[: i + 1])}: {what}.")


def read_file_value(ref: str) -> str:
    """The text of ``@path`` (``@-`` = stdin); a missing file is a usage error."""
    name = ref[1:]
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageProblem(
            _("Cannot read {path}: {detail}").format(path=name, detail=exc.strerror)
        ) from None


def typed_value(raw: str) -> Any:
    """A value with ``gh api -F`` typing (see the module docstring)."""
    if raw.startswith("@"):
        return read_file_value(raw)
    if raw in ("true", "false"):
        return raw == "true"
    if raw == "null":
        return None
    if _INT.match(raw):
        return int(raw)
    if _FLOAT.match(raw):
        return float(raw)
    return raw


def parse_json_argument(text: str) -> Any:
    """``--data`` text: inline JSON or ``@file``/``@-``; bad JSON is a usage error."""
    source = read_file_value(text) if text.startswith("@") else text
    try:
        return json.loads(source)
    except ValueError as exc:
        raise UsageProblem(_("Invalid JSON: {detail}").format(detail=exc)) from None
