"""A sheet record → (beneficiary BCE, dossier data, attachments), with every problem.

Why one function collects all problems instead of raising the first: the
dry run must tell the accountant everything that is wrong in one pass (row,
column, reason), so the file is fixed once, not once per error.

Two levels of checks:

- :func:`build_row` — what any run needs: the BCE is a valid number, each
  cell can be the value its field wants (:mod:`monespace_cli.bulk.coerce`),
  each attachment path is a readable file;
- :func:`validate_row` — the dry run's extra: the data against the form's
  JSON Schema. Fields the portal prefills from the authentic sources
  (``x-prefill``) are not required here, since the portal fills them in.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import be_identifiers
from monespace_cli.bulk.coerce import CellError, coerce_cell
from monespace_cli.bulk.mapping import ATTACHMENT_PREFIX, ColumnPlan
from monespace_cli.bulk.records import Record
from monespace_cli.forms import format_checker as shared_format_checker
from monespace_cli.forms import schema_message
from monespace_cli.i18n import _


@dataclass(frozen=True)
class RowError:
    """One problem: the spreadsheet row, the column (or field), the reason."""

    row: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass(frozen=True)
class AttachmentFile:
    """A file to attach: its kind, path and content digest (to detect duplicates)."""

    kind: str
    path: str
    sha256: str


@dataclass
class Row:
    """A record ready to file (when ``errors`` is empty)."""

    row: int
    bce: str
    data: dict[str, Any]
    attachments: list[AttachmentFile]
    errors: list[RowError] = field(default_factory=list)


def normalise_bce(text: str) -> str:
    """``BE 0641.238.591`` → ``0641238591`` (nothing else is changed)."""
    return be_identifiers.compact_bce(str(text))


#: The portal's rule (one implementation for CLI, TUI and portal).
is_valid_bce = be_identifiers.is_valid_bce


def build_row(record: Record, plan: ColumnPlan, form: dict[str, Any], base: Path) -> Row:
    """The row's beneficiary, data and attachments; its problems in ``errors``."""
    errors: list[RowError] = []
    bce = normalise_bce(str(record.values.get(plan.beneficiary) or ""))
    if not bce:
        errors.append(RowError(record.row, plan.beneficiary, _("the BCE number is missing")))
    elif not is_valid_bce(bce):
        errors.append(
            RowError(
                record.row,
                plan.beneficiary,
                _("{value!r} is not a valid BCE number").format(
                    value=record.values.get(plan.beneficiary)
                ),
            )
        )
    data: dict[str, Any] = {}
    for pointer, value in plan.constants.items():
        if pointer.startswith(ATTACHMENT_PREFIX):
            continue  # a file for every row: see _attachments
        try:
            _put(data, pointer, coerce_constant(value, schema_at(form, pointer)))
        except CellError as exc:
            errors.append(RowError(record.row, f"[constants] {pointer}", str(exc)))
    for column, pointer in plan.fields.items():
        raw = record.values.get(column)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue  # empty cell: left to the prefill, or reported as missing
        try:
            _put(data, pointer, coerce_cell(raw, schema_at(form, pointer)))
        except CellError as exc:
            errors.append(RowError(record.row, column, str(exc)))
    attachments = _attachments(record, plan, base, errors)
    return Row(record.row, bce, data, attachments, errors)


def _attachments(
    record: Record, plan: ColumnPlan, base: Path, errors: list[RowError]
) -> list[AttachmentFile]:
    files: list[AttachmentFile] = []
    wanted = [(col, kind, record.values.get(col)) for col, kind in plan.attachments.items()]
    wanted += [
        (f"[constants] {key}", key.removeprefix(ATTACHMENT_PREFIX), value)
        for key, value in plan.constants.items()
        if key.startswith(ATTACHMENT_PREFIX)
    ]
    for column, kind, value in wanted:
        raw = str(value or "").strip()
        if not raw:
            continue
        path = Path(raw).expanduser()
        path = path if path.is_absolute() else base / path
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            reason = _("cannot read {path}: {reason}").format(path=raw, reason=exc.strerror or exc)
            errors.append(RowError(record.row, column, reason))
            continue
        files.append(AttachmentFile(kind, str(path), digest))
    return files


