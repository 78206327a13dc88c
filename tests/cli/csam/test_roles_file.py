"""The roles file loader: every problem at once, with its line; never a crash."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monespace_cli import roles_file
from monespace_cli.roles_file import Assignment, RolesFileError, load

GOOD = textwrap.dedent(
    """\
    # Roles of Ardenne Digital
    organisation: "0893450271"
    people:
      # Kevin Thill
      "93120523305":
        - domain: employment
          level: manage
        - domain: economy
          level: act
          valid_until: 2027-12-31
      83110208625:
        - domain: environment
          level: consult
          on_mandates: true
          beneficiary: 0459811078
    """
)


def test_a_good_file_loads_with_lines() -> None:
    loaded = load(GOOD)
    assert loaded.organisation == "0893450271"
    assert loaded.assignments == [
        Assignment("93120523305", "employment", "manage", None, False, None, 6),
        Assignment("93120523305", "economy", "act", dt.date(2027, 12, 31), False, None, 8),
        Assignment("83110208625", "environment", "consult", None, True, "0459811078", 12),
    ]


def test_every_problem_is_reported_at_once_with_its_line() -> None:
    text = textwrap.dedent(
        """\
        organisation: "0893450271"
        people:
          "93120523306":
            - domain: employment
              level: manage
          "83110208625":
            - domain: space
              level: act
            - domain: economy
              level: boss
              valid_until: 2027-02-30
            - domain: housing
              level: act
            - domain: housing
              level: consult
        """
    )
    with pytest.raises(RolesFileError) as caught:
        load(text)
    found = [(p.line, p.message) for p in caught.value.problems]
    assert [line for line, _m in found] == [3, 7, 10, 11, 14]
    assert "93120523306" in found[0][1] and "national register" in found[0][1]
    assert "space" in found[1][1]
    assert "boss" in found[2][1]
    assert "2027-02-30" in found[3][1]
    assert "Duplicate" in found[4][1] and "line 12" in found[4][1]


def test_yaml_syntax_error_has_its_line() -> None:
    with pytest.raises(RolesFileError) as caught:
        load('organisation: "0893450271"\npeople:\n  "x": [\n')
    (problem,) = caught.value.problems
    assert problem.line >= 3 and "YAML" in problem.message


def test_bad_organisation_and_unknown_keys() -> None:
    text = 'organisation: "0893450272"\nmembers: {}\n'
    with pytest.raises(RolesFileError) as caught:
        load(text)
    assert [p.line for p in caught.value.problems] == [1, 2]


def test_dump_then_load_is_the_same_roles() -> None:
    roles = [
        {
            "id": 2,
            "nrn": "93120523305",
            "name": "Kevin\nThill",
            "domain": "economy",
            "level": "act",
            "valid_until": "2027-12-31",
            "on_mandates": False,
            "beneficiary": None,
        },
        {
            "id": 1,
            "nrn": "83110208625",
            "name": "Sophie Lejeune",
            "domain": "health",
            "level": "consult",
            "valid_until": None,
            "on_mandates": True,
            "beneficiary": "0459811078",
        },
    ]
    text = roles_file.dump("0893450271", "Ardenne Digital", roles)
    assert "# Kevin Thill" in text and "# Sophie Lejeune" in text
    loaded = load(text)
    assert [a.key for a in loaded.assignments] == [
        ("83110208625", "health", "0459811078"),
        ("93120523305", "economy", None),
    ]
    assert loaded.assignments[1].valid_until == dt.date(2027, 12, 31)
    assert loaded.assignments[0].on_mandates is True


def test_empty_people_is_no_roles() -> None:
    assert load('organisation: "0893450271"\npeople: {}\n').assignments == []
    text = roles_file.dump("0893450271", "X", [])
    assert load(text).assignments == []


yaml_ish = st.text(
    alphabet=st.sampled_from(list("abcdelmnoprstuy:-\"'#[]{},&*!|>%@` \n\t0123456789._")),
    max_size=200,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), yaml_ish, st.builds(lambda s: GOOD + s, yaml_ish)))
def test_any_text_gives_records_or_a_clean_error_list(text: str) -> None:
    try:
        loaded = load(text)
    except RolesFileError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.line >= 0 and problem.message
        return
    assert roles_file.bce_ok(loaded.organisation)
    for a in loaded.assignments:
        assert roles_file.nrn_ok(a.nrn) and a.domain in roles_file.DOMAINS
        assert a.level in roles_file.LEVELS
    assert len({a.key for a in loaded.assignments}) == len(loaded.assignments)


GOOD_NRNS = ["93120523305", "83110208625", "74011920708", "85010100115"]
BAD_NRNS = ["93120523306", "1234", "abc"]


@st.composite
def roles_files(draw: st.DrawFn) -> tuple[str, int]:
    """A roles file built line by line, and how many problems it must have."""
    expected = 0
    org_ok = draw(st.booleans())
    expected += not org_ok
    lines = [f'organisation: "{"0893450271" if org_ok else "0893450272"}"', "people:"]
    people = draw(st.lists(st.sampled_from(GOOD_NRNS + BAD_NRNS), max_size=4, unique=True))
    for nrn in people:
        lines.append(f'  "{nrn}":')
        if nrn in BAD_NRNS:
            expected += 1
            lines.append("    - domain: economy\n      level: act")
            continue
        domains = draw(st.lists(st.sampled_from(["economy", "health", "space"]), max_size=3))
        seen: set[str] = set()
        for domain in domains:
            level = draw(st.sampled_from(["consult", "manage", "boss"]))
            until = draw(st.sampled_from([None, "2030-01-31", "2030-02-31"]))
            lines += [f"    - domain: {domain}", f"      level: {level}"]
            if until:
                lines.append(f"      valid_until: {until}")
            bad = (domain == "space") + (level == "boss") + (until == "2030-02-31")
            expected += bad
            if not bad and domain in seen:
                expected += 1
            if not bad:
                seen.add(domain)
    return "\n".join(lines) + "\n", expected


@settings(max_examples=200, deadline=None)
@given(roles_files())
def test_every_problem_of_a_built_file_is_found_on_a_real_line(built: tuple[str, int]) -> None:
    text, expected = built
    n_lines = len(text.splitlines())
    try:
        loaded = load(text)
    except RolesFileError as exc:
        assert len(exc.problems) == expected
        assert all(1 <= p.line <= n_lines for p in exc.problems)
        return
    assert expected == 0
    assert all(a.nrn in GOOD_NRNS for a in loaded.assignments)
