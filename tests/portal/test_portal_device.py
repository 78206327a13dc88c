"""Login on another device (RFC 8628): the endpoints, the sandbox page, the card-only acts."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import create_engine, select, update

from portal.auth.tokens import token_hash
from portal.models import DeviceAuthorization

API = "/api/v1"
GRANT = "urn:ietf:params:oauth:grant-type:device_code"
OLIVIER = "87090118922"  # legal rep and GAP of Conseil & Stratégie
CONSEIL, FIDUCIAIRE = "1004821515", "0856712314"


def start(client: Any) -> dict[str, Any]:
    answer = client.post(f"{API}/auth/device")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def poll(client: Any, device_code: str) -> Any:
    return client.post(
        f"{API}/auth/device/token", json={"grant_type": GRANT, "device_code": device_code}
    )


def rfc_error(answer: Any) -> str:
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    return str(answer.json()["error"])


def page_decide(client: Any, user_code: str, nrn: str, decision: str) -> Any:
    """Open the page (its CSRF cookie and field), then send the form as a browser would."""
    form = client.get("/device", params={"user_code": user_code})
    assert form.status_code == 200, form.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    fields = {"csrf": csrf.group(1), "user_code": user_code, "person": nrn, "decision": decision}
    return client.post("/device", data=fields)


def test_start_gives_short_unambiguous_code_and_the_page_address(portal_client) -> None:
    body = start(portal_client)
    assert re.fullmatch(r"[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}", body["user_code"])
    assert body["verification_uri"].endswith("/device")
    assert body["verification_uri_complete"] == (
        f"{body['verification_uri']}?user_code={body['user_code']}"
    )
    assert body["interval"] == 5 and body["expires_in"] == 600
    assert len(body["device_code"]) >= 40


def test_codes_are_stored_hashed(portal_client, portal_settings) -> None:
    body = start(portal_client)
    engine = create_engine(portal_settings.database_url)
    with engine.connect() as db:
        row = db.execute(select(DeviceAuthorization)).one()
    engine.dispose()
    stored = " ".join(str(v) for v in row)
    assert body["device_code"] not in stored and body["user_code"] not in stored
    assert row.device_code_sha256 == token_hash(body["device_code"])


def test_pending_then_slow_down_then_approved_once(portal_client) -> None:
    body = start(portal_client)
    first = poll(portal_client, body["device_code"])
    assert rfc_error(first) == "authorization_pending"
    assert first.json()["interval"] == 5
    fast = poll(portal_client, body["device_code"])
    assert rfc_error(fast) == "slow_down" and fast.json()["interval"] == 10
    # The person approves on the page, typing the code in lower case without its dash.
    typed = body["user_code"].replace("-", "").lower()
    decided = page_decide(portal_client, typed, OLIVIER, "approve")
    assert decided.status_code == 200 and "Approved" in decided.text
    session = poll(portal_client, body["device_code"])
    assert session.status_code == 200, session.text
    token = session.json()
    assert token["token_type"] == "Bearer" and token["method"] == "device"
    assert token["person"]["nrn"] == OLIVIER and token["access_token"] == token["token"]
    me = portal_client.get(f"{API}/me", headers={"Authorization": f"Bearer {token['token']}"})
    assert me.json()["session_method"] == "device"
    assert rfc_error(poll(portal_client, body["device_code"])) == "invalid_grant"  # single use
    # A decided code cannot be decided again.
    assert page_decide(portal_client, body["user_code"], OLIVIER, "refuse").status_code == 400


def test_refused_is_access_denied(portal_client) -> None:
    body = start(portal_client)
    refused = page_decide(portal_client, body["user_code"], OLIVIER, "refuse")
    assert refused.status_code == 200 and "Refused" in refused.text
    answer = poll(portal_client, body["device_code"])
    assert rfc_error(answer) == "access_denied"
    assert "refused" in answer.json()["detail"]


def test_expired_code(portal_client, portal_settings) -> None:
    body = start(portal_client)
    engine = create_engine(portal_settings.database_url)
    with engine.begin() as db:
        db.execute(update(DeviceAuthorization).values(expires_at=DeviceAuthorization.created_at))
    engine.dispose()
    assert rfc_error(poll(portal_client, body["device_code"])) == "expired_token"
    assert page_decide(portal_client, body["user_code"], OLIVIER, "approve").status_code == 400


def test_unknown_device_code_and_bad_grant_type(portal_client) -> None:
    assert rfc_error(poll(portal_client, "nope")) == "invalid_grant"
    wrong = portal_client.post(
        f"{API}/auth/device/token", json={"grant_type": "password", "device_code": "x"}
    )
    assert wrong.status_code == 422


def test_form_without_its_csrf_token_is_refused(portal_client) -> None:
    body = start(portal_client)
    portal_client.get("/device")  # sets the cookie
    forged = {"csrf": "forged", "user_code": body["user_code"], "person": OLIVIER}
    answer = portal_client.post("/device", data={**forged, "decision": "approve"})
    assert answer.status_code == 403
    assert rfc_error(poll(portal_client, body["device_code"])) == "authorization_pending"


def test_guessing_user_codes_is_bounded(portal_client) -> None:
    body = start(portal_client)
    for _ in range(10):  # MONESPACE_PORTAL_RATE_DEVICE_CODE_FAILURES: 10 per 5 minutes
        assert page_decide(portal_client, "BBBB-BBBB", OLIVIER, "approve").status_code == 400
    # Now even the right code is refused from this address.
    blocked = page_decide(portal_client, body["user_code"], OLIVIER, "approve")
    assert blocked.status_code == 429


def test_page_speaks_the_browser_language(portal_client) -> None:
    page = portal_client.get("/device", headers={"Accept-Language": "de-BE"})
    assert 'lang="de"' in page.text and "Genehmigen" in page.text
    page = portal_client.get("/device", headers={"Accept-Language": "fr"})
    assert "Approuver" in page.text


def _device_session(client: Any, nrn: str) -> dict[str, str]:
    body = start(client)
    page_decide(client, body["user_code"], nrn, "approve")
    answer = poll(client, body["device_code"])
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_signing_a_mandate_requires_a_card_login(portal_client, login) -> None:
    proposal = {
        "beneficiary": CONSEIL,
        "mandataire": FIDUCIAIRE,
        "domains": ["employment"],
        "valid_from": "2026-01-01",
    }
    headers = _device_session(portal_client, OLIVIER)
    refused = portal_client.post(f"{API}/mandates", json=proposal, headers=headers)
    assert refused.status_code == 403, refused.text
    problem = refused.json()
    assert problem["required_login"] == "eid" and problem["session_method"] == "device"
    assert "eID card" in problem["detail"]
    # Reading is fine from a device session; with the card, the same proposal goes through.
    assert portal_client.get(f"{API}/me", headers=headers).status_code == 200
    card = {"Authorization": f"Bearer {login(portal_client, OLIVIER)}"}
    assert portal_client.post(f"{API}/mandates", json=proposal, headers=card).status_code == 201
    assert portal_client.get(f"{API}/me", headers=card).json()["session_method"] == "eid"


def test_access_log_says_how_the_reader_logged_in(portal_client, login) -> None:
    """A prefill read from a device session is logged as such; a card session's as eid."""
    entries = {}
    for method, headers in (
        ("device", _device_session(portal_client, OLIVIER)),
        ("eid", {"Authorization": f"Bearer {login(portal_client, OLIVIER)}"}),
    ):
        created = portal_client.post(
            f"{API}/dossiers", json={"procedure": "PERMIS-PECHE"}, headers=headers
        )
        assert created.status_code == 201, created.text
        log = portal_client.get(f"{API}/mydata/access-log", headers=headers).json()["items"]
        entries[method] = {
            e["accessor_login"] for e in log if e.get("dossier_id") == created.json()["id"]
        }
    assert entries == {"device": {"device"}, "eid": {"eid"}}


