"""Roles: grant, change, revoke, history, and atomic change sets."""

from __future__ import annotations

from .conftest import (
    ARDENNE,
    BOULANGERIE,
    CONSEIL,
    JULIEN,
    KEVIN,
    LUC,
    NATHALIE,
    THOMAS,
    UNKNOWN_NRN,
)

ROLES = f"/organisations/{BOULANGERIE}/roles"


def _roles(user, path: str = ROLES) -> list[dict]:
    answer = user.get(path)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def test_grant_change_revoke_and_history(as_person) -> None:
    luc, thomas = as_person(LUC), as_person(THOMAS)
    assert thomas.get("/me").json()["contexts"][1:] == []
    granted = luc.post(ROLES, {"nrn": THOMAS, "domain": "economy", "level": "act"})
    assert granted.status_code == 201, granted.text
    role = granted.json()
    assert role["nrn"] == THOMAS and role["name"] == "Thomas Dubois"
    assert role["granted_by"]["nrn"] == LUC and role["on_mandates"] is False
    assert role["beneficiary"] is None and role["valid_until"] is None
    # The role works on the very next request.
    dossier = thomas.post("/dossiers", {"procedure": "CHEQUES-ENTREPRISES"}, BOULANGERIE)
    assert dossier.status_code == 201, dossier.text
    twice = luc.post(ROLES, {"nrn": THOMAS, "domain": "economy", "level": "manage"})
    assert twice.status_code == 409
    changed = luc.patch(f"{ROLES}/{role['id']}", {"level": "consult", "valid_until": "2030-01-31"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["level"] == "consult" and changed.json()["valid_until"] == "2030-01-31"
    refused = thomas.post("/dossiers", {"procedure": "CHEQUES-ENTREPRISES"}, BOULANGERIE)
    assert refused.status_code == 403, refused.text  # consult only reads
    assert thomas.get("/dossiers", BOULANGERIE).status_code == 200
    cleared = luc.patch(f"{ROLES}/{role['id']}", {"valid_until": None})
    assert cleared.json()["valid_until"] is None
    assert _roles(luc, f"{ROLES}?person={THOMAS}") == [cleared.json()]
    assert luc.delete(f"{ROLES}/{role['id']}").status_code == 204
    assert luc.delete(f"{ROLES}/{role['id']}").status_code == 404
    after = thomas.get("/dossiers", BOULANGERIE)
    assert after.status_code == 403, after.text  # revoked: refused on the next request
    history = luc.get(f"/organisations/{BOULANGERIE}/audit").json()["items"]
    assert [e["action"] for e in history] == [
        "role.revoke",
        "role.change",
        "role.change",
        "role.grant",
    ]
    assert {e["target"] for e in history} == {f"role:{role['id']}"}
    assert history[3]["old"] is None and history[3]["new"]["level"] == "act"
    assert history[2]["old"]["level"] == "act" and history[2]["new"]["level"] == "consult"
    assert history[1]["old"]["valid_until"] == "2030-01-31"
    assert history[1]["new"]["valid_until"] is None
    assert history[0]["old"]["id"] == role["id"] and history[0]["new"] is None


def test_invalid_grants_are_422_with_every_pointer(as_person) -> None:
    luc = as_person(LUC)
    body = {
        "nrn": "12345678901",
        "domain": "space",
        "level": "boss",
        "valid_from": "2026-13-01",
        "beneficiary": "0000000000",
    }
    answer = luc.post(ROLES, body)
    assert answer.status_code == 422, answer.text
    pointers = {e["pointer"] for e in answer.json()["errors"]}
    assert pointers == {"/nrn", "/domain", "/level", "/valid_from", "/beneficiary"}
    unknown = luc.post(ROLES, {"nrn": UNKNOWN_NRN, "domain": "economy", "level": "act"})
    assert [e["pointer"] for e in unknown.json()["errors"]] == ["/nrn"]
    dates = {
        "nrn": THOMAS,
        "domain": "economy",
        "level": "act",
        "valid_from": "2027-01-01",
        "valid_until": "2026-01-01",
    }
    assert [e["pointer"] for e in luc.post(ROLES, dates).json()["errors"]] == ["/valid_until"]
    assert _roles(luc, f"{ROLES}?person={THOMAS}") == []


def test_who_may_read_and_manage_roles(as_person) -> None:
    kevin, nathalie = as_person(KEVIN), as_person(NATHALIE)
    path = f"/organisations/{ARDENNE}/roles"
    assert [(r["nrn"], r["domain"]) for r in _roles(kevin, path)] == [
        (KEVIN, "economy"),
        (KEVIN, "employment"),
    ]
    assert _roles(nathalie, path) == _roles(kevin, path)  # legal rep
    grant = {"nrn": JULIEN, "domain": "economy", "level": "manage"}
    assert as_person(LUC).post(path, grant).status_code == 404
    # A manage-level role holder reads but does not grant.
    assert kevin.post(path, grant).status_code == 201  # Kevin is GAP
    julien = as_person(JULIEN)
    assert len(_roles(julien, path)) == 3
    other = {"nrn": THOMAS, "domain": "economy", "level": "act"}
    assert julien.post(path, other).status_code == 403


def _apply(user, changes, dry_run=False, org=BOULANGERIE):
    return user.post(f"/organisations/{org}/roles:apply", {"changes": changes, "dry_run": dry_run})


def test_apply_is_all_or_nothing(as_person) -> None:
    luc = as_person(LUC)
    before = _roles(luc)
    changes = [
        {"op": "grant", "nrn": THOMAS, "domain": "economy", "level": "act"},
        {"op": "grant", "nrn": JULIEN, "domain": "employment", "level": "manage"},
        {"op": "grant", "nrn": KEVIN, "domain": "astrology", "level": "act"},
        {"op": "revoke", "id": "999999"},
    ]
    answer = _apply(luc, changes)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert {e["pointer"] for e in body["errors"]} == {"/changes/2/domain", "/changes/3/id"}
    assert [r["ok"] for r in body["results"]] == [True, True, False, False]
    assert _roles(luc) == before
    assert luc.get(f"/organisations/{BOULANGERIE}/audit").json()["items"] == []
    assert all(c["id"] != BOULANGERIE for c in as_person(THOMAS).get("/me").json()["contexts"])


def test_apply_dry_run_writes_nothing_and_a_real_run_applies_in_order(as_person) -> None:
    luc = as_person(LUC)
    first = [
        {"op": "grant", "nrn": THOMAS, "domain": "economy", "level": "act"},
        {"op": "grant", "nrn": JULIEN, "domain": "employment", "level": "consult"},
    ]
    dry = _apply(luc, first, dry_run=True)
    assert dry.status_code == 200, dry.text
    assert dry.json()["applied"] is False
    assert [r["role"]["nrn"] for r in dry.json()["results"]] == [THOMAS, JULIEN]
    assert _roles(luc) == []
    done = _apply(luc, first)
    assert done.json()["applied"] is True
    assert [(r["nrn"], r["level"]) for r in _roles(luc)] == [(THOMAS, "act"), (JULIEN, "consult")]
    thomas_id = done.json()["results"][0]["role"]["id"]
    second = [
        {"op": "change", "nrn": JULIEN, "domain": "employment", "level": "act"},
        {"op": "revoke", "id": thomas_id},
        {"op": "grant", "nrn": THOMAS, "domain": "economy", "level": "manage"},
        {"op": "grant", "nrn": THOMAS, "domain": "economy", "level": "consult"},
    ]
    clash = _apply(luc, second)
    assert clash.status_code == 422  # the fourth grant duplicates the third
    assert [e["pointer"] for e in clash.json()["errors"]] == ["/changes/3/domain"]
    done = _apply(luc, second[:3])
    assert done.status_code == 200, done.text
    assert [(r["nrn"], r["level"]) for r in _roles(luc)] == [
        (THOMAS, "manage"),
        (JULIEN, "act"),
    ]
    actions = [e["action"] for e in luc.get(f"/organisations/{BOULANGERIE}/audit").json()["items"]]
    assert actions == ["role.grant", "role.revoke", "role.change", "role.grant", "role.grant"]


def test_apply_rejects_malformed_sets(as_person) -> None:
    luc = as_person(LUC)
    assert _apply(luc, "nope").status_code == 422
    bad = _apply(luc, [{"op": "rename"}, 3])
    assert bad.status_code == 422
    assert [e["pointer"] for e in bad.json()["errors"]] == ["/changes/0/op", "/changes/1"]
    assert _apply(as_person(KEVIN), [], org=CONSEIL).status_code == 404
