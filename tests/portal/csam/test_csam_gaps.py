"""GAPs and organisation visibility through the real app."""

from __future__ import annotations

from .conftest import (
    ARDENNE,
    BOULANGERIE,
    CAMILLE,
    FIDUCIAIRE,
    JULIEN,
    KEVIN,
    LUC,
    NATHALIE,
    UNKNOWN_NRN,
)


def test_organisation_shows_reps_gaps_and_my_rights(as_person) -> None:
    answer = as_person(NATHALIE).get(f"/organisations/{ARDENNE}")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["name"] == "Ardenne Digital SA" and body["seat"]["municipality"] == "Arlon"
    assert [r["nrn"] for r in body["legal_reps"]] == [NATHALIE]
    assert [g["nrn"] for g in body["gaps"]] == [KEVIN]
    assert body["my_rights"] == ["legal_rep"]
    assert as_person(KEVIN).get(f"/organisations/{ARDENNE}").json()["my_rights"] == [
        "gap",
        "manage",
        "role",
    ]


def test_a_gap_of_one_organisation_cannot_touch_another(as_person) -> None:
    kevin = as_person(KEVIN)  # GAP of Ardenne Digital, nothing at the Boulangerie
    for path in ("", "/gaps", "/roles", "/audit"):
        answer = kevin.get(f"/organisations/{BOULANGERIE}{path}")
        assert answer.status_code == 404, (path, answer.text)
    assert kevin.post(f"/organisations/{BOULANGERIE}/gaps", {"nrn": KEVIN}).status_code == 404
    grant = {"nrn": KEVIN, "domain": "economy", "level": "manage"}
    assert kevin.post(f"/organisations/{BOULANGERIE}/roles", grant).status_code == 404
    assert kevin.delete(f"/organisations/{BOULANGERIE}/gaps/{LUC}").status_code == 404
    roles = as_person(LUC).get(f"/organisations/{BOULANGERIE}/roles").json()["items"]
    assert all(r["nrn"] != KEVIN for r in roles)
    assert as_person(KEVIN).get("/organisations/0000000000").status_code == 404


def test_only_legal_representatives_designate_gaps(as_person) -> None:
    kevin, nathalie = as_person(KEVIN), as_person(NATHALIE)
    refused = kevin.post(f"/organisations/{ARDENNE}/gaps", {"nrn": JULIEN})
    assert refused.status_code == 403, refused.text
    assert refused.json()["type"].endswith("/forbidden")
    assert kevin.get(f"/organisations/{ARDENNE}/gaps").status_code == 403
    added = nathalie.post(f"/organisations/{ARDENNE}/gaps", {"nrn": JULIEN})
    assert added.status_code == 201, added.text
    assert added.json()["nrn"] == JULIEN and added.json()["designated_by"]["nrn"] == NATHALIE
    again = nathalie.post(f"/organisations/{ARDENNE}/gaps", {"nrn": JULIEN})
    assert again.status_code == 409
    gaps = nathalie.get(f"/organisations/{ARDENNE}/gaps").json()["items"]
    assert [g["nrn"] for g in gaps] == [JULIEN, KEVIN]
    # Julien is a GAP now: he may manage roles of Ardenne Digital.
    grant = {"nrn": CAMILLE, "domain": "economy", "level": "consult"}
    assert as_person(JULIEN).post(f"/organisations/{ARDENNE}/roles", grant).status_code == 201


def test_bad_gap_designations_are_422_with_pointer(as_person) -> None:
    nathalie = as_person(NATHALIE)
    for nrn in ("12345678901", "abc", None, UNKNOWN_NRN):
        answer = nathalie.post(f"/organisations/{ARDENNE}/gaps", {"nrn": nrn})
        assert answer.status_code == 422, (nrn, answer.text)
        assert answer.json()["errors"][0]["pointer"] == "/nrn"


def test_the_last_gap_cannot_be_removed(as_person) -> None:
    nathalie = as_person(NATHALIE)
    last = nathalie.delete(f"/organisations/{ARDENNE}/gaps/{KEVIN}")
    assert last.status_code == 409, last.text
    assert "last GAP" in last.json()["detail"]
    assert nathalie.post(f"/organisations/{ARDENNE}/gaps", {"nrn": JULIEN}).status_code == 201
    assert nathalie.delete(f"/organisations/{ARDENNE}/gaps/{KEVIN}").status_code == 204
    assert nathalie.delete(f"/organisations/{ARDENNE}/gaps/{KEVIN}").status_code == 404
    assert nathalie.delete(f"/organisations/{ARDENNE}/gaps/{JULIEN}").status_code == 409
    # Kevin is no GAP any more: he only keeps his roles.
    assert as_person(KEVIN).get(f"/organisations/{ARDENNE}").json()["my_rights"] == [
        "manage",
        "role",
    ]
    audit = nathalie.get(f"/organisations/{ARDENNE}/audit").json()["items"]
    assert [(e["action"], e["target"]) for e in audit] == [
        ("gap.remove", f"gap:{KEVIN}"),
        ("gap.designate", f"gap:{JULIEN}"),
    ]
    assert audit[0]["old"]["nrn"] == KEVIN and audit[0]["new"] is None
    assert audit[1]["old"] is None and audit[1]["new"]["nrn"] == JULIEN
    assert audit[0]["actor"] == {"nrn": NATHALIE, "name": "Nathalie Schmit"}
    assert audit[0]["acting_as"] == ARDENNE


def test_role_holders_see_the_organisation_but_not_the_audit(as_person) -> None:
    luc = as_person(LUC)
    grant = {"nrn": CAMILLE, "domain": "economy", "level": "act"}
    assert luc.post(f"/organisations/{BOULANGERIE}/roles", grant).status_code == 201
    camille = as_person(CAMILLE)
    body = camille.get(f"/organisations/{BOULANGERIE}").json()
    assert body["my_rights"] == ["role"]
    assert camille.get(f"/organisations/{BOULANGERIE}/audit").status_code == 403
    assert camille.get(f"/organisations/{BOULANGERIE}/roles").status_code == 403
    # The fiduciaire's staff hold roles there (on its mandates): they see it, no more.
    julien = as_person(JULIEN)
    assert julien.get(f"/organisations/{FIDUCIAIRE}").json()["my_rights"] == ["role"]
    assert julien.get(f"/organisations/{FIDUCIAIRE}/roles").status_code == 403
