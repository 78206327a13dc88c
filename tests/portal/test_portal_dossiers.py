"""Dossiers through the in-process app: prefill, edit with ETag, validate, submit,
withdraw, history, acting contexts, and the bad inputs of the foundation issue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from portal.models import AccessLogEntry, Dossier, DossierEvent

ROOT = Path(__file__).resolve().parents[2]
CITIZEN = "68031412135"  # Philippe Lambert (legal rep of the accounting firm)
ACCOUNTANT = "91052314742"  # employee of the firm, acts on mandates
FIRM = "0856712314"
CLIENT_CO = "0641238591"  # beneficiary of an active employment/economy mandate


def example(code: str) -> dict[str, Any]:
    path = ROOT / "portal/sandbox/procedures" / f"{code}.json"
    return json.loads(path.read_text(encoding="utf-8"))["example_data"]


@pytest.fixture
def citizen(portal_client, login) -> dict[str, str]:
    return {"Authorization": f"Bearer {login(portal_client, CITIZEN)}"}


def problem(answer: Any, status: int, kind: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body = answer.json()
    assert body["type"] == f"https://monespace.example/problems/{kind}"
    return body


def count(settings: Any, model: Any) -> int:
    engine = create_engine(settings.database_url)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(model)).scalar_one()
    engine.dispose()
    return int(n)


def create(client: Any, headers: dict[str, str], code: str, data: Any = None) -> Any:
    body: dict[str, Any] = {"procedure": code}
    if data is not None:
        body["data"] = data
    return client.post("/api/v1/dossiers", json=body, headers=headers)


def test_create_prefills_and_logs_access(portal_client, portal_settings, citizen) -> None:
    answer = create(portal_client, citizen, "PERMIS-PECHE", {"permit_type": "B", "year": 2027})
    assert answer.status_code == 201, answer.text
    dossier = answer.json()
    assert dossier["id"].startswith("MSP-") and dossier["status"] == "draft"
    assert dossier["version"] == 1 and answer.headers["etag"] == '"1"'
    assert dossier["applicant"] == {
        "kind": "person",
        "id": CITIZEN,
        "name": "Philippe Jean Lambert",
    }
    assert dossier["data"]["holder"]["nrn"] == CITIZEN
    assert dossier["data"]["holder"]["address"]["municipality"] == "Namur"
    assert dossier["prefilled"]["/holder/nrn"] == "rn"
    assert dossier["data"]["permit_type"] == "B"
    assert count(portal_settings, AccessLogEntry) >= 1
    got = portal_client.get(f"/api/v1/dossiers/{dossier['id']}", headers=citizen)
    assert got.status_code == 200 and got.json() == dossier


def test_supplied_data_wins_over_prefill(portal_client, citizen) -> None:
    data = {"holder": {"email": "autre@example.be"}, "permit_type": "A", "year": 2027}
    dossier = create(portal_client, citizen, "PERMIS-PECHE", data).json()
    assert dossier["data"]["holder"]["email"] == "autre@example.be"
    assert "/holder/email" not in dossier["prefilled"]
    assert dossier["data"]["holder"]["surname"] == "Lambert"


def test_full_life_cycle(portal_client, citizen) -> None:
    dossier = create(portal_client, citizen, "PERMIS-PECHE").json()
    url = f"/api/v1/dossiers/{dossier['id']}"
    report = portal_client.post(f"{url}/validate", headers=citizen).json()
    assert report["valid"] is False
    assert {"pointer": "/permit_type", "message": "this field is required"} in report["errors"]
    refused = portal_client.post(f"{url}/submit", headers=citizen)
    body = problem(refused, 422, "validation-failed")
    assert any(e["pointer"] == "/year" for e in body["errors"])
    data = dict(dossier["data"], permit_type="B", year=2027)
    put = portal_client.put(f"{url}/data", json=data, headers={**citizen, "If-Match": '"1"'})
    assert put.status_code == 200, put.text
    assert put.json()["version"] == 2 and put.headers["etag"] == '"2"'
    assert portal_client.post(f"{url}/validate", headers=citizen).json() == {
        "valid": True,
        "errors": [],
        "missing_attachments": [],
    }
    submitted = portal_client.post(f"{url}/submit", headers={**citizen, "Idempotency-Key": "k1"})
    assert submitted.status_code == 200, submitted.text
    result = submitted.json()
    assert result["status"] == "submitted" and "submitted_at" in result
    again = portal_client.post(f"{url}/submit", headers={**citizen, "Idempotency-Key": "k1"})
    assert again.status_code == 200 and again.json() == result
    problem(portal_client.post(f"{url}/submit", headers=citizen), 409, "conflict")
    stale = portal_client.put(f"{url}/data", json=data, headers={**citizen, "If-Match": '"2"'})
    problem(stale, 412, "stale-version")
    current = f'"{result["version"]}"'
    locked = portal_client.put(f"{url}/data", json=data, headers={**citizen, "If-Match": current})
    problem(locked, 409, "conflict")
    withdrawn = portal_client.post(f"{url}/withdraw", headers=citizen)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    problem(portal_client.post(f"{url}/withdraw", headers=citizen), 409, "conflict")
    events = portal_client.get(f"{url}/events", headers=citizen).json()["items"]
    types = [e["type"] for e in events]
    assert types[0] == "created" and "data_updated" in types and "submitted" in types
    last = events[-1]
    assert (last["old"], last["new"]) == ("submitted", "withdrawn")
    assert last["actor"] == {"nrn": CITIZEN, "name": "Philippe Jean Lambert"}
    assert last["acting_as"] == "me"


def test_submit_with_fee_files_receipt_and_payment(portal_client, citizen) -> None:
    pytest.importorskip("portal.services.documents")
    data = example("PERMIS-PECHE")
    dossier = create(portal_client, citizen, "PERMIS-PECHE", data).json()
    answer = portal_client.post(f"/api/v1/dossiers/{dossier['id']}/submit", headers=citizen)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body.get("receipt_document_id")
    assert body.get("payment_id")


def test_stale_etag_and_missing_if_match(portal_client, citizen) -> None:
    dossier = create(portal_client, citizen, "PERMIS-PECHE").json()
    url = f"/api/v1/dossiers/{dossier['id']}/data"
    problem(portal_client.put(url, json={}, headers=citizen), 428, "precondition-required")
    problem(
        portal_client.put(url, json={}, headers={**citizen, "If-Match": '"7"'}),
        412,
        "stale-version",
    )
    problem(
        portal_client.put(url, json={}, headers={**citizen, "If-Match": "x"}), 400, "bad-request"
    )
    again = portal_client.get(f"/api/v1/dossiers/{dossier['id']}", headers=citizen).json()
    assert again["version"] == 1 and again["data"] == dossier["data"]


def test_invalid_identifiers_are_field_errors(portal_client, citizen) -> None:
    data = example("PERMIS-PECHE")
    data["holder"]["nrn"] = "12345678901"
    data["holder"]["birth_date"] = "not a date"
    data["year"] = "2027"
    dossier = create(portal_client, citizen, "PERMIS-PECHE", data).json()
    report = portal_client.post(
        f"/api/v1/dossiers/{dossier['id']}/validate", headers=citizen
    ).json()
    pointers = {e["pointer"] for e in report["errors"]}
    assert {"/holder/nrn", "/holder/birth_date", "/year"} <= pointers


def test_invalid_bce_and_iban(portal_client, login) -> None:
    headers = {
        "Authorization": f"Bearer {login(portal_client, ACCOUNTANT)}",
        "X-Acting-As": CLIENT_CO,
    }
    data = example("SESAM")
    dossier = create(portal_client, headers, "SESAM", data)
    assert dossier.status_code == 201, dossier.text
    body = dossier.json()
    assert body["applicant"]["id"] == CLIENT_CO and body["acting_as"] == CLIENT_CO
    data = body["data"]
    data["enterprise"]["bce"] = "0123456789"
    ibans = _iban_pointers(portal_client, "SESAM")
    for pointer in ibans:
        _set(data, pointer, "BE00123456789012")
    put = portal_client.put(
        f"/api/v1/dossiers/{body['id']}/data", json=data, headers={**headers, "If-Match": '"1"'}
    )
    assert put.status_code == 200
    report = portal_client.post(f"/api/v1/dossiers/{body['id']}/validate", headers=headers).json()
    pointers = {e["pointer"] for e in report["errors"]}
    assert "/enterprise/bce" in pointers
    assert set(ibans) <= pointers


def _iban_pointers(client: Any, code: str) -> list[str]:
    form = client.get(f"/api/v1/procedures/{code}").json()["form"]
    found: list[str] = []

    def walk(schema: Any, path: str) -> None:
        if isinstance(schema, dict):
            if schema.get("format") == "iban":
                found.append(path)
            for name, sub in (schema.get("properties") or {}).items():
                walk(sub, f"{path}/{name}")

    walk(form, "")
    return found


def _set(data: dict[str, Any], pointer: str, value: Any) -> None:
    parts = pointer.strip("/").split("/")
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value


def test_acting_contexts(portal_client, login) -> None:
    token = login(portal_client, ACCOUNTANT)
    me = portal_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    mandated = {c["id"]: c for c in me["contexts"] if c["via"] == "mandate"}
    assert CLIENT_CO in mandated
    assert set(mandated[CLIENT_CO]["domains"]) <= {"employment", "economy"}
    as_client = {"Authorization": f"Bearer {token}", "X-Acting-As": CLIENT_CO}
    # planning is outside the mandate's domains
    problem(create(portal_client, as_client, "CU1"), 403, "forbidden")
    # an organisation the accountant has nothing to do with
    other = {"Authorization": f"Bearer {token}", "X-Acting-As": "0441208755"}
    problem(portal_client.get("/api/v1/dossiers", headers=other), 403, "forbidden")
    bad = {"Authorization": f"Bearer {token}", "X-Acting-As": "someone"}
    problem(portal_client.get("/api/v1/dossiers", headers=bad), 400, "bad-request")


def test_other_peoples_dossiers_are_not_found(portal_client, login, citizen) -> None:
    dossier = create(portal_client, citizen, "PERMIS-PECHE").json()
    stranger = {"Authorization": f"Bearer {login(portal_client, ACCOUNTANT)}"}
    for method, suffix in [
        ("get", ""),
        ("post", "/validate"),
        ("post", "/submit"),
        ("get", "/events"),
    ]:
        answer = getattr(portal_client, method)(
            f"/api/v1/dossiers/{dossier['id']}{suffix}", headers=stranger
        )
        problem(answer, 404, "not-found")
    # the citizen acting for the firm does not see their own private dossier either
    as_firm = {**citizen, "X-Acting-As": FIRM}
    problem(
        portal_client.get(f"/api/v1/dossiers/{dossier['id']}", headers=as_firm), 404, "not-found"
    )


def test_unknown_things(portal_client, portal_settings, citizen) -> None:
    before = count(portal_settings, Dossier)
    problem(create(portal_client, citizen, "NO-SUCH-THING"), 404, "not-found")
    assert count(portal_settings, Dossier) == before
    for bad in ["MSP-2026-999999", "nonsense", "MSP-1999-000001"]:
        problem(portal_client.get(f"/api/v1/dossiers/{bad}", headers=citizen), 404, "not-found")
    problem(portal_client.get("/api/v1/procedures/NOPE"), 404, "not-found")
    problem(portal_client.get("/api/v1/nowhere"), 404, "not-found")


def test_malformed_and_wrong_types(portal_client, portal_settings, citizen) -> None:
    before = count(portal_settings, Dossier), count(portal_settings, DossierEvent)
    raw = portal_client.post(
        "/api/v1/dossiers",
        content=b'{"procedure": ',
        headers={**citizen, "content-type": "application/json"},
    )
    problem(raw, 400, "bad-request")
    typed = portal_client.post(
        "/api/v1/dossiers", json={"procedure": 12, "data": []}, headers=citizen
    )
    body = problem(typed, 422, "validation-failed")
    assert {e["pointer"] for e in body["errors"]} == {"/procedure", "/data"}
    problem(
        portal_client.get("/api/v1/dossiers?limit=0", headers=citizen), 422, "validation-failed"
    )
    problem(portal_client.get("/api/v1/dossiers?cursor=zzz", headers=citizen), 400, "bad-request")
    problem(portal_client.get("/api/v1/dossiers?status=lost", headers=citizen), 400, "bad-request")
    from portal.pagination import encode_cursor

    for key in (["2026-01-01T00:00:00+00:00", 10**30], ["2026-01-01T00:00:00", 5], ["x"]):
        cursor = encode_cursor("dossiers", key)
        answer = portal_client.get("/api/v1/dossiers", params={"cursor": cursor}, headers=citizen)
        problem(answer, 400, "bad-request")
    other = encode_cursor("procedures", [5])
    problem(portal_client.get("/api/v1/procedures", params={"cursor": other}), 400, "bad-request")
    huge = "/api/v1/dossiers/MSP-2026-999999999999999999999999"
    problem(portal_client.get(huge, headers=citizen), 404, "not-found")
    assert (count(portal_settings, Dossier), count(portal_settings, DossierEvent)) == before


def test_body_too_large(portal_client, citizen) -> None:
    huge = {"procedure": "PERMIS-PECHE", "data": {"x": "a" * (3 * 1024 * 1024)}}
    problem(portal_client.post("/api/v1/dossiers", json=huge, headers=citizen), 413, "too-large")


def test_chunked_body_too_large(portal_client, portal_settings, citizen) -> None:
    before = count(portal_settings, Dossier)

    def chunks():
        yield b'{"procedure": "DOGID", "data": {"x": "'
        for _ in range(300):
            yield b"a" * 10_000
        yield b'"}}'

    headers = {**citizen, "content-type": "application/json"}
    answer = portal_client.post("/api/v1/dossiers", content=chunks(), headers=headers)
    problem(answer, 413, "too-large")
    assert count(portal_settings, Dossier) == before


def test_idempotent_create(portal_client, portal_settings, citizen) -> None:
    headers = {**citizen, "Idempotency-Key": "create-1"}
    first = create(portal_client, headers, "DOGID")
    assert first.status_code == 201
    before = count(portal_settings, Dossier)
    second = create(portal_client, headers, "DOGID")
    assert second.status_code == 201 and second.json()["id"] == first.json()["id"]
    assert count(portal_settings, Dossier) == before
    problem(create(portal_client, headers, "PERMIS-PECHE"), 409, "conflict")


def test_list_keyset_pagination_and_filters(portal_client, citizen) -> None:
    ids = [create(portal_client, citizen, "DOGID").json()["id"] for _ in range(7)]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, "procedure": "DOGID"}
        if cursor:
            params["cursor"] = cursor
        page = portal_client.get("/api/v1/dossiers", params=params, headers=citizen).json()
        assert all("data" not in item for item in page["items"])
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))
    drafts = portal_client.get("/api/v1/dossiers?status=submitted&procedure=DOGID", headers=citizen)
    assert drafts.json()["items"] == []


def test_catalog(portal_client) -> None:
    page = portal_client.get("/api/v1/procedures", params={"limit": 5}).json()
    codes = [p["code"] for p in page["items"]]
    assert codes == sorted(codes) and len(codes) == 5 and page["next_cursor"]
    rest = portal_client.get(
        "/api/v1/procedures", params={"cursor": page["next_cursor"], "limit": 500}
    )
    assert len(codes) + len(rest.json()["items"]) >= 12
    citizens = portal_client.get("/api/v1/procedures?audience=citizen").json()["items"]
    assert citizens and all("citizen" in p["audience"] for p in citizens)
    found = portal_client.get("/api/v1/procedures?q=pêche").json()["items"]
    assert [p["code"] for p in found] == ["PERMIS-PECHE"]
    detail = portal_client.get("/api/v1/procedures/PERMIS-PECHE").json()
    assert detail["form"]["$schema"].endswith("2020-12/schema")
    assert detail["fee"] == {"amount": "12.39", "currency": "EUR"}
    assert detail["service"]["code"] and detail["service"]["name"]["fr"]
    problem(portal_client.get("/api/v1/procedures/PERMIS-PECHE?version=99"), 404, "not-found")
