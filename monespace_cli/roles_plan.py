"""The plan: what must change on the portal for its roles to match a roles file.

Like ``terraform plan``, the plan is computed before anything is written, is
shown to the person (``+`` grant, ``-`` revoke, ``~`` change), and becomes
one ``roles:apply`` change set so the portal applies all of it or nothing.

A role is identified by person, domain and beneficiary (the portal keeps one
role per such key). Level and end date can be changed in place; a different
``on_mandates`` cannot (the API's PATCH does not take it), so that role is
revoked and granted again, shown as ``-`` then ``+``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from monespace_cli.i18n import _
from monespace_cli.roles_file import Assignment, assignment_of_role

GRANT, CHANGE, REVOKE = "grant", "change", "revoke"
_SIGNS = {GRANT: "+", CHANGE: "~", REVOKE: "-"}
_COLOURS = {GRANT: "green", CHANGE: "yellow", REVOKE: "red"}


@dataclass(frozen=True)
class Step:
    """An op, the wanted assignment (grant, change), the current role (change, revoke)."""

    op: str
    wanted: Assignment | None = None
    current: dict[str, Any] | None = None

    @property
    def sign(self) -> str:
        return _SIGNS[self.op]

    @property
    def line(self) -> int:
        """The roles-file line this step comes from (0 for a revoke: it is not in the file)."""
        return self.wanted.line if self.wanted is not None else 0

    def change(self) -> dict[str, Any]:
        """The item of the ``roles:apply`` change set (docs/api.md)."""
        if self.op == GRANT:
            assert self.wanted is not None
            return {"op": GRANT, **_role_fields(self.wanted)}
        assert self.current is not None
        base = {"op": self.op, "id": self.current["id"]}
        base.update(nrn=self.current["nrn"], domain=self.current["domain"])
        if self.current.get("beneficiary"):
            base["beneficiary"] = self.current["beneficiary"]
        if self.op == CHANGE:
            assert self.wanted is not None
            base["level"] = self.wanted.level
            base["valid_until"] = _iso(self.wanted.valid_until)
        return base


def _role_fields(a: Assignment) -> dict[str, Any]:
    fields: dict[str, Any] = {"nrn": a.nrn, "domain": a.domain, "level": a.level}
    fields["valid_until"] = _iso(a.valid_until)
    fields["on_mandates"] = a.on_mandates
    if a.beneficiary:
        fields["beneficiary"] = a.beneficiary
    return fields


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def diff(wanted: list[Assignment], current: list[dict[str, Any]]) -> list[Step]:
    """The steps turning ``current`` (API Roles) into ``wanted``, in a stable order."""
    have = {assignment_of_role(role).key: role for role in current}
    want = {a.key: a for a in wanted}
    steps: list[Step] = []
    for key in sorted(set(have) | set(want), key=lambda k: (k[0], k[1], k[2] or "")):
        steps.extend(_steps_for(want.get(key), have.get(key)))
    return steps


def _steps_for(wanted: Assignment | None, role: dict[str, Any] | None) -> list[Step]:
    if role is None:
        return [Step(GRANT, wanted=wanted)]
    if wanted is None:
        return [Step(REVOKE, current=role)]
    now = assignment_of_role(role)
    if now.on_mandates != wanted.on_mandates:
        return [Step(REVOKE, current=role), Step(GRANT, wanted=wanted)]
    if (now.level, now.valid_until) != (wanted.level, wanted.valid_until):
        return [Step(CHANGE, wanted=wanted, current=role)]
    return []


def change_set(steps: list[Step]) -> list[dict[str, Any]]:
    """The ``changes`` of one ``roles:apply`` request."""
    return [step.change() for step in steps]


def summary(steps: list[Step]) -> str:
    """``Plan: 2 to grant, 1 to change, 0 to revoke.``"""
    counts = {op: sum(1 for s in steps if s.op == op) for op in (GRANT, CHANGE, REVOKE)}
    return _("Plan: {grant} to grant, {change} to change, {revoke} to revoke.").format(**counts)


def render(steps: list[Step], names: dict[str, str], style: Any = None) -> list[str]:
    """The plan as lines for people; ``style(text, colour)`` colours the signs on a terminal."""
    paint = style or (lambda text, *_s: text)
    lines = []
    for step in steps:
        sign = paint(step.sign, _COLOURS[step.op])
        lines.append(f"{sign} {_describe(step, names)}")
    return lines


def _describe(step: Step, names: dict[str, str]) -> str:
    source = step.wanted if step.wanted is not None else assignment_of_role(step.current or {})
    who = f"{source.nrn} ({names[source.nrn]})" if names.get(source.nrn) else source.nrn
    what = f"{source.domain}"
    if source.beneficiary:
        what += " " + _("for {bce}").format(bce=source.beneficiary)
    if step.op == CHANGE:
        assert step.current is not None and step.wanted is not None
        old = assignment_of_role(step.current)
        return f"{who} {what}: {_terms(old)} → {_terms(step.wanted)}"
    return f"{who} {what}: {_terms(source)}"


def _terms(a: Assignment) -> str:
    """``act, until 2027-12-31, on mandates``."""
    parts = [a.level]
    if a.valid_until:
        parts.append(_("until {date}").format(date=a.valid_until.isoformat()))
    else:
        parts.append(_("no end date"))
    if a.on_mandates:
        parts.append(_("on mandates"))
    return ", ".join(parts)
