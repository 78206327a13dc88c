"""The roles file: an organisation's CSAM role assignments as reviewable YAML.

``roles export`` writes it, a GAP edits it, ``roles plan`` diffs it against
the portal and ``roles apply`` sends the difference as one atomic change set.
The file is meant to live in version control, so it is written in a stable
order (people by NRN, then domain) with each person's name as a comment::

    # Roles of Ardenne Digital, exported by monespace.
    organisation: "0893450271"
    people:
      # Kevin Thill
      "93120523305":
        - domain: employment
          level: manage
          valid_until: 2027-12-31
        - domain: economy
          level: act
          on_mandates: true
          beneficiary: "0459811078"

The loader works on YAML *nodes*, not on constructed values, for two
reasons: every problem keeps its file line, and numbers such as
``0893450271`` stay text (YAML would read them as integers and lose the
leading zero). It checks everything it can without the portal (syntax, NRN
check digits, domains, levels, dates, duplicates) and reports ALL problems at
once, so a person fixes the file in one go before anything is sent. Unknown
people are the portal's to tell; their errors are mapped back to lines with
:meth:`RolesFile.line_of_change`.

This module imports neither the client nor ``portal``: the domain and level
names are the API contract's (docs/api.md), repeated here on purpose.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from monespace_cli.dates import DateError, parse_day
from monespace_cli.i18n import _

#: CSAM domains of docs/api.md (procedure ``domain``).
DOMAINS = (
    "employment",
    "economy",
    "housing",
    "environment",
    "planning",
    "health",
    "nature",
    "animals",
    "non_profit",
)
#: Role levels, weakest first.
LEVELS = ("consult", "act", "manage")
_ENTRY_KEYS = ("domain", "level", "valid_until", "on_mandates", "beneficiary")
_TRUE = ("true", "yes", "on")
_FALSE = ("false", "no", "off")
_NULL = ("", "~", "null", "none")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the file, at a 1-based line (0 when the file as a whole)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class RolesFileError(Exception):
    """The file cannot be used; ``problems`` lists every reason with its line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Assignment:
    """One role the file wants: a person, a domain, a level, on whose behalf."""

    nrn: str
    domain: str
    level: str
    valid_until: dt.date | None = None
    on_mandates: bool = False
    beneficiary: str | None = None
    line: int = 0

    @property
    def key(self) -> tuple[str, str, str | None]:
        """What identifies a role on the portal (one role per key)."""
        return (self.nrn, self.domain, self.beneficiary)


@dataclass
class RolesFile:
    """A loaded roles file: the organisation and the assignments wanted."""

    organisation: str
    assignments: list[Assignment] = field(default_factory=list)


# -- checks shared with the commands ------------------------------------------------


def nrn_ok(text: str) -> bool:
    """A national register number as the portal checks it, given as 11 digits."""
    import be_identifiers

    return bool(re.fullmatch(r"\d{11}", text)) and be_identifiers.is_valid_nrn(text)


def bce_ok(text: str) -> bool:
    """An enterprise number as the portal checks it, given as 10 digits."""
    import be_identifiers

    return bool(re.fullmatch(r"[01]\d{9}", text)) and be_identifiers.is_valid_bce(text)


def clean_number(text: str) -> str:
    """Digits only: ``0893.450.271`` and ``BE 0893 450 271`` become ``0893450271``."""
    cleaned = re.sub(r"[\s.\-/]", "", text.strip())
    return cleaned[2:] if cleaned.upper().startswith("BE") else cleaned


# -- loading ------------------------------------------------------------------------


def load(text: str) -> RolesFile:
    """Parse and check a roles file; :class:`RolesFileError` with every problem found."""
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        reason = getattr(exc, "problem", None) or str(exc)
        raise RolesFileError(
            [Problem(line, _("YAML syntax error: {reason}").format(reason=reason))]
        ) from None
    return _Reader().read(root)