def test_a_procedure_can_require_a_card_login_to_submit(portal_database, pki_dir, login) -> None:
    from fastapi.testclient import TestClient

    from portal.app import create_app
    from tests.conftest import make_settings

    settings = make_settings(
        portal_database, pki_dir, card_required=frozenset({"submit:PERMIS-PECHE"})
    )
    app = create_app(settings)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            headers = _device_session(client, OLIVIER)
            card = {"Authorization": f"Bearer {login(client, OLIVIER)}"}
            for who in (headers, card):
                created = client.post(
                    f"{API}/dossiers", json={"procedure": "PERMIS-PECHE"}, headers=who
                )
                assert created.status_code == 201, created.text
                submitted = client.post(
                    f"{API}/dossiers/{created.json()['id']}/submit", headers=who
                )
                if who is headers:
                    assert submitted.status_code == 403, submitted.text
                    assert submitted.json()["required_login"] == "eid"
                else:  # the card session reaches the dossier's own checks
                    assert submitted.status_code in (200, 422), submitted.text
    finally:
        app.state.engine.dispose()


def test_with_the_federal_service_the_page_hands_over_and_says_what_is_missing(
    portal_database, pki_dir
) -> None:
    """``fas``: the code only, then a redirect to the provider; its callback is not implemented."""
    from urllib.parse import parse_qs, urlsplit

    from fastapi.testclient import TestClient

    from portal.app import create_app
    from tests.conftest import make_settings

    settings = make_settings(
        portal_database,
        pki_dir,
        sandbox=False,
        public_origin="https://monespace.example",
        device_verifier="fas",
        fas_authorization_endpoint="https://fas.example/authorize",
        fas_client_id="monespace",
    )
    app = create_app(settings)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            body = start(client)
            assert body["verification_uri"] == "https://monespace.example/device"
            form = client.get("/device", params={"user_code": body["user_code"]})
            assert 'name="person"' not in form.text and "Sandbox" not in form.text
            csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert csrf is not None
            fields = {"csrf": csrf.group(1), "user_code": body["user_code"], "decision": "approve"}
            handed = client.post("/device", data=fields, follow_redirects=False)
            assert handed.status_code == 303, handed.text
            target = urlsplit(handed.headers["location"])
            assert (
                f"{target.scheme}://{target.netloc}{target.path}" == "https://fas.example/authorize"
            )
            query = {k: v[0] for k, v in parse_qs(target.query).items()}
            assert query["client_id"] == "monespace" and query["response_type"] == "code"
            assert query["redirect_uri"] == "https://monespace.example/device/callback"
            state = query["state"]
            # Another browser (without this one's cookie) cannot use the state.
            client.cookies.clear()
            assert (
                client.get("/device/callback", params={"code": "c", "state": state}).status_code
                == 403
            )
            client.cookies.set("monespace_device_csrf", csrf.group(1), path="/device")
            back = client.get("/device/callback", params={"code": "c", "state": state})
            assert back.status_code == 503
            assert "not implemented" in back.json()["detail"]
            assert rfc_error(poll(client, body["device_code"])) == "authorization_pending"
    finally:
        app.state.engine.dispose()
