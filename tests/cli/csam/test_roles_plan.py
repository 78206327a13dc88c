"""The plan: + grant, ~ change, - revoke, and the change set the portal receives."""

from __future__ import annotations

import datetime as dt

from monespace_cli.roles_file import Assignment
from monespace_cli.roles_plan import change_set, diff, render, summary

KEVIN, SOPHIE = "93120523305", "83110208625"


def role(id_: int, nrn: str, domain: str, level: str, **extra: object) -> dict[str, object]:
    return {
        "id": id_,
        "nrn": nrn,
        "name": "N" + nrn[:2],
        "domain": domain,
        "level": level,
        "valid_until": None,
        "on_mandates": False,
        "beneficiary": None,
        **extra,
    }


def test_no_difference_no_step() -> None:
    current = [role(1, KEVIN, "economy", "act", valid_until="2027-01-31")]
    wanted = [Assignment(KEVIN, "economy", "act", dt.date(2027, 1, 31))]
    assert diff(wanted, current) == []
    assert summary([]) == "Plan: 0 to grant, 0 to change, 0 to revoke."


def test_grant_change_revoke_and_replace() -> None:
    current = [
        role(1, KEVIN, "economy", "act"),
        role(2, KEVIN, "employment", "manage"),
        role(3, SOPHIE, "health", "consult"),
    ]
    wanted = [
        Assignment(KEVIN, "economy", "manage", dt.date(2027, 1, 31), line=5),
        Assignment(KEVIN, "employment", "manage", on_mandates=True, line=8),
        Assignment(SOPHIE, "housing", "act", line=11),
    ]
    steps = diff(wanted, current)
    assert [(s.op, s.line) for s in steps] == [
        ("revoke", 0),
        ("grant", 11),
        ("change", 5),
        ("revoke", 0),
        ("grant", 8),
    ]
    changes = change_set(steps)
    assert changes[0] == {"op": "revoke", "id": 3, "nrn": SOPHIE, "domain": "health"}
    assert changes[1] == {
        "op": "grant",
        "nrn": SOPHIE,
        "domain": "housing",
        "level": "act",
        "valid_until": None,
        "on_mandates": False,
    }
    assert changes[2]["op"] == "change" and changes[2]["id"] == 1
    assert changes[2]["level"] == "manage" and changes[2]["valid_until"] == "2027-01-31"
    lines = render(steps, {KEVIN: "Kevin Thill"})
    assert lines[0].startswith("- 83110208625 health")
    change = "economy: act, no end date → manage, until 2027-01-31"
    assert lines[2] == f"~ 93120523305 (Kevin Thill) {change}"
    assert lines[4].startswith("+ 93120523305 (Kevin Thill) employment")
    assert summary(steps) == "Plan: 2 to grant, 1 to change, 2 to revoke."


def test_beneficiary_is_part_of_the_key() -> None:
    current = [role(1, KEVIN, "economy", "act", beneficiary="0459811078", on_mandates=True)]
    wanted = [Assignment(KEVIN, "economy", "act")]
    assert [s.op for s in diff(wanted, current)] == ["grant", "revoke"]
