"""Mandates: propose, accept by the other side, act through them, revoke, expiry."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import create_engine, update

from portal.models import Mandate

from .conftest import (
    BOULANGERIE,
    CAMILLE,
    CHLOE,
    CONSEIL,
    EIFEL,
    FIDUCIAIRE,
    JULIEN,
    KEVIN,
    LUC,
    OLIVIER,
    PHILIPPE,
    SOPHIE,
)

SESAM = {"procedure": "SESAM"}  # employment
CHEQUES = {"procedure": "CHEQUES-ENTREPRISES"}  # economy


def _propose(user, **extra):
    body = {
        "beneficiary": CONSEIL,
        "mandataire": FIDUCIAIRE,
        "domains": ["employment"],
        "valid_from": "2026-01-01",
        **extra,
    }
    return user.post("/mandates", body)


def _contexts(user) -> set[str]:
    return {c["id"] for c in user.get("/me").json()["contexts"]}


def test_mandate_life_cycle_and_staff_acting_through_it(as_person) -> None:
    olivier, sophie, camille = as_person(OLIVIER), as_person(SOPHIE), as_person(CAMILLE)
    assert camille.post("/dossiers", SESAM, CONSEIL).status_code == 403
    proposed = _propose(olivier)
    assert proposed.status_code == 201, proposed.text
    mandate = proposed.json()
    assert mandate["state"] == "proposed" and mandate["proposed_by"] == CONSEIL
    assert mandate["beneficiary"]["name"] == "Conseil & Stratégie Wallonie SRL"
    assert mandate["decided_by"] is None
    mid = mandate["id"]
    assert _propose(olivier).status_code == 409  # one pending mandate per pair
    # The proposer's side cannot accept; a stranger does not see it.
    assert olivier.post(f"/mandates/{mid}/accept").status_code == 403
    assert as_person(LUC).post(f"/mandates/{mid}/accept").status_code == 404
    # The mandataire's GAP grants its staff a role on that mandate.
    role = {
        "nrn": CAMILLE,
        "domain": "employment",
        "level": "act",
        "on_mandates": True,
        "beneficiary": CONSEIL,
    }
    granted = sophie.post(f"/organisations/{FIDUCIAIRE}/roles", role)
    assert granted.status_code == 201, granted.text
    assert camille.post("/dossiers", SESAM, CONSEIL).status_code == 403  # not accepted yet
    accepted = sophie.post(f"/mandates/{mid}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["state"] == "active"
    assert accepted.json()["decided_by"]["nrn"] == SOPHIE
    assert sophie.post(f"/mandates/{mid}/refuse").status_code == 409
    # Active: the staff member files in a covered domain, and only there.
    dossier = camille.post("/dossiers", SESAM, CONSEIL)
    assert dossier.status_code == 201, dossier.text
    assert dossier.json()["applicant"]["id"] == CONSEIL
    outside = camille.post("/dossiers", CHEQUES, CONSEIL)
    assert outside.status_code == 403, outside.text
    assert as_person(JULIEN).post("/dossiers", SESAM, CONSEIL).status_code == 201
    # Opening the dossier is a read the beneficiary sees in its access log.
    dossier_id = dossier.json()["id"]
    assert camille.get(f"/dossiers/{dossier_id}", CONSEIL).status_code == 200
    log = olivier.get("/mydata/access-log", CONSEIL).json()["items"]
    opened = [e for e in log if e["data"] == "dossier" and e["accessor"]["nrn"] == CAMILLE]
    assert len(opened) == 1 and opened[0]["dossier_id"] == dossier_id
    # Revoked by the beneficiary: refused on the very next request.
    revoked = olivier.post(f"/mandates/{mid}/revoke")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    assert camille.get(f"/dossiers/{dossier_id}", CONSEIL).status_code == 403
    assert camille.post("/dossiers", SESAM, CONSEIL).status_code == 403
    assert CONSEIL not in _contexts(camille)
    assert olivier.post(f"/mandates/{mid}/revoke").status_code == 409
    # Both sides' audit trails tell the story, old → new.
    for user, org in ((olivier, CONSEIL), (sophie, FIDUCIAIRE)):
        items = user.get(f"/organisations/{org}/audit").json()["items"]
        story = [
            (e["action"], e["old"] and e["old"]["state"], e["new"]["state"])
            for e in items
            if e["target"] == f"mandate:{mid}"
        ]
        assert story == [
            ("mandate.revoke", "active", "revoked"),
            ("mandate.accept", "proposed", "active"),
            ("mandate.propose", None, "proposed"),
        ]
    listed = sophie.get(f"/mandates?organisation={FIDUCIAIRE}&state=revoked").json()["items"]
    assert [m["id"] for m in listed] == [mid]


def test_refusal_and_who_may_propose(as_person) -> None:
    sophie, olivier = as_person(SOPHIE), as_person(OLIVIER)
    assert _propose(as_person(KEVIN)).status_code == 403  # manages neither side
    bad = sophie.post(
        "/mandates",
        {"beneficiary": FIDUCIAIRE, "mandataire": FIDUCIAIRE, "domains": ["space"]},
    )
    assert bad.status_code == 422
    assert {e["pointer"] for e in bad.json()["errors"]} == {"/mandataire", "/domains"}
    proposed = _propose(sophie, domains=["employment", "economy"])
    assert proposed.json()["proposed_by"] == FIDUCIAIRE
    mid = proposed.json()["id"]
    assert sophie.post(f"/mandates/{mid}/refuse").status_code == 403
    refused = olivier.post(f"/mandates/{mid}/refuse")
    assert refused.status_code == 200 and refused.json()["state"] == "refused"
    assert olivier.post(f"/mandates/{mid}/accept").status_code == 409
    assert olivier.post(f"/mandates/{mid}/revoke").status_code == 409
    assert CONSEIL not in _contexts(as_person(JULIEN))
    assert _propose(sophie).status_code == 201  # a refused one does not block a new one


def test_expired_mandates_stop_working(as_person, portal_settings) -> None:
    julien, philippe = as_person(JULIEN), as_person(PHILIPPE)
    # The sandbox mandate of Eifel Bau ended on 2025-12-31.
    assert julien.post("/dossiers", SESAM, EIFEL).status_code == 403
    eifel = philippe.get(f"/mandates?organisation={FIDUCIAIRE}&state=expired").json()["items"]
    assert [m["beneficiary"]["bce"] for m in eifel] == [EIFEL]
    assert philippe.post(f"/mandates/{eifel[0]['id']}/revoke").status_code == 409
    # An active mandate reaching its end date stops working the next day.
    active = philippe.get(f"/mandates?organisation={FIDUCIAIRE}&state=active").json()["items"]
    boulangerie = next(m for m in active if m["beneficiary"]["bce"] == BOULANGERIE)
    assert julien.post("/dossiers", SESAM, BOULANGERIE).status_code == 201
    engine = create_engine(portal_settings.database_url)
    with engine.begin() as conn:
        yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
        conn.execute(
            update(Mandate)
            .where(Mandate.id == int(boulangerie["id"]))
            .values(valid_until=yesterday)
        )
    engine.dispose()
    assert julien.post("/dossiers", SESAM, BOULANGERIE).status_code == 403
    mandate = as_person(LUC).get(f"/mandates/{boulangerie['id']}").json()
    assert mandate["state"] == "expired"


def test_mandate_lists_are_limited_to_managed_organisations(as_person) -> None:
    chloe = as_person(CHLOE)  # Wallux Solar refused the fiduciaire's mandate
    mine = chloe.get("/mandates").json()["items"]
    assert [(m["mandataire"]["bce"], m["state"]) for m in mine] == [(FIDUCIAIRE, "refused")]
    assert chloe.get(f"/mandates?organisation={FIDUCIAIRE}").status_code == 404
    assert chloe.get(f"/mandates/{mine[0]['id']}").status_code == 200
    assert as_person(KEVIN).get(f"/mandates/{mine[0]['id']}").status_code == 404
    assert chloe.get("/mandates?state=bogus").status_code == 400
    staff = as_person(CAMILLE).get("/mandates").json()["items"]
    assert staff == []  # staff act through mandates but do not manage them


def test_odd_ids_are_404_not_500(as_person) -> None:
    luc = as_person(LUC)
    for odd in ("²", "0", "-1", "1e3", "9" * 40, "١٢"):
        assert luc.post(f"/mandates/{odd}/accept").status_code == 404, odd
        assert luc.delete(f"/organisations/{BOULANGERIE}/roles/{odd}").status_code == 404, odd
    assert luc.get("/organisations/０６４１２３８５９１").status_code == 404
