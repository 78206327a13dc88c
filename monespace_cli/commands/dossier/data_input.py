"""Dossier data from the command line: ``--data FILE``, ``--set path=value``.

Pure functions (no I/O but reading the named file), shared by ``dossier new``
and ``dossier fill``. Values are typed from the procedure's JSON Schema when
it is known, so ``--set applicant.postal_code=4000`` stays the string the form
wants while ``--set works.0.amount=1250`` becomes a number; ``path:=JSON``
(httpie's syntax) gives a raw JSON value whatever the schema says.

Paths, the ``path=value`` syntax and writing into the data are
:mod:`monespace_cli.assign`'s, shared with ``api -f/-F``; this module adds
the typing from the schema.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, TextIO

from monespace_cli.assign import PathPart, parse_assignment, resolve_append, set_path, to_pointer
from monespace_cli.commands._shared.input_files import existing_file
from monespace_cli.errors import UsageProblem
from monespace_cli.forms import parse_date, resolve_ref, schema_types
from monespace_cli.i18n import _
from monespace_cli.schema_messages import type_sentence


def schema_at(form: dict[str, Any] | None, path: tuple[PathPart, ...]) -> dict[str, Any] | None:
    """The sub-schema describing ``path`` in ``form`` (None when unknown)."""
    if not form:
        return None
    node: dict[str, Any] | None = resolve_ref(form, form)
    for part in path:
        if node is None:
            return None
        if isinstance(part, int):
            items = node.get("items")
            node = resolve_ref(items, form) if isinstance(items, dict) else None
        else:
            node = _property(node, part, form)
    return node


def _property(node: dict[str, Any], key: str, root: dict[str, Any]) -> dict[str, Any] | None:
    """A property's schema, also looking into allOf/then/else branches."""
    props = node.get("properties")
    if isinstance(props, dict) and isinstance(props.get(key), dict):
        return resolve_ref(props[key], root)
    for branch_key in ("allOf", "anyOf", "oneOf"):
        for branch in node.get(branch_key) or []:
            if isinstance(branch, dict):
                found = _property(resolve_ref(branch, root), key, root)
                if found is not None:
                    return found
    for branch_key in ("then", "else"):
        branch = node.get(branch_key)
        if isinstance(branch, dict):
            found = _property(resolve_ref(branch, root), key, root)
            if found is not None:
                return found
    return None


#: Yes and no as people type them in the CLI's languages (German: "j/n", "ja/nein").
TRUE_WORDS = {"true", "yes", "y", "oui", "o", "ja", "j", "1", "on"}
FALSE_WORDS = {"false", "no", "n", "non", "nein", "0", "off"}


def coerce(
    raw: str, schema: dict[str, Any] | None, *, is_json: bool = False, where: str = ""
) -> Any:
    """The JSON value for ``raw`` as the schema types it (raw JSON with ``:=``)."""
    if is_json:
        try:
            return json.loads(raw)
        except ValueError:
            raise UsageProblem(
                _("{where}: {raw!r} is not valid JSON.").format(where=where or "--set", raw=raw)
            ) from None
    types = schema_types(schema)
    if not types:
        return _guess(raw)
    if "string" in types:
        return _string(raw, schema or {}, where)
    if "boolean" in types and raw.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return raw.strip().lower() in TRUE_WORDS
    if "integer" in types:
        try:
            return int(raw.strip())
        except ValueError:
            pass
    if "number" in types:
        try:
            number = float(raw.strip().replace(",", "."))
        except ValueError:
            pass
        else:
            return (
                int(number) if number.is_integer() and "." not in raw and "," not in raw else number
            )
    if "null" in types and raw.strip().lower() in ("", "null"):
        return None
    if types & {"array", "object"}:
        return coerce(raw, None, is_json=True, where=where)
    raise UsageProblem(
        _("{where}: {raw!r} is not accepted. {what}").format(
            where=where or "--set", raw=raw, what=type_sentence(sorted(types))
        )
    )


def _string(raw: str, schema: dict[str, Any], where: str) -> str:
    """A string value; a date as people type it (``14/03/2020``) becomes the ISO date."""
    if schema.get("format") != "date":
        return raw
    try:
        return parse_date(raw)
    except ValueError as exc:
        raise UsageProblem(f"{where or '--set'}: {exc}") from None


def _guess(raw: str) -> Any:
    """Without a schema: numbers, true/false/null and JSON literals; else the string."""
    text = raw.strip()
    if (
        text in ("true", "false", "null")
        or re.fullmatch(r"-?\d+(\.\d+)?", text)
        or text[:1] in "[{"
    ):
        try:
            return json.loads(text)
        except ValueError:
            return raw
    return raw


def apply_assignments(
    data: dict[str, Any], assignments: list[str], form: dict[str, Any] | None
) -> dict[str, Any]:
    """Apply every ``--set`` in order to a copy of ``data``."""
    out = json.loads(json.dumps(data))
    for text in assignments:
        assignment = parse_assignment(text)
        path = resolve_append(out, assignment.path)
        schema = schema_at(form, path)
        value = coerce(assignment.raw, schema, is_json=assignment.is_json, where=to_pointer(path))
        set_path(out, path, value)
    return out


def _yaml_loader() -> Any:
    """A safe YAML loader that keeps dates as strings (the API wants ``YYYY-MM-DD`` text)."""
    import yaml  # loaded when data is read or edited, not on ``dossier --help``

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader


def parse_data_text(text: str, source: str) -> dict[str, Any]:
    """JSON or YAML text → a data object; a clear error otherwise."""
    try:
        value = json.loads(text)
    except ValueError:
        import yaml  # only for text that is not JSON

        try:
            value = yaml.load(text, Loader=_yaml_loader())  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark is not None else ""
            raise UsageProblem(
                _("{source} is neither JSON nor YAML{where}.").format(source=source, where=where)
            ) from None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise UsageProblem(_("{source} must hold an object (field: value).").format(source=source))
    return value


def load_data(source: str, stdin: TextIO) -> dict[str, Any]:
    """The data object from ``--data FILE`` or ``--data -`` (stdin)."""
    if source == "-":
        return parse_data_text(stdin.read(), _("standard input"))
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageProblem(_("No such file: {path}").format(path=source)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageProblem(
            _("Cannot read {path}: {detail}").format(path=source, detail=exc)
        ) from None
    return parse_data_text(text, source)


def parse_attach(text: str) -> tuple[str, Path]:
    """``kind=FILE`` → (kind, path); the file must exist."""
    kind, sep, name = text.partition("=")
    if not sep or not kind or not name:
        raise UsageProblem(_("--attach needs kind=FILE, got {text!r}.").format(text=text))
    return kind, existing_file(name)
