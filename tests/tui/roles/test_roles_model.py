"""The pure rules behind the roles screen: cells, expiry, mandate order, trail lines."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monespace_cli.roles_file import DOMAINS, LEVELS
from tui.widgets.roles_grid import build_grid, cell_text, describe_role, is_expired, is_pending
from tui.widgets.roles_history import action_label, describe_change, when
from tui.widgets.roles_mandates import awaits_decision, can_revoke, sort_mandates

DAY = dt.date(2026, 11, 23)


def role(nrn: str, domain: str, level: str = "act", **extra: Any) -> dict[str, Any]:
    return {"id": f"{nrn}-{domain}", "nrn": nrn, "name": f"P{nrn}", "domain": domain,
            "level": level, "valid_from": "2024-01-01", "valid_until": None,
            "on_mandates": False, "beneficiary": None, **extra}  # fmt: skip


def test_people_are_rows_by_name_and_own_roles_come_before_mandate_ones() -> None:
    grid = build_grid(
        [
            {**role("2", "economy", "manage", on_mandates=True), "name": "Zoé"},
            {**role("2", "economy", "consult"), "name": "Zoé"},
            {**role("1", "employment"), "name": "Anne"},
        ]
    )
    assert [p.name for p in grid.people] == ["Anne", "Zoé"]
    assert [r["level"] for r in grid.roles_at("2", "economy")] == ["consult", "manage"]
    assert cell_text(grid.roles_at("2", "economy"), DAY).plain == "consult M:manage"
    assert cell_text(grid.roles_at("1", "economy"), DAY).plain == "·"


def test_an_end_date_is_marked_and_an_expired_role_is_greyed() -> None:
    ending = role("1", "environment", "consult", valid_until="2026-12-31")
    assert cell_text([ending], DAY).plain == "consult*"
    assert not is_expired(ending, DAY) and is_expired(ending, dt.date(2027, 1, 1))
    expired = cell_text([ending], dt.date(2027, 1, 1))
    assert "strike" in str(expired.spans[0].style)
    assert is_expired(ending, dt.date(2027, 1, 1))
    assert describe_role(ending, dt.date(2027, 1, 1)).endswith("expired")
    later = role("1", "housing", valid_from="2027-03-01")
    assert is_pending(later, DAY) and "not yet in force" in describe_role(later, DAY)


@given(
    st.lists(
        st.tuples(st.sampled_from("abc"), st.sampled_from(DOMAINS), st.sampled_from(LEVELS)),
        max_size=20,
    )
)
def test_every_role_lands_in_exactly_one_cell(triples: list[tuple[str, str, str]]) -> None:
    roles = [role(nrn, domain, level) for nrn, domain, level in triples]
    grid = build_grid(roles)
    assert sum(len(cell) for cell in grid.cells.values()) == len(roles)
    assert {p.nrn for p in grid.people} == {nrn for nrn, _, _ in triples}


def mandate(state: str, proposed_by: str, start: str = "2025-01-01") -> dict[str, Any]:
    return {"id": f"{state}-{proposed_by}-{start}", "state": state, "proposed_by": proposed_by,
            "valid_from": start, "beneficiary": {"bce": "0000000097", "name": "B"},
            "mandataire": {"bce": "0856712314", "name": "F"}, "domains": ["economy"]}  # fmt: skip


def test_a_mandate_proposed_by_the_other_side_is_first_and_decidable() -> None:
    us = "0000000097"
    theirs = mandate("proposed", "0856712314")
    ours = mandate("proposed", us)
    active = mandate("active", us, "2020-01-01")
    refused = mandate("refused", "0856712314")
    ordered = sort_mandates([refused, active, ours, theirs], us)
    assert ordered == [theirs, ours, active, refused]
    assert awaits_decision(theirs, us) and not awaits_decision(ours, us)
    assert can_revoke(active) and can_revoke(ours) and not can_revoke(refused)


def test_trail_lines_say_what_changed() -> None:
    old = role("1", "economy", "act")
    new = {**old, "level": "manage", "valid_until": "2027-01-01"}
    entry = {"id": "1", "at": "2026-11-23T16:40:12Z", "action": "role.change",
             "target": "role:1", "old": old, "new": new}  # fmt: skip
    assert (
        describe_change(entry) == "P1 · economy · level act → manage · valid_until — → 2027-01-01"
    )
    local = dt.datetime(2026, 11, 23, 16, 40, 12, tzinfo=dt.UTC).astimezone()
    assert when(entry) == local.strftime("%d/%m/%Y %H:%M")  # as people read it, local time
    assert action_label("role.change") == "role changed"
    granted = {**entry, "action": "role.grant", "old": None, "new": old}
    assert describe_change(granted) == "P1 · economy · act"
    assert action_label("something.new") == "something.new"


def test_role_dates_are_typed_either_way_and_shown_as_people_write_them() -> None:
    from tui.widgets.roles_role_form import display_day, parse_day

    assert parse_day("31/12/2027") == parse_day("2027-12-31") == dt.date(2027, 12, 31)
    assert parse_day("  ") is None
    assert display_day("2027-12-31") == "31/12/2027"
    with pytest.raises(ValueError):
        parse_day("31-31-2027")
