"""Which column means what: the sheet's columns → beneficiary, form fields, attachments.

Why a mapping file: a firm's export has its own headers ("N° entreprise",
"IBAN client"), and renaming them by hand before every run is where
mistakes come from. ``--map mapping.toml`` says once what each column is::

    beneficiary = "N° entreprise"          # the client's BCE number

    [columns]                              # column → JSON pointer into the form
    "IBAN" = "/iban"
    "Travailleur 1 - NRN" = "/workers/0/nrn"

    [attachments]                          # column holding a file path → attachment kind
    "Test PME" = "sme_check"

    [constants]                            # the same value on every row
    "/is_sme" = true
    "/workers/0/start_date" = "01/09/2026" # converted as a cell would be
    "/sectors" = ["food", "retail"]        # an array: each item converted
    "attachment:sme_check" = "pme.pdf"     # the same file with every row

Without a mapping, the defaults apply: a column ``bce`` (or ``beneficiary``)
holds the BCE number, columns written as JSON pointers (``/iban``) are form
fields, and ``attachment:<kind>`` columns hold file paths. A mapping can mix
both: unmapped pointer columns still count.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monespace_cli.forms import nearest_pointer
from monespace_cli.i18n import N_, _, plural

DEFAULT_BENEFICIARY_COLUMNS = ("bce", "beneficiary", "beneficiaire", "bénéficiaire")
ATTACHMENT_PREFIX = "attachment:"


class MappingError(ValueError):
    """The mapping file is unreadable or says something impossible."""


@dataclass(frozen=True)
class Mapping:
    """What the mapping file says (empty: the defaults only)."""

    beneficiary: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    attachments: dict[str, str] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""


@dataclass(frozen=True)
class ColumnPlan:
    """The meaning of each column of one sheet."""

    beneficiary: str
    fields: dict[str, str]  # column → JSON pointer
    attachments: dict[str, str]  # column → attachment kind
    constants: dict[str, Any]
    ignored: list[str]

    def column_of(self, pointer: str) -> str | None:
        """The column that fills ``pointer`` or its closest parent (for server errors)."""
        by_pointer = {p: c for c, p in self.fields.items()}
        probe = nearest_pointer(pointer, by_pointer)
        return None if probe is None else by_pointer[probe]


def load_mapping(path: Path | None) -> Mapping:
    """The mapping in ``path`` (TOML), or the empty mapping."""
    if path is None:
        return Mapping()
    try:
        raw = path.read_bytes()
        doc = tomllib.loads(raw.decode("utf-8"))
    except OSError as exc:
        raise MappingError(
            _("Cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MappingError(
            _("{path} is not valid TOML: {reason}").format(path=path, reason=exc)
        ) from None
    return _mapping(doc, path, hashlib.sha256(raw).hexdigest())


def _mapping(doc: dict[str, Any], path: Path, digest: str) -> Mapping:
    unknown = set(doc) - {"beneficiary", "columns", "attachments", "constants"}
    if unknown:
        raise MappingError(
            plural(
                len(unknown),
                N_("{path}: unknown key {keys}; allowed: {allowed}."),
                N_("{path}: unknown keys {keys}; allowed: {allowed}."),
            ).format(
                path=path,
                keys=", ".join(sorted(unknown)),
                allowed="beneficiary, columns, attachments, constants",
            )
        )
    beneficiary = doc.get("beneficiary")
    if beneficiary is not None and not isinstance(beneficiary, str):
        raise MappingError(_("{path}: beneficiary must be a column name.").format(path=path))
    columns = _table(doc, "columns", path)
    for column, pointer in columns.items():
        if not isinstance(pointer, str) or not pointer.startswith("/"):
            raise MappingError(
                _("{path}: [columns] {column!r} must map to a JSON pointer such as /iban.").format(
                    path=path, column=column
                )
            )
    attachments = _table(doc, "attachments", path)
    constants = _table(doc, "constants", path)
    for pointer in constants:
        if not pointer.startswith(("/", ATTACHMENT_PREFIX)):
            raise MappingError(
                _(
                    "{path}: [constants] keys are JSON pointers such as /is_sme, "
                    "or attachment:KIND for a file sent with every row."
                ).format(path=path)
            )
    return Mapping(
        beneficiary=beneficiary,
        columns={k: str(v) for k, v in columns.items()},
        attachments={k: str(v) for k, v in attachments.items()},
        constants=dict(constants),
        sha256=digest,
    )


def _table(doc: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    value = doc.get(name, {})
    if not isinstance(value, dict):
        raise MappingError(_("{path}: [{name}] must be a table.").format(path=path, name=name))
    return value


def plan_columns(columns: list[str], mapping: Mapping) -> ColumnPlan:
    """What each column of the sheet is; MappingError when the beneficiary is missing."""
    beneficiary = mapping.beneficiary or _default_beneficiary(columns)
    if beneficiary is None or beneficiary not in columns:
        wanted = mapping.beneficiary or "bce"
        raise MappingError(
            _(
                "No column {name!r} with the beneficiary's BCE number "
                '(name it in the mapping: beneficiary = "…").'
            ).format(name=wanted)
        )
    missing = [c for c in (*mapping.columns, *mapping.attachments) if c not in columns]
    if missing:
        raise MappingError(
            plural(
                len(missing),
                N_("The mapping names a column the file does not have: {columns}."),
                N_("The mapping names columns the file does not have: {columns}."),
            ).format(columns=", ".join(missing))
        )
    fields: dict[str, str] = {}
    attachments: dict[str, str] = {}
    ignored: list[str] = []
    for column in columns:
        if column == beneficiary:
            continue
        if column in mapping.columns:
            fields[column] = mapping.columns[column]
        elif column in mapping.attachments:
            attachments[column] = mapping.attachments[column]
        elif column.startswith("/"):
            fields[column] = column
        elif column.lower().startswith(ATTACHMENT_PREFIX):
            attachments[column] = column[len(ATTACHMENT_PREFIX) :].strip()
        else:
            ignored.append(column)
    return ColumnPlan(beneficiary, fields, attachments, dict(mapping.constants), ignored)


def _default_beneficiary(columns: list[str]) -> str | None:
    for column in columns:
        if column.strip().lower() in DEFAULT_BENEFICIARY_COLUMNS:
            return column
    return None
