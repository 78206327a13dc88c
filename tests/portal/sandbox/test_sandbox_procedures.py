"""The procedure catalogue: metadata, forms that are valid JSON Schema
2020-12, examples that validate, a failing counter-example for every
``if/then``, and ``x-prefill`` pointers that name real source fields."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from be_identifiers import format_checker

from .sandbox_files import SANDBOX, load, procedures

REQUIRED_CODES = {
    "PRIME-HABITATION",
    "ENV-DECL-CL3",
    "CU1",
    "PERMIS-PECHE",
    "AVIQ-AMENAGEMENT",
    "SESAM",
    "CHEQUES-ENTREPRISES",
    "LABEL-PRESTATAIRE",
    "CHEQUES-FORMATION",
    "APE-GESTION",
    "APE-POINTS",
    "DOGID",
}
DOMAINS = {
    "employment",
    "economy",
    "housing",
    "environment",
    "planning",
    "health",
    "nature",
    "animals",
    "non_profit",
}
CONTENT_TYPES = {"application/pdf", "image/png", "image/jpeg"}
WIDGETS = {
    "textarea",
    "select",
    "radio",
    "switch",
    "date",
    "money",
    "iban",
    "file",
    "checkboxes",
    "table",
    "map-picker",
}
#: The portal's languages: every text a person reads in the catalogue has all three.
LANGS = {"fr", "en", "de"}
MONEY = re.compile(r"^(0|[1-9][0-9]{0,8})\.[0-9]{2}$")
CODES = sorted(procedures())

Data = dict[str, Any]


def _validator(code: str) -> Draft202012Validator:
    return Draft202012Validator(procedures()[code]["form"], format_checker=format_checker())


def _walk(
    schema: Any, pointer: str = "", in_items: bool = False, conditionals: bool = True
) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """Every sub-schema with the data pointer it describes (``/*`` for array
    items); ``conditionals=False`` leaves out if/then/else and allOf parts,
    which describe rules rather than fields."""
    if not isinstance(schema, dict):
        return
    yield pointer, schema, in_items
    for name, sub in schema.get("properties", {}).items():
        yield from _walk(sub, f"{pointer}/{name}", in_items, conditionals)
    if "items" in schema:
        yield from _walk(schema["items"], f"{pointer}/*", True, conditionals)
    if not conditionals:
        return
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, []):
            yield from _walk(sub, pointer, in_items)
    for key in ("if", "then", "else", "not"):
        if key in schema:
            yield from _walk(schema[key], pointer, in_items)


def _resolve(record: Any, dotted: str) -> Any:
    """Value at a dotted path in a source record; KeyError when absent."""
    for part in dotted.split("."):
        record = record[int(part)] if isinstance(record, list) else record[part]
    return record


# --- catalogue metadata ------------------------------------------------------


def test_all_reference_procedures_exist() -> None:
    assert REQUIRED_CODES <= set(procedures())


@pytest.mark.parametrize("code", CODES)
def test_metadata(code: str) -> None:
    p = procedures()[code]
    assert (SANDBOX / "procedures" / f"{code}.json").exists()
    assert p["version"] == 1
    assert set(p["title"]) == LANGS and set(p["summary"]) == LANGS
    assert p["audience"] and set(p["audience"]) <= {"citizen", "enterprise", "non_profit"}
    assert p["domain"] in DOMAINS
    services = {s["code"]: s["name"] for s in load("services.json")}
    assert services[p["service"]["code"]] == p["service"]["name"]
    assert isinstance(p["legal_days"], int) and p["legal_days"] > 0
    if p["fee"] is not None:
        assert MONEY.match(p["fee"]["amount"]) and p["fee"]["currency"] == "EUR"
    kinds = [a["kind"] for a in p["attachment_kinds"]]
    assert len(kinds) == len(set(kinds))
    for a in p["attachment_kinds"]:
        assert set(a["title"]) == LANGS and isinstance(a["required"], bool)
        assert a["content_types"] and set(a["content_types"]) <= CONTENT_TYPES


def test_every_service_is_named_in_every_language() -> None:
    assert all(set(s["name"]) == LANGS for s in load("services.json"))


def test_fishing_permit_fees_match_reference() -> None:
    p = procedures()["PERMIS-PECHE"]
    permit = p["form"]["properties"]["permit_type"]
    fees = {k: (v and v["amount"]) for k, v in permit["x-fees"].items()}
    assert fees == {"A": "12.39", "B": "37.18", "T": "25.00", "J": None}
    assert set(permit["enum"]) == set(fees)
    assert p["fee"]["amount"] == fees["A"]


# --- forms ---------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_form_is_a_valid_2020_12_schema(code: str) -> None:
    form = procedures()[code]["form"]
    assert form["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(form)


@pytest.mark.parametrize("code", CODES)
def test_example_data_validates(code: str) -> None:
    errors = [
        f"{e.json_path}: {e.message}"
        for e in _validator(code).iter_errors(procedures()[code]["example_data"])
    ]
    assert errors == []


@pytest.mark.parametrize("code", CODES)
def test_ui_hints(code: str) -> None:
    """Every property is titled in fr, en and de and ordered; enums have labels
    (in the three languages) for every value; money is a 2-decimal string."""
    labelled_arrays: set[str] = set()
    for pointer, schema, _ in _walk(procedures()[code]["form"], conditionals=False):
        if "title" in schema:
            assert "x-title-en" in schema and "x-title-de" in schema, pointer
        for name, sub in schema.get("properties", {}).items():
            assert isinstance(sub.get("x-ui", {}).get("order"), int), f"{pointer}/{name}"
            assert "title" in sub, f"{pointer}/{name}"
        ui = schema.get("x-ui", {})
        if "widget" in ui:
            assert ui["widget"] in WIDGETS, pointer
        if "help" in ui:
            assert set(ui["help"]) == LANGS, pointer
        values = schema.get("enum") or schema.get("items", {}).get("enum")
        if values and "labels" in ui:
            assert set(ui["labels"]) == set(values), pointer
            labelled_arrays.add(pointer + "/*")
            assert all(set(label) == LANGS for label in ui["labels"].values()), pointer
        elif values and pointer not in labelled_arrays:
            pytest.fail(f"{code}{pointer}: enum without x-ui labels")
        if ui.get("widget") == "money":
            assert schema["type"] == "string" and schema["pattern"] == MONEY.pattern, pointer


@pytest.mark.parametrize("code", CODES)
def test_example_money_fields_are_two_decimal_strings(code: str) -> None:
    form = procedures()[code]["form"]
    money_pointers = [p for p, s, _ in _walk(form) if s.get("x-ui", {}).get("widget") == "money"]
    assert money_pointers or code in {
        "PERMIS-PECHE",
        "CU1",
        "ENV-DECL-CL3",
        "CHEQUES-FORMATION",
        "DOGID",
        "APE-GESTION",
    }
    for value in _values_at(procedures()[code]["example_data"], money_pointers):
        assert Decimal(value) >= 0


def _values_at(data: Any, pointers: list[str]) -> Iterator[Any]:
    for pointer in pointers:
        nodes = [data]
        for part in pointer.strip("/").split("/"):
            nodes = [
                x for n in nodes for x in (n if part == "*" else ([n[part]] if part in n else []))
            ]
        yield from nodes


# --- x-prefill -------------------------------------------------------------


def _prefills(code: str) -> list[tuple[str, dict[str, Any], bool]]:
    return [(p, s, items) for p, s, items in _walk(procedures()[code]["form"]) if "x-prefill" in s]


@pytest.mark.parametrize("code", CODES)
def test_prefill_pointers_name_existing_source_fields(code: str) -> None:
    sources = {"rn": load("persons.json"), "bce": load("organisations.json")}
    prefills = _prefills(code)
    assert prefills, "every procedure prefills something"
    for pointer, schema, in_items in prefills:
        assert not in_items, f"{pointer}: prefill inside an array item is not supported"
        spec = schema["x-prefill"]
        assert set(spec) == {"source", "field"} and spec["source"] in sources
        found = 0
        sub = Draft202012Validator(
            {k: v for k, v in schema.items() if k != "x-prefill"}, format_checker=format_checker()
        )
        for record in sources[spec["source"]]:
            try:
                value = _resolve(record, spec["field"])
            except KeyError:
                continue
            found += 1
            assert not list(sub.iter_errors(value)), (
                f"{pointer} ← {spec} = {value!r} does not fit the field"
            )
        assert found, f"{pointer}: {spec} names no field of the {spec['source']} source"


@pytest.mark.parametrize("code", CODES)
def test_prefill_source_fits_audience(code: str) -> None:
    """bce prefill only makes sense where organisations can apply."""
    p = procedures()[code]
    if any(s["x-prefill"]["source"] == "bce" for _, s, _ in _prefills(code)):
        assert {"enterprise", "non_profit"} & set(p["audience"])


# --- if/then counter-examples ------------------------------------------------


def _set(pointer: str, value: Any) -> Callable[[Data], None]:
    def apply(data: Data) -> None:
        *parents, last = pointer.strip("/").split("/")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[last] = value

    return apply


def _delete(pointer: str) -> Callable[[Data], None]:
    def apply(data: Data) -> None:
        *parents, last = pointer.strip("/").split("/")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node.pop(last, None)

    return apply


# (code, mutations turning the example's "if" true without the "then", the missing field)
COUNTER_EXAMPLES: list[tuple[str, list[Callable[[Data], None]], str]] = [
    ("PRIME-HABITATION", [_set("/dwelling/occupancy", "tenant")], "landlord"),
    ("ENV-DECL-CL3", [_set("/declarant_kind", "organisation")], "organisation"),
    ("ENV-DECL-CL3", [_delete("/tank_capacity_l")], "tank_capacity_l"),
    ("CU1", [_delete("/notary")], "notary"),
    ("CU1", [_set("/purpose", "other")], "purpose_other"),
    ("PERMIS-PECHE", [_set("/permit_type", "T")], "start_date"),
    ("PERMIS-PECHE", [_set("/permit_type", "J")], "guardian"),
    ("AVIQ-AMENAGEMENT", [_delete("/landlord_consent")], "landlord_consent"),
    ("SESAM", [_delete("/workers/1/end_date")], "end_date"),
    ("CHEQUES-ENTREPRISES", [_delete("/target_countries")], "target_countries"),
    ("CHEQUES-ENTREPRISES", [_set("/cheque_type", "transmission")], "transfer_date"),
    ("LABEL-PRESTATAIRE", [_set("/published_at_moniteur", False)], "statutes_note"),
    ("LABEL-PRESTATAIRE", [_delete("/accounts_year")], "accounts_year"),
    ("CHEQUES-FORMATION", [_set("/employer_type", "independent")], "independent_nrn"),
    ("APE-GESTION", [_delete("/workers")], "workers"),
    ("APE-GESTION", [_set("/request_type", "correction")], "correction"),
    ("APE-GESTION", [_set("/request_type", "transfer")], "transfer"),
    ("APE-POINTS", [_set("/employer_category", "local_authority")], "council_decision_date"),
    ("DOGID", [_set("/event", "registration")], "vet_bce"),
    ("DOGID", [_delete("/new_address")], "new_address"),
    ("DOGID", [_set("/event", "keeper_change")], "new_keeper_nrn"),
    ("DOGID", [_set("/event", "death")], "death_date"),
    ("SUBSIDE-ASSOCIATION", [_delete("/previous_grant_year")], "previous_grant_year"),
]


@pytest.mark.parametrize("code", CODES)
def test_every_if_then_has_a_counter_example(code: str) -> None:
    conditions = sum(1 for _, s, _ in _walk(procedures()[code]["form"]) if "if" in s)
    assert conditions == sum(1 for c, _, _ in COUNTER_EXAMPLES if c == code)


@pytest.mark.parametrize(
    ("code", "mutations", "missing"),
    COUNTER_EXAMPLES,
    ids=[f"{c}-{m}" for c, _, m in COUNTER_EXAMPLES],
)
def test_counter_example_fails_on_the_conditional_field(
    code: str, mutations: list[Callable[[Data], None]], missing: str
) -> None:
    data = copy.deepcopy(procedures()[code]["example_data"])
    for mutate in mutations:
        mutate(data)
    errors = list(_validator(code).iter_errors(data))
    assert errors, "the counter-example must fail"
    assert all(e.validator == "required" for e in errors), [e.message for e in errors]
    assert any(f"'{missing}' is a required property" in e.message for e in errors)