class _Reader:
    """Walks the node tree once, collecting problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, node: Any, message: str) -> None:
        self.problems.append(Problem(_line(node), message))

    def read(self, root: Any) -> RolesFile:
        import yaml

        if not isinstance(root, yaml.MappingNode):
            message = _("The file must be a mapping with organisation and people.")
            raise RolesFileError([Problem(_line(root), message)])
        top = self._mapping(root, ("organisation", "people"))
        organisation = self._organisation(top.get("organisation"), root)
        assignments = self._people(top.get("people"), root)
        self._duplicates(assignments)
        if self.problems:
            raise RolesFileError(sorted(self.problems, key=lambda p: p.line))
        return RolesFile(organisation, assignments)

    def _mapping(self, node: Any, allowed: tuple[str, ...]) -> dict[str, Any]:
        """The mapping's keys → value nodes; unknown and repeated keys are problems."""
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if key is None or key not in allowed:
                self.fail(key_node, _("Unknown key {key!r}.").format(key=_text(key_node)))
            elif key in out:
                self.fail(key_node, _("Key {key!r} given twice.").format(key=key))
            else:
                out[key] = value_node
        return out

    def _organisation(self, node: Any, root: Any) -> str:
        if node is None:
            self.fail(root, _("The organisation (its BCE number) is missing."))
            return ""
        text = clean_number(_scalar(node) or "")
        if not bce_ok(text):
            message = _("{value!r} is not a valid BCE number.").format(value=_text(node))
            self.fail(node, message)
        return text

    def _people(self, node: Any, root: Any) -> list[Assignment]:
        import yaml

        if node is None or _is_null(node):
            return []
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, _("people must map NRNs to lists of roles."))
            return []
        out: list[Assignment] = []
        seen: set[str] = set()
        for key_node, entries in node.value:
            nrn = clean_number(_scalar(key_node) or "")
            if not nrn_ok(nrn):
                message = _("{value!r} is not a valid national register number.")
                self.fail(key_node, message.format(value=_text(key_node)))
                continue
            if nrn in seen:
                self.fail(key_node, _("Person {nrn} listed twice.").format(nrn=nrn))
            seen.add(nrn)
            out.extend(self._entries(nrn, entries))
        return out

    def _entries(self, nrn: str, node: Any) -> list[Assignment]:
        import yaml

        if _is_null(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, _("The roles of {nrn} must be a list.").format(nrn=nrn))
            return []
        out = []
        for item in node.value:
            assignment = self._entry(nrn, item)
            if assignment is not None:
                out.append(assignment)
        return out

    def _entry(self, nrn: str, node: Any) -> Assignment | None:
        import yaml

        if not isinstance(node, yaml.MappingNode):
            self.fail(node, _("A role must be a mapping with domain and level."))
            return None
        before = len(self.problems)
        fields = self._mapping(node, _ENTRY_KEYS)
        domain = self._choice(fields.get("domain"), node, "domain", DOMAINS)
        level = self._choice(fields.get("level"), node, "level", LEVELS)
        until = self._date(fields.get("valid_until"))
        on_mandates = self._flag(fields.get("on_mandates"))
        beneficiary = self._beneficiary(fields.get("beneficiary"))
        if len(self.problems) > before:
            return None
        return Assignment(nrn, domain, level, until, on_mandates, beneficiary, _line(node))

    def _choice(self, node: Any, parent: Any, name: str, allowed: tuple[str, ...]) -> str:
        if node is None:
            self.fail(parent, _("The role has no {name}.").format(name=name))
            return ""
        value = _scalar(node)
        if value not in allowed:
            message = _("Unknown {name} {value!r} (one of: {allowed}).")
            self.fail(
                node, message.format(name=name, value=_text(node), allowed=", ".join(allowed))
            )
            return ""
        return value

    def _date(self, node: Any) -> dt.date | None:
        if node is None or _is_null(node):
            return None
        text = _scalar(node) or ""
        try:
            return parse_day(text)
        except DateError as exc:
            self.fail(node, str(exc))
            return None

    def _flag(self, node: Any) -> bool:
        if node is None:
            return False
        text = (_scalar(node) or "").lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        self.fail(node, _("on_mandates must be true or false."))
        return False

    def _beneficiary(self, node: Any) -> str | None:
        if node is None or _is_null(node):
            return None
        text = clean_number(_scalar(node) or "")
        if not bce_ok(text):
            message = _("{value!r} is not a valid BCE number.").format(value=_text(node))
            self.fail(node, message)
            return None
        return text

    def _duplicates(self, assignments: list[Assignment]) -> None:
        first: dict[tuple[str, str, str | None], Assignment] = {}
        for a in assignments:
            if a.key in first:
                message = _("Duplicate role: {nrn} already has {domain} on line {line}.")
                self.problems.append(
                    Problem(
                        a.line,
                        message.format(nrn=a.nrn, domain=a.domain, line=first[a.key].line),
                    )
                )
            else:
                first[a.key] = a


