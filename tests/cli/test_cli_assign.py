"""``key=value`` parsing shared by ``api -f/-F`` and ``dossier --set``."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monespace_cli.assign import (
    assign,
    key_path,
    parse_json_argument,
    split_assignment,
    typed_value,
)
from monespace_cli.errors import UsageProblem

keys = st.text(
    st.characters(blacklist_characters="=./~[]", blacklist_categories=["Cs"]), min_size=1
).filter(lambda k: k.strip() == k and not k.isdigit() and k != "-")


@given(st.lists(keys, min_size=1, max_size=4), st.text())
def test_split_then_assign_round_trips(parts: list[str], value: str) -> None:
    key, raw = split_assignment(".".join(parts) + "=" + value)
    assert raw == value
    data: dict[str, object] = {}
    assign(data, key_path(key), raw)
    node: object = data
    for part in parts:
        assert isinstance(node, dict)
        node = node[part]
    assert node == value


@given(st.lists(keys, min_size=1, max_size=4))
def test_pointer_and_dotted_paths_agree(parts: list[str]) -> None:
    assert key_path("/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)) == parts
    assert key_path(".".join(parts)) == parts


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
    assign(data, key_path("children.0.name"), "Léa")
    assign(data, key_path("children[].name"), "Tom")
    assign(data, key_path("children.0.age"), 7)
    assert data == {"children": [{"name": "Léa", "age": 7}, {"name": "Tom"}]}
    with pytest.raises(UsageProblem):
        assign(data, key_path("children.5.name"), "x")


@pytest.mark.parametrize("text", ["novalue", "=x", " =x"])
def test_bad_assignments(text: str) -> None:
    with pytest.raises(UsageProblem):
        split_assignment(text)


def test_empty_path_parts_are_refused() -> None:
    with pytest.raises(UsageProblem):
        key_path("a..b")


def test_json_argument() -> None:
    assert parse_json_argument('{"a": 1}') == {"a": 1}
    with pytest.raises(UsageProblem):
        parse_json_argument("{nope")