def coerce_constant(value: Any, schema: dict[str, Any] | None) -> Any:
    """A mapping constant converted as a cell would be (``"01/09/2026"``, ``"0,5"``,
    ``"2 450,00"``); an array converts each item with the array's item schema."""
    if isinstance(value, list):
        items = (schema or {}).get("items")
        return [coerce_constant(v, items if isinstance(items, dict) else None) for v in value]
    if isinstance(value, str) and schema is not None:
        return coerce_cell(value, schema)
    return value


def _put(data: dict[str, Any], pointer: str, value: Any) -> None:
    """Set ``value`` at a JSON pointer, making objects and lists on the way."""
    parts = _parts(pointer)
    node: Any = data
    for here, after in itertools.pairwise(parts):
        child: Any = [] if after.isdigit() else {}
        node = _child(node, here, child)
    last = parts[-1]
    if isinstance(node, list):
        index = int(last)
        node.extend([None] * (index + 1 - len(node)))
        node[index] = value
    else:
        node[last] = value


def _child(node: Any, key: str, empty: Any) -> Any:
    if isinstance(node, list):
        index = int(key)
        node.extend([None] * (index + 1 - len(node)))
        if node[index] is None:
            node[index] = empty
        return node[index]
    return node.setdefault(key, empty)


def _parts(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]


def schema_at(form: dict[str, Any], pointer: str) -> dict[str, Any] | None:
    """The sub-schema at a JSON pointer of the data (None: the form has no such field)."""
    node: Any = form
    for part in _parts(pointer):
        if not isinstance(node, dict):
            return None
        if part.isdigit() and isinstance(node.get("items"), dict):
            node = node["items"]
        else:
            node = (node.get("properties") or {}).get(part)
    return node if isinstance(node, dict) else None


# --- validation against the form (dry run) -----------------------------------


def validate_row(row: Row, form: dict[str, Any], plan: ColumnPlan) -> list[RowError]:
    """Problems of the row's data against the form, prefilled fields not required."""
    from jsonschema import Draft202012Validator

    schema = without_prefilled_requirements(form)
    validator = Draft202012Validator(schema, format_checker=format_checker())
    errors: list[RowError] = []
    for error in validator.iter_errors(row.data):
        for pointer, reason in _problems(error):
            column = plan.column_of(pointer) or pointer
            errors.append(
                RowError(row.row, column, reason if column == pointer else f"{pointer}: {reason}")
            )
    unique = {(e.column, e.reason): e for e in errors}
    return list(unique.values())


def _problems(error: Any) -> list[tuple[str, str]]:
    path = [str(p) for p in error.absolute_path]
    pointer = "/" + "/".join(path) if path else "/"
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [p for p in error.validator_value if p not in error.instance]
        base = pointer.rstrip("/")
        return [(f"{base}/{name}", _("this field is required")) for name in missing]
    return [(pointer, schema_message(error))]


def without_prefilled_requirements(form: dict[str, Any]) -> dict[str, Any]:
    """A copy of the form where fields the portal prefills are no longer required."""
    schema = copy.deepcopy({k: v for k, v in form.items() if k != "$schema"})
    _relax(schema)
    return schema


def _relax(node: Any) -> bool:
    """Relax ``node`` in place; True when the portal can fill the whole of it."""
    if not isinstance(node, dict):
        return False
    if "x-prefill" in node:
        return True
    properties = node.get("properties")
    if not isinstance(properties, dict):
        if isinstance(node.get("items"), dict):
            _relax(node["items"])
        return False
    fillable = {name for name, sub in properties.items() if _relax(sub)}
    required = node.get("required")
    if isinstance(required, list):
        node["required"] = [name for name in required if name not in fillable]
        return not node["required"] and bool(fillable)
    return bool(fillable)


def format_checker() -> Any:
    """The portal's own format checks (one implementation, shared with the TUI)."""
    return shared_format_checker()
