"""eID login: the happy path for both applets and every way a login must fail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import create_engine, update

CITIZEN = "68031412135"  # Philippe Lambert, legal rep of the accounting firm


def challenge(client: Any) -> dict[str, Any]:
    answer = client.post("/api/v1/auth/challenges")
    assert answer.status_code == 201
    return answer.json()


def problem(answer: Any, status: int, kind: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body = answer.json()
    assert body["type"].endswith("/" + kind)
    assert body["status"] == status
    return body


@pytest.mark.parametrize("applet", ["1.7", "1.8"])
def test_login_then_me_then_logout(portal_client, sign_login, applet) -> None:
    ch = challenge(portal_client)
    assert ch["id"].startswith("ch_")
    assert ch["origin"] == "http://testserver"
    answer = portal_client.post("/api/v1/auth/sessions", json=sign_login(ch, CITIZEN, applet))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["person"]["nrn"] == CITIZEN
    assert body["person"]["surname"] == "Lambert"
    headers = {"Authorization": f"Bearer {body['token']}"}
    me = portal_client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    contexts = me.json()["contexts"]
    assert contexts[0] == {
        "id": "me",
        "kind": "person",
        "name": "Philippe Jean Lambert",
        "via": "self",
        "domains": contexts[0]["domains"],
    }
    assert any(c["via"] == "legal_rep" and c["bce"] == "0856712314" for c in contexts)
    assert portal_client.delete("/api/v1/auth/sessions/current", headers=headers).status_code == 204
    after = portal_client.get("/api/v1/me", headers=headers)
    assert "logged out" in problem(after, 401, "authentication-required")["detail"]


def test_token_is_stored_hashed(portal_client, portal_settings, login) -> None:
    token = login(portal_client, CITIZEN)
    engine = create_engine(portal_settings.database_url)
    with engine.connect() as conn:
        stored = [r[0] for r in conn.exec_driver_sql("SELECT token_sha256 FROM sessions")]
    engine.dispose()
    assert token not in stored
    assert len(stored) == 1 and len(stored[0]) == 64


def test_replayed_challenge_is_refused(portal_client, sign_login) -> None:
    ch = challenge(portal_client)
    body = sign_login(ch, CITIZEN)
    assert portal_client.post("/api/v1/auth/sessions", json=body).status_code == 201
    again = portal_client.post("/api/v1/auth/sessions", json=body)
    assert "already used" in problem(again, 401, "authentication-failed")["detail"]


def test_failed_attempt_spends_the_challenge(portal_client, sign_login) -> None:
    ch = challenge(portal_client)
    bad = sign_login(ch, CITIZEN, origin="https://evil.example")
    problem(portal_client.post("/api/v1/auth/sessions", json=bad), 401, "authentication-failed")
    good = sign_login(ch, CITIZEN)
    answer = portal_client.post("/api/v1/auth/sessions", json=good)
    assert "already used" in problem(answer, 401, "authentication-failed")["detail"]


def test_expired_challenge_is_refused(portal_client, portal_settings, sign_login) -> None:
    from portal.models import Challenge

    ch = challenge(portal_client)
    engine = create_engine(portal_settings.database_url)
    with engine.begin() as conn:
        past = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        conn.execute(update(Challenge).where(Challenge.id == ch["id"]).values(expires_at=past))
    engine.dispose()
    answer = portal_client.post("/api/v1/auth/sessions", json=sign_login(ch, CITIZEN))
    assert "expired" in problem(answer, 401, "authentication-failed")["detail"]


def test_unknown_challenge(portal_client, sign_login) -> None:
    body = sign_login({"id": "ch_nope", "nonce": "x", "origin": "http://testserver"}, CITIZEN)
    answer = portal_client.post("/api/v1/auth/sessions", json=body)
    assert "unknown challenge" in problem(answer, 401, "authentication-failed")["detail"]


def test_signature_over_another_origin(portal_client, sign_login) -> None:
    ch = challenge(portal_client)
    body = sign_login(ch, CITIZEN, origin="https://monespace.other.example")
    answer = portal_client.post("/api/v1/auth/sessions", json=body)
    assert "signature is invalid" in problem(answer, 401, "authentication-failed")["detail"]


@pytest.mark.parametrize("applet", ["1.7", "1.8"])
@pytest.mark.parametrize(
    ("kind", "reason"),
    [("unknown_ca", "not trusted"), ("revoked", "revoked"), ("expired", "expired")],
)
def test_bad_certificates(portal_client, sign_login, credentials, applet, kind, reason) -> None:
    creds = credentials(CITIZEN, applet, kind)
    body = sign_login(challenge(portal_client), CITIZEN, credentials=creds)
    answer = portal_client.post("/api/v1/auth/sessions", json=body)
    assert reason in problem(answer, 401, "authentication-failed")["detail"]


def test_person_not_in_register(portal_client, sign_login) -> None:
    from be_identifiers import make_nrn

    stranger = make_nrn(dt.date(1950, 1, 1), 997)
    body = sign_login(challenge(portal_client), stranger)
    answer = portal_client.post("/api/v1/auth/sessions", json=body)
    assert "not known" in problem(answer, 401, "authentication-failed")["detail"]


def test_algorithm_mismatch_and_garbage(portal_client, sign_login) -> None:
    body = sign_login(challenge(portal_client), CITIZEN, "1.8")
    body["algorithm"] = "RS256"
    problem(portal_client.post("/api/v1/auth/sessions", json=body), 401, "authentication-failed")
    body = sign_login(challenge(portal_client), CITIZEN)
    body["certificates"] = ["not base64!!"]
    answer = portal_client.post("/api/v1/auth/sessions", json=body)
    assert "certificate 0" in problem(answer, 401, "authentication-failed")["detail"]
    body = sign_login(challenge(portal_client), CITIZEN)
    body["algorithm"] = "HS256"
    problem(portal_client.post("/api/v1/auth/sessions", json=body), 401, "authentication-failed")


def test_leaf_must_be_first(portal_client, sign_login) -> None:
    body = sign_login(challenge(portal_client), CITIZEN)
    body["certificates"] = body["certificates"][1:]
    problem(portal_client.post("/api/v1/auth/sessions", json=body), 401, "authentication-failed")


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic dXNlcjpwdw=="}],
)
def test_missing_or_invalid_token(portal_client, headers) -> None:
    answer = portal_client.get("/api/v1/me", headers=headers)
    problem(answer, 401, "authentication-required")
    assert answer.headers["www-authenticate"].startswith("Bearer")


def test_expired_token(portal_client, portal_settings, login) -> None:
    from portal.models import AuthSession

    token = login(portal_client, CITIZEN)
    engine = create_engine(portal_settings.database_url)
    with engine.begin() as conn:
        conn.execute(update(AuthSession).values(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)))
    engine.dispose()
    answer = portal_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert "expired" in problem(answer, 401, "authentication-required")["detail"]


def test_malformed_session_request(portal_client) -> None:
    answer = portal_client.post(
        "/api/v1/auth/sessions", content=b"{not json", headers={"content-type": "application/json"}
    )
    problem(answer, 400, "bad-request")
    answer = portal_client.post("/api/v1/auth/sessions", json={"challenge_id": 3})
    body = problem(answer, 422, "validation-failed")
    pointers = {e["pointer"] for e in body["errors"]}
    assert {"/challenge_id", "/certificates", "/signature", "/algorithm"} <= pointers


def test_no_pin_anywhere_in_login(portal_client, sign_login) -> None:
    # The protocol has no PIN field: the server refuses unknown data silently ignored? No:
    # it never asks for one, and a login succeeds without any.
    ch = challenge(portal_client)
    body = sign_login(ch, CITIZEN)
    assert "pin" not in {k.lower() for k in body}
    assert portal_client.post("/api/v1/auth/sessions", json=body).status_code == 201


def test_origin_outside_sandbox(portal_settings) -> None:
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from portal.app import create_app

    for settings, expected in [
        (replace(portal_settings, sandbox=False), None),
        (
            replace(portal_settings, sandbox=False, public_origin="https://monespace.example/"),
            "https://monespace.example",
        ),
    ]:
        app = create_app(settings)
        with TestClient(app) as client:
            answer = client.post("/api/v1/auth/challenges", headers={"Host": "evil.example"})
        app.state.engine.dispose()
        if expected is None:
            problem(answer, 503, "unavailable")
        else:
            assert answer.json()["origin"] == expected