def _line(node: Any) -> int:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else 0


def _scalar(node: Any) -> str | None:
    """The text of a scalar node; None for a mapping or a list."""
    import yaml

    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def _text(node: Any) -> str:
    """What to quote in a message: the scalar, or a short word for a structure."""
    value = _scalar(node)
    if value is None:
        return "[…]" if type(node).__name__ == "SequenceNode" else "{…}"
    return value[:60]


def _is_null(node: Any) -> bool:
    import yaml

    return isinstance(node, yaml.ScalarNode) and not node.style and node.value.lower() in _NULL


# -- writing ----------------------------------------------------------------------


def assignment_of_role(role: Mapping[str, Any]) -> Assignment:
    """The file form of an API Role."""
    until = role.get("valid_until")
    return Assignment(
        nrn=str(role["nrn"]),
        domain=str(role["domain"]),
        level=str(role["level"]),
        valid_until=dt.date.fromisoformat(str(until)[:10]) if until else None,
        on_mandates=bool(role.get("on_mandates")),
        beneficiary=role.get("beneficiary") or None,
    )


def dump(organisation: str, name: str, roles: Sequence[Mapping[str, Any]]) -> str:
    """The roles file text for an organisation's API Roles (stable order, names as comments)."""
    lines = [
        "# " + _("Roles of {name}, exported by monespace.").format(name=_one_line(name)),
        "# " + _("Edit, then: monespace roles plan -f FILE; monespace roles apply -f FILE"),
        f'organisation: "{organisation}"',
    ]
    by_person: dict[str, list[Mapping[str, Any]]] = {}
    for role in sorted(roles, key=lambda r: (r["nrn"], r["domain"], r.get("beneficiary") or "")):
        by_person.setdefault(str(role["nrn"]), []).append(role)
    if not by_person:
        lines.append("people: {}")
        return "\n".join(lines) + "\n"
    lines.append("people:")
    for nrn, person_roles in by_person.items():
        lines.append(f"  # {_one_line(str(person_roles[0].get('name') or ''))}")
        lines.append(f'  "{nrn}":')
        for role in person_roles:
            lines.extend(_entry_lines(assignment_of_role(role)))
    return "\n".join(lines) + "\n"


def _entry_lines(a: Assignment) -> list[str]:
    out = [f"    - domain: {a.domain}", f"      level: {a.level}"]
    if a.valid_until is not None:
        out.append(f"      valid_until: {a.valid_until.isoformat()}")
    if a.on_mandates:
        out.append("      on_mandates: true")
    if a.beneficiary:
        out.append(f'      beneficiary: "{a.beneficiary}"')
    return out


def _one_line(text: str) -> str:
    """A name safe inside a YAML comment (no line breaks)."""
    return " ".join(text.split())
