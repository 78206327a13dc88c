"""The sandbox authentic sources: valid identifiers, references that
resolve, and the CSAM story the README tells (docs/api.md "Sandbox data
files" gives the formats)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from be_identifiers import (
    is_valid_bce,
    is_valid_iban,
    is_valid_nrn,
    is_wallonia_postal_code,
    nrn_birth_date,
    nrn_sex,
)
from portal.sandbox.cards import card_features

from .sandbox_files import load, organisations_by_bce, persons_by_nrn

ADDRESS_KEYS = {"street", "number", "box", "postal_code", "municipality", "country"}
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
TODAY = date(2026, 11, 23)  # the sandbox story is told as of this date


def _check_address(address: dict[str, Any]) -> None:
    assert set(address) <= ADDRESS_KEYS
    assert {"street", "number", "postal_code", "municipality", "country"} <= set(address)
    assert address["country"] == "BE"
    assert is_wallonia_postal_code(address["postal_code"]), address


def test_persons_shape_and_count() -> None:
    persons = load("persons.json")
    assert len(persons) >= 24
    keys = {
        "nrn",
        "given_names",
        "surname",
        "birth_date",
        "sex",
        "nationality",
        "language",
        "email",
        "birth_place",
        "address",
    }
    for p in persons:
        assert keys <= set(p) <= keys | {"household"}, p["nrn"]
        foreigner = card_features(p["nrn"]).get("document_type", "1") not in {"1", "6"}
        assert p["nationality"] == "BE" or (foreigner and len(p["nationality"]) == 2)
        assert p["language"] in {"fr", "de", "nl"}
        assert p["email"].endswith("@example.be") and p["email"].isascii()
        _check_address(p["address"])


def test_person_nrns_are_valid_and_match_birth_date_and_sex() -> None:
    for p in load("persons.json"):
        assert is_valid_nrn(p["nrn"]), p["nrn"]
        assert nrn_birth_date(p["nrn"]) == date.fromisoformat(p["birth_date"])
        assert nrn_sex(p["nrn"]) == p["sex"]


def test_persons_are_unique_and_diverse() -> None:
    persons = load("persons.json")
    assert len({p["nrn"] for p in persons}) == len(persons)
    assert len({p["email"] for p in persons}) == len(persons)
    assert sum(p["birth_date"] >= "2000-01-01" for p in persons) >= 3
    german = [p for p in persons if p["language"] == "de"]
    assert len(german) >= 4
    assert all(4700 <= int(p["address"]["postal_code"]) <= 4791 for p in german)
    assert len({p["address"]["municipality"] for p in persons}) >= 12


def test_households_are_symmetric() -> None:
    persons = persons_by_nrn()
    households = [p for p in persons.values() if "household" in p]
    assert households
    for p in households:
        assert p["nrn"] in p["household"]
        for member in p["household"]:
            assert persons[member]["household"] == p["household"]
            assert persons[member]["address"] == p["address"]


def test_organisations() -> None:
    orgs = load("organisations.json")
    persons = persons_by_nrn()
    assert len(orgs) >= 12
    assert len({o["bce"] for o in orgs}) == len(orgs)
    assert any(o["bce"].startswith("1") for o in orgs)
    assert {"SRL", "SA", "ASBL", "PP"} <= {o["legal_form"] for o in orgs}
    assert 2 <= sum(o["kind"] == "non_profit" for o in orgs) <= 3
    for o in orgs:
        assert is_valid_bce(o["bce"]), o["bce"]
        assert o["legal_form"] in {"SRL", "SA", "ASBL", "PP", "SC"}
        assert (o["kind"] == "non_profit") == (o["legal_form"] == "ASBL")
        _check_address(o["seat"])
        assert o["nace"] and all(len(code) == 6 and code[2] == "." for code in o["nace"])
        assert o["legal_reps"] and all(nrn in persons for nrn in o["legal_reps"])
        assert o["email"].endswith(".example.be") or o["email"].endswith("@example.be")
        date.fromisoformat(o["founded"])
        if o["bce"].startswith("1"):
            assert o["founded"] >= "2023-09-19"  # the 1-series started then


def test_services_and_agents() -> None:
    services = load("services.json")
    persons = persons_by_nrn()
    codes = {s["code"] for s in services}
    assert {"SPW-EER", "SPW-TLPE", "SPW-ARNE", "AVIQ", "FOREM", "NAMUR"} <= codes
    for s in services:
        assert is_valid_iban(s["iban"]) and s["iban"].startswith("BE")
        assert len(s["bic"]) in (8, 11)
        assert {"fr", "en"} <= set(s["name"])
        roles = [a["role"] for a in s["agents"]]
        assert 2 <= len(roles) <= 3 and roles.count("supervisor") == 1
        assert all(a["nrn"] in persons for a in s["agents"])


def test_roles_reference_existing_people_and_organisations() -> None:
    roles = load("roles.json")
    persons, orgs = persons_by_nrn(), organisations_by_bce()
    for g in roles["gaps"]:
        assert g["bce"] in orgs and g["nrn"] in persons
        assert g["designated_by"] in orgs[g["bce"]]["legal_reps"]
    for r in roles["roles"]:
        assert r["bce"] in orgs and r["nrn"] in persons
        assert r["domain"] in DOMAINS and r["level"] in {"consult", "act", "manage"}
        assert r.get("valid_until", "9999") > r["valid_from"]
    for m in roles["mandates"]:
        assert m["beneficiary"] in orgs and m["mandataire"] in orgs
        assert m["state"] in {"active", "proposed", "refused", "revoked"}
        assert set(m["domains"]) <= DOMAINS
        assert m["proposed_by"] in {m["beneficiary"], m["mandataire"]}
    for mr in roles["mandate_roles"]:
        assert mr["mandataire"] in orgs and mr["nrn"] in persons
        assert mr["level"] in {"consult", "act", "manage"}
        covering = [
            m
            for m in roles["mandates"]
            if m["mandataire"] == mr["mandataire"]
            and mr.get("beneficiary", m["beneficiary"]) == m["beneficiary"]
        ]
        assert any(mr["domain"] in m["domains"] for m in covering), mr


def test_every_organisation_has_a_gap() -> None:
    gaps = {g["bce"] for g in load("roles.json")["gaps"]}
    assert gaps == set(organisations_by_bce())


def _state_today(mandate: dict[str, Any]) -> str:
    if mandate["state"] == "active" and mandate.get("valid_until", "9999") < TODAY.isoformat():
        return "expired"
    return str(mandate["state"])


def test_accounting_firm_story() -> None:
    """One fiduciaire, five active client mandates, one proposed, one
    expired; two employees with roles on its mandates."""
    orgs = organisations_by_bce()
    roles = load("roles.json")
    mandataires = {m["mandataire"] for m in roles["mandates"]}
    assert len(mandataires) == 1
    firm = mandataires.pop()
    assert "69.20" in " ".join(orgs[firm]["nace"])  # accounting activities
    states = [_state_today(m) for m in roles["mandates"] if m["mandataire"] == firm]
    assert states.count("active") >= 5
    assert states.count("proposed") == 1
    assert states.count("expired") == 1
    employees = {
        mr["nrn"]
        for mr in roles["mandate_roles"]
        if mr["mandataire"] == firm and mr["level"] != "manage"
    }
    assert len(employees) >= 2
    assert not employees & set(orgs[firm]["legal_reps"])


@pytest.mark.parametrize(
    "name", ["persons.json", "organisations.json", "services.json", "roles.json"]
)
def test_files_end_with_newline_and_are_utf8(name: str) -> None:
    from .sandbox_files import SANDBOX

    raw = (SANDBOX / name).read_bytes()
    raw.decode("utf-8")
    assert raw.endswith(b"\n")
