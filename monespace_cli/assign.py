"""``key=value`` arguments: ``api -f/-F`` fields and ``dossier --set path=value``.

One parser for every command taking assignments, so they behave alike:

- :func:`split_assignment` cuts at the *first* ``=`` (values may contain
  ``=``); the key must not be empty;
- :func:`typed_value` reads a value the way ``gh api -F`` does: ``true``,
  ``false``, ``null``, integers and decimals become JSON values, ``@file``
  reads a file (``@-`` stdin), anything else stays a string; amounts such as
  ``"37.18"`` should be passed with ``-f``/as strings when the API wants
  strings;
- :func:`key_path` accepts dotted keys (``applicant.iban``) or JSON pointers
  (``/applicant/iban``, with ``~1``/``~0`` escapes); digits address array
  items (``children.0.name``) and ``-``/``[]`` appends;
- :func:`assign` writes a value at a path into a nested dict, creating the
  objects and arrays on the way.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from monespace_cli.errors import UsageProblem
from monespace_cli.i18n import _

_INT = re.compile(r"^-?(0|[1-9]\d*)$")
_FLOAT = re.compile(r"^-?(0|[1-9]\d*)\.\d+$")


def split_assignment(text: str) -> tuple[str, str]:
    """``"a.b=x=y"`` → ``("a.b", "x=y")``; a missing ``=`` or empty key is a usage error."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UsageProblem(_("Expected key=value, got {text!r}.").format(text=text))
    return key.strip(), value


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


def key_path(key: str) -> list[str]:
    """Split a dotted key or a JSON pointer into its parts."""
    if key.startswith("/"):
        parts = [p.replace("~1", "/").replace("~0", "~") for p in key[1:].split("/")]
    else:
        parts = key.replace("[]", ".-").split(".")
    if not parts or any(p == "" for p in parts):
        raise UsageProblem(_("Invalid field path {key!r}.").format(key=key))
    return parts


def assign(target: dict[str, Any], path: list[str], value: Any) -> None:
    """Set ``value`` at ``path`` inside ``target``, creating containers as needed."""
    node: Any = target
    for index, part in enumerate(path):
        last = index == len(path) - 1
        nxt = None if last else path[index + 1]
        fresh: Any = [] if nxt is not None and (nxt.isdigit() or nxt == "-") else {}
        if isinstance(node, dict):
            if last:
                node[part] = value
            else:
                if not isinstance(node.get(part), dict | list):
                    node[part] = fresh
                node = node[part]
        elif isinstance(node, list):
            if part == "-":
                position = len(node)
            elif part.isdigit():
                position = int(part)
            else:
                raise UsageProblem(
                    _("{part!r} is not an array index in {path}.").format(
                        part=part, path=".".join(path)
                    )
                )
            if position > len(node):
                raise UsageProblem(
                    _("Array index {index} is past the end in {path}.").format(
                        index=position, path=".".join(path)
                    )
                )
            if position == len(node):
                node.append(value if last else fresh)
            elif last:
                node[position] = value
            if not last:
                if not isinstance(node[position], dict | list):
                    node[position] = fresh
                node = node[position]
        else:
            raise UsageProblem(
                _("Cannot set {path}: {part!r} is inside a plain value.").format(
                    path=".".join(path), part=part
                )
            )


def parse_json_argument(text: str) -> Any:
    """``--data`` text: inline JSON or ``@file``/``@-``; bad JSON is a usage error."""
    source = read_file_value(text) if text.startswith("@") else text
    try:
        return json.loads(source)
    except ValueError as exc:
        raise UsageProblem(_("Invalid JSON: {detail}").format(detail=exc)) from None
