"""``--set`` parsing and typing, ``--data`` files, attachment specs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monespace_cli.assign import parse_assignment, parse_path, set_path, to_pointer
from monespace_cli.commands.dossier import data_input as di
from monespace_cli.errors import UsageProblem

FORM = {
    "type": "object",
    "$defs": {"money": {"type": "string", "pattern": r"^\d+\.\d{2}$"}},
    "properties": {
        "applicant": {
            "type": "object",
            "properties": {
                "postal_code": {"type": "string"},
                "children": {"type": "integer"},
                "owner": {"type": "boolean"},
            },
        },
        "works": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"amount": {"$ref": "#/$defs/money"}, "surface": {"type": "number"}},
            },
        },
        "kind": {"enum": ["roof", "windows"]},
    },
    "if": {"properties": {"kind": {"const": "roof"}}},
    "then": {"properties": {"roof_area": {"type": "number"}}},
}

keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
paths = st.lists(
    st.one_of(keys, st.integers(min_value=0, max_value=3)), min_size=1, max_size=4
).filter(lambda p: isinstance(p[0], str))


def dotted(path: list[str | int]) -> str:
    return ".".join(str(p) for p in path)


@given(paths)
def test_dotted_and_pointer_paths_agree(path: list[str | int]) -> None:
    assert parse_path(dotted(path)) == tuple(path)
    assert parse_path(to_pointer(path)) == tuple(path)


@given(paths, st.text(max_size=20))
def test_assignment_keeps_the_value_text_whole(path: list[str | int], value: str) -> None:
    parsed = parse_assignment(f"{dotted(path)}={value}")
    assert parsed.path == tuple(path)
    assert parsed.raw == value
    assert not parsed.is_json


@given(
    st.dictionaries(keys, st.one_of(st.integers(), st.booleans(), st.text(max_size=5)), min_size=1)
)
def test_setting_every_key_rebuilds_the_object(values: dict) -> None:
    data: dict = {}
    for key, value in values.items():
        a = parse_assignment(f"{key}:={json.dumps(value)}")
        set_path(data, a.path, di.coerce(a.raw, None, is_json=True))
    assert data == values


def test_schema_types_values() -> None:
    out = di.apply_assignments(
        {},
        [
            "applicant.postal_code=4000",
            "applicant.children=2",
            "applicant.owner=oui",
            "works[0].amount=1250.00",
            "works.0.surface=12,5",
            "kind=roof",
            "roof_area=40",
            "extra:=[1, 2]",
            "free=12",
        ],
        FORM,
    )
    assert out == {
        "applicant": {"postal_code": "4000", "children": 2, "owner": True},
        "works": [{"amount": "1250.00", "surface": 12.5}],
        "kind": "roof",
        "roof_area": 40,
        "extra": [1, 2],
        "free": 12,
    }


@pytest.mark.parametrize(
    "bad",
    ["novalue", "=x", "applicant.children=two", "works.3.amount=1", "a..b=1", "x:={not json"],
)
def test_bad_assignments_are_usage_errors(bad: str) -> None:
    with pytest.raises(UsageProblem):
        di.apply_assignments({"works": []}, [bad], FORM)


def test_setting_into_a_scalar_is_refused() -> None:
    with pytest.raises(UsageProblem, match="not a list"):
        di.apply_assignments({"kind": "roof"}, ["kind.0=x"], None)


def test_data_file_json_yaml_and_stdin(tmp_path: Path) -> None:
    (tmp_path / "d.json").write_text('{"a": 1}')
    (tmp_path / "d.yaml").write_text("a: 1\nstart: 2026-03-01\n")
    assert di.load_data(str(tmp_path / "d.json"), io.StringIO()) == {"a": 1}
    assert di.load_data(str(tmp_path / "d.yaml"), io.StringIO()) == {"a": 1, "start": "2026-03-01"}
    assert di.load_data("-", io.StringIO('{"b": true}')) == {"b": True}


@pytest.mark.parametrize("content", ["[1, 2]", "a: [unclosed", "just text"])
def test_data_file_must_be_an_object(tmp_path: Path, content: str) -> None:
    (tmp_path / "d.txt").write_text(content)
    with pytest.raises(UsageProblem):
        di.load_data(str(tmp_path / "d.txt"), io.StringIO())


def test_missing_data_file(tmp_path: Path) -> None:
    with pytest.raises(UsageProblem, match="No such file"):
        di.load_data(str(tmp_path / "nope.json"), io.StringIO())


def test_attach_spec(tmp_path: Path) -> None:
    f = tmp_path / "q.pdf"
    f.write_bytes(b"%PDF")
    assert di.parse_attach(f"quote={f}") == ("quote", f)
    with pytest.raises(UsageProblem):
        di.parse_attach(str(f))
    with pytest.raises(UsageProblem, match="No such file"):
        di.parse_attach(f"quote={tmp_path / 'missing.pdf'}")


def test_append_marker_adds_items() -> None:
    out = di.apply_assignments(
        {"works": [{"amount": "1.00"}]},
        ["works[].amount=2.00", "works.-.amount=3.00", "/works/-/surface=4"],
        FORM,
    )
    assert out["works"] == [
        {"amount": "1.00"},
        {"amount": "2.00"},
        {"amount": "3.00"},
        {"surface": 4},
    ]
