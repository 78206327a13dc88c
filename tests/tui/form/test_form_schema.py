"""The field tree of every sandbox procedure, conditions, values, error routing.

Pure tests (no portal): the sandbox procedure files are the forms the portal
serves, so walking each of them proves the TUI can render every form the
sandbox has, field for field.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from monespace_cli import forms
from tui.forms import schema as form_schema
from tui.forms.conditional import shown
from tui.forms.schema import Kind
from tui.forms.validation import check, form_errors, route
from tui.forms.widgets import FieldWidget, FormContext, GroupField, make_field

PROCEDURES = sorted(
    (Path(__file__).resolve().parents[3] / "portal" / "sandbox" / "procedures").glob("*.json")
)


def _definition(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _schema_paths(schema: dict[str, Any], root: dict[str, Any], path: str = "") -> set[str]:
    """Every property path of a schema ("/a/b", array items as "/a/[]/b")."""
    schema = forms.resolve_ref(schema, root)
    found = {path}
    for key, sub in (schema.get("properties") or {}).items():
        found |= _schema_paths(sub, root, f"{path}/{key}")
    items = schema.get("items")
    if isinstance(items, dict) and "properties" in forms.resolve_ref(items, root):
        found |= _schema_paths(items, root, f"{path}/[]")
    return found


def _tree_paths(node: form_schema.Field, path: str = "") -> set[str]:
    found = {path}
    for child in node.children:
        found |= _tree_paths(child, f"{path}/{child.key}")
    if node.item is not None and node.item.kind is Kind.GROUP:
        found |= _tree_paths(node.item, f"{path}/[]")
    return found


def test_there_are_sandbox_procedures() -> None:
    assert len(PROCEDURES) >= 10


@pytest.mark.parametrize("path", PROCEDURES, ids=lambda p: p.stem)
def test_every_property_of_every_form_becomes_a_field(path: Path) -> None:
    form = _definition(path)["form"]
    tree = form_schema.build(form)
    assert tree.kind is Kind.GROUP
    assert _tree_paths(tree) == _schema_paths(form, form)
    for node in tree.walk():
        assert node.title, f"no title for {node.key!r} in {path.stem}"
        if node.kind in (Kind.ENUM, Kind.CHOICES):
            assert node.options and all(label for label, _value in node.options)


@pytest.mark.parametrize("path", PROCEDURES, ids=lambda p: p.stem)
def test_every_then_required_field_is_conditional(path: Path) -> None:
    """The fields an ``if``/``then`` brings in are exactly the conditional ones."""
    form = _definition(path)["form"]
    expected: set[str] = set()

    def collect(schema: dict[str, Any]) -> None:
        plain = set(schema.get("required") or [])
        for rule in schema.get("allOf") or []:
            expected.update(
                k for k in (rule.get("then") or {}).get("required", []) if k not in plain
            )
        for sub in (schema.get("properties") or {}).values():
            collect(sub)
        if isinstance(schema.get("items"), dict):
            collect(schema["items"])

    collect(form)
    conditional = {n.key for n in form_schema.build(form).walk() if n.conditional}
    assert conditional == expected


def test_kinds_follow_type_format_and_widget_hints() -> None:
    form = _definition(PROCEDURES[0].parent / "PRIME-HABITATION.json")["form"]
    tree = form_schema.build(form)
    by_path = {}

    def index(node: form_schema.Field, path: str) -> None:
        by_path[path] = node
        for child in node.children:
            index(child, f"{path}/{child.key}")
        if node.item is not None:
            index(node.item, f"{path}/[]")

    index(tree, "")
    assert by_path["/applicant/birth_date"].kind is Kind.DATE
    assert by_path["/applicant/address"].kind is Kind.GROUP
    assert by_path["/dwelling/same_as_home"].kind is Kind.BOOLEAN
    assert by_path["/dwelling/occupancy"].kind is Kind.ENUM
    assert by_path["/dwelling/built_before"].kind is Kind.INTEGER
    assert by_path["/works"].kind is Kind.ARRAY
    assert (by_path["/works"].min_items, by_path["/works"].max_items) == (1, 20)
    assert by_path["/works/[]/amount_excl_vat"].kind is Kind.AMOUNT
    assert by_path["/works/[]/description"].kind is Kind.MULTILINE
    assert by_path["/iban"].kind is Kind.IBAN
    assert by_path["/applicant/given_names"].kind is Kind.TEXT
    occupancy = by_path["/dwelling/occupancy"]
    assert ("Tenant", "tenant") in occupancy.options or ("Locataire", "tenant") in occupancy.options


def test_choices_and_const_titles() -> None:
    schema = {
        "type": "object",
        "properties": {
            "themes": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
            "pick": {"oneOf": [{"const": "x", "title": "Ex"}, {"const": "y", "title": "Why"}]},
        },
    }
    tree = form_schema.build(schema)
    themes, pick = tree.children
    assert themes.kind is Kind.CHOICES and [v for _l, v in themes.options] == ["a", "b"]
    assert pick.kind is Kind.ENUM and pick.options == [("Ex", "x"), ("Why", "y")]


def test_condition_holds_only_when_the_if_schema_matches() -> None:
    form = _definition(PROCEDURES[0].parent / "PRIME-HABITATION.json")["form"]
    dwelling = next(c for c in form_schema.build(form).children if c.key == "dwelling")
    landlord = next(c for c in dwelling.children if c.key == "landlord")
    assert landlord.conditional
    assert shown(landlord.conditions, {"occupancy": "tenant"})
    assert not shown(landlord.conditions, {"occupancy": "owner"})
    assert not shown(landlord.conditions, {})


def test_contains_conditions_work_on_arrays() -> None:
    form = _definition(PROCEDURES[0].parent / "ENV-DECL-CL3.json")["form"]
    tank = next(n for n in form_schema.build(form).walk() if n.key == "tank_capacity_l")
    assert shown(tank.conditions, {"rubriques": ["63.12.09.03.01"]})
    assert not shown(tank.conditions, {"rubriques": ["50.20"]})


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("14/03/1968", "1968-03-14"), ("1.2.2026", "2026-02-01"), ("2026-05-14", "2026-05-14")],
)
def test_dates_are_typed_the_belgian_way_and_stored_iso(typed: str, stored: str) -> None:
    assert forms.parse_date(typed) == stored
    assert forms.display_date(stored) == forms.display_date(forms.parse_date(typed))


@pytest.mark.parametrize("typed", ["31/02/2026", "2026", "14-03", "hier"])
def test_impossible_dates_are_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        forms.parse_date(typed)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("1250,5", "1250.50"), ("1 250,50", "1250.50"), ("8450", "8450.00"), ("1.250,00", "1250.00")],
)
def test_amounts_accept_a_decimal_comma(typed: str, stored: str) -> None:
    assert forms.parse_amount(typed, {"type": "string"}) == stored
    assert forms.parse_amount(typed, {"type": "number"}) == float(stored)


def test_iban_is_compacted_grouped_and_checked() -> None:
    assert forms.compact_iban("be68 5390 0754 7034") == "BE68539007547034"
    assert forms.display_iban("BE68539007547034") == "BE68 5390 0754 7034"
    assert forms.is_valid_iban("BE68 5390 0754 7034")
    assert not forms.is_valid_iban("BE68 5390 0754 7035")


def test_inline_check_uses_formats_and_the_field_schema() -> None:
    form = _definition(PROCEDURES[0].parent / "PRIME-HABITATION.json")["form"]
    nodes = {n.key: n for n in form_schema.build(form).walk() if n.key}
    assert check(nodes["iban"], "BE68 5390 0754 7034", form) is None
    assert "IBAN" in (check(nodes["iban"], "BE00 1234", form) or "")
    assert check(nodes["birth_date"], "14/03/1968", form) is None
    assert check(nodes["birth_date"], "31/02/1968", form)
    assert check(nodes["reference"], "AL-2025-004812", form) is None
    assert check(nodes["reference"], "AL-25", form)
    assert check(nodes["members"], "0", form)  # minimum 1
    assert check(nodes["members"], "3", form) is None
    assert check(nodes["nrn"], "68031412135", form) is None
    assert check(nodes["nrn"], "68031412136", form)


def test_form_errors_name_every_missing_field_with_its_pointer() -> None:
    form = _definition(PROCEDURES[0].parent / "PRIME-HABITATION.json")["form"]
    example = _definition(PROCEDURES[0].parent / "PRIME-HABITATION.json")["example_data"]
    assert form_errors(form, example) == []
    broken = json.loads(json.dumps(example))
    broken["dwelling"]["occupancy"] = "tenant"
    del broken["works"][1]["invoice_date"]
    pointers = {e["pointer"] for e in form_errors(form, broken)}
    assert pointers == {"/dwelling/landlord", "/works/1/invoice_date"}


def test_route_sends_unknown_pointers_to_the_nearest_field() -> None:
    routed = route(
        [
            {"pointer": "/works/0/amount", "message": "bad"},
            {"pointer": "/dwelling/landlord/name", "message": "missing"},
            {"pointer": "/nowhere", "message": "odd"},
        ],
        {"/works/0/amount", "/dwelling"},
    )
    assert routed == {"/works/0/amount": ["bad"], "/dwelling": ["missing"], "": ["odd"]}


class _Render(App[None]):
    """One sandbox form rendered with its example data, without a portal."""

    def __init__(self, definition: dict[str, Any]) -> None:
        super().__init__()
        self.definition = definition

    def compose(self) -> ComposeResult:
        form = self.definition["form"]
        context = FormContext(json.loads(json.dumps(self.definition.get("example_data") or {})), {})
        with VerticalScroll():
            yield make_field(form_schema.build(form), form, "", context)


@pytest.mark.parametrize("path", PROCEDURES, ids=lambda p: p.stem)
def test_every_sandbox_form_renders_and_gives_its_data_back(path: Path) -> None:
    """Rendered with its example data, each form's widgets return that very data."""
    definition = _definition(path)
    app = _Render(definition)
    found: dict[str, Any] = {}

    async def main() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            root = app.query_one(GroupField)
            root.apply_conditions()
            found["value"] = root.value()
            found["pointers"] = {w.pointer for w in root.query(FieldWidget)}

    asyncio.run(main())
    assert found["value"] == (definition.get("example_data") or {})
    tree = form_schema.build(definition["form"])
    top = {f"/{child.key}" for child in tree.children}
    assert top <= found["pointers"]
