"""``path=value`` parsing shared by ``api -f/-F`` and ``dossier --set`` (the --set
typing from the schema is tested in dossier/test_dossier_data_input.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monespace_cli.assign import (
    Assignment,
    parse_assignment,
    parse_json_argument,
    parse_path,
    resolve_append,
    set_path,
    to_pointer,
    typed_value,
)
from monespace_cli.errors import UsageProblem

keys = st.text(
    st.characters(blacklist_characters="=./~[]", blacklist_categories=["Cs"]), min_size=1
).filter(lambda k: k.strip() == k and not k.isdigit() and k != "-")


def put(data: dict[str, object], key: str, value: object) -> None:
    """What ``api -f`` does with one field."""
    set_path(data, resolve_append(data, parse_path(key)), value)


@given(st.lists(keys, min_size=1, max_size=4), st.text())
def test_parse_then_set_round_trips(parts: list[str], value: str) -> None:
    field = parse_assignment(".".join(parts) + "=" + value, json_values=False)
    assert field.raw == value
    data: dict[str, object] = {}
    set_path(data, field.path, field.raw)
    node: object = data
    for part in parts:
        assert isinstance(node, dict)
        node = node[part]
    assert node == value


@given(st.lists(keys, min_size=1, max_size=4))
def test_pointer_and_dotted_paths_agree(parts: list[str]) -> None:
    assert parse_path(to_pointer(parts)) == tuple(parts)
    assert parse_path(".".join(parts)) == tuple(parts)


def test_typed_values() -> None:
    assert typed_value("true") is True
    assert typed_value("null") is None
    assert typed_value("42") == 42
    assert typed_value("-3.5") == -3.5
    assert typed_value("37.18") == 37.18
    assert typed_value("007") == "007"
    assert typed_value("BE68 5390") == "BE68 5390"


def test_file_value(tmp_path) -> None:
    path = tmp_path / "v.txt"
    path.write_text("hello")
    assert typed_value(f"@{path}") == "hello"
    with pytest.raises(UsageProblem):
        typed_value(f"@{tmp_path / 'missing'}")


def test_arrays_are_created_and_appended() -> None:
    data: dict[str, object] = {}
    put(data, "children.0.name", "Léa")
    put(data, "children[].name", "Tom")
    put(data, "children[0].age", 7)
    put(data, "/children/-/name", "Zoé")
    assert data == {"children": [{"name": "Léa", "age": 7}, {"name": "Tom"}, {"name": "Zoé"}]}
    with pytest.raises(UsageProblem, match="skips items"):
        put(data, "children.5.name", "x")


def test_a_plain_value_is_not_silently_replaced() -> None:
    data: dict[str, object] = {"a": "1"}
    with pytest.raises(UsageProblem, match="not an object"):
        put(data, "a.b", "2")


@pytest.mark.parametrize("text", ["novalue", "=x", " =x"])
def test_bad_assignments(text: str) -> None:
    with pytest.raises(UsageProblem, match="-f needs path=value"):
        parse_assignment(text, option="-f", json_values=False)


def test_json_marker_only_where_allowed() -> None:
    assert parse_assignment("a:=[1]") == Assignment(("a",), "[1]", is_json=True)
    assert parse_assignment("a=b=c") == Assignment(("a",), "b=c")
    assert parse_assignment("a:=[1]", json_values=False) == Assignment(("a:",), "[1]")


@pytest.mark.parametrize("key", ["a..b", "a.", "/a//b", "a[x]"])
def test_bad_paths_are_refused(key: str) -> None:
    with pytest.raises(UsageProblem, match="Invalid field path"):
        parse_path(key)


def test_json_argument() -> None:
    assert parse_json_argument('{"a": 1}') == {"a": 1}
    with pytest.raises(UsageProblem):
        parse_json_argument("{nope")
