"""Personal access tokens at the portal: scopes, context, revocation, expiry, trail.

In-process portals on a private copy of the sandbox database (SQLite, and
PostgreSQL when configured); logins through the real challenge–response.
The end-to-end CLI tests are in tests/cli/test_cli_access_tokens.py.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, update

from eid.pki import SandboxPKI
from portal.auth.scopes import OPERATIONS, SCOPES
from portal.models import AccessToken, Role
from tests.conftest import make_settings
from tests.portal.test_portal_revocation import fresh_credentials, log_in

CITIZEN = "86040203095"  # Marie Claire Dubois
COMPANY = "0459811078"  # Transports Wéry SA
LEGAL_REP = "62062701534"  # Marc Wéry, legal representative of the company
MANDATAIRE = "91052314742"  # Julien Martin: firm staff, roles on all its mandates (employment)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def create(client: Any, session: str, **body: Any) -> Any:
    body = {"name": "ci", "scopes": ["dossiers:read"], **body}
    return client.post("/api/v1/auth/tokens", json=body, headers=bearer(session))


def test_every_operation_has_a_scope_decision(portal_app: Any) -> None:
    """A new endpoint fails here until portal/auth/scopes.py says what a token needs."""
    operations = {
        (method.upper(), path)
        for path, item in portal_app.openapi()["paths"].items()
        for method in item
    }
    assert operations - set(OPERATIONS) == set(), "operations without a scope decision"
    assert set(OPERATIONS) - operations == set(), "scope lines of operations that are gone"
    assert set(OPERATIONS.values()) - set(SCOPES) == {"(public)", "(any token)", "(session only)"}


def test_token_is_shown_once_stored_hashed_and_checks_its_scope(
    portal_client: Any, login: Callable[..., str], portal_app: Any
) -> None:
    session = login(portal_client, CITIZEN)
    answer = create(portal_client, session, name="nightly")
    assert answer.status_code == 201, answer.text
    token = answer.json()["token"]
    assert token.startswith("mspat_") and answer.json()["scopes"] == ["dossiers:read"]
    with portal_app.state.sessionmaker() as db:
        row = db.get(AccessToken, answer.json()["id"])
        assert row is not None and token not in row.token_sha256
    listed = portal_client.get("/api/v1/auth/tokens", headers=bearer(session)).json()["items"]
    assert [t["name"] for t in listed] == ["nightly"] and "token" not in listed[0]

    read = portal_client.get("/api/v1/dossiers", headers=bearer(token))
    assert read.status_code == 200, read.text
    refused = portal_client.post(
        "/api/v1/dossiers", json={"procedure": "CU1"}, headers=bearer(token)
    )
    assert refused.status_code == 403
    assert "dossiers:write" in refused.json()["detail"]
    agent = portal_client.get("/api/v1/agent/queue", headers=bearer(token))
    assert agent.status_code == 403 and "agent:read" in agent.json()["detail"]


def test_a_token_cannot_manage_tokens(portal_client: Any, login: Callable[..., str]) -> None:
    session = login(portal_client, CITIZEN)
    token = create(portal_client, session).json()["token"]
    for call in (
        lambda: create(portal_client, token),
        lambda: portal_client.get("/api/v1/auth/tokens", headers=bearer(token)),
    ):
        answer = call()
        assert answer.status_code == 403
        assert "card login session" in answer.json()["detail"]


def test_lifetime_is_at_most_a_year(portal_client: Any, login: Callable[..., str]) -> None:
    session = login(portal_client, CITIZEN)
    too_long = create(portal_client, session, expires_in_days=366)
    assert too_long.status_code == 400
    assert "one year" in too_long.json()["detail"]
    assert create(portal_client, session, expires_in_days=365).status_code == 201


def test_revoked_and_expired_tokens_stop_at_once(
    portal_client: Any, login: Callable[..., str], portal_app: Any
) -> None:
    session = login(portal_client, CITIZEN)
    revoked, expired = (create(portal_client, session).json() for _ in range(2))
    gone = portal_client.delete(f"/api/v1/auth/tokens/{revoked['id']}", headers=bearer(session))
    assert gone.status_code == 204
    answer = portal_client.get("/api/v1/dossiers", headers=bearer(revoked["token"]))
    assert answer.status_code == 401 and "revoked" in answer.json()["detail"]
    with portal_app.state.sessionmaker() as db:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        db.execute(
            update(AccessToken).where(AccessToken.id == expired["id"]).values(expires_at=past)
        )
        db.commit()
    answer = portal_client.get("/api/v1/dossiers", headers=bearer(expired["token"]))
    assert answer.status_code == 401 and "expired" in answer.json()["detail"]


def test_organisation_token_acts_only_for_it_and_ends_with_the_mandate_role(
    portal_client: Any, login: Callable[..., str], portal_app: Any
) -> None:
    session = login(portal_client, MANDATAIRE)
    made = create(portal_client, session, acting_as=COMPANY)
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    listed = portal_client.get("/api/v1/dossiers", headers=bearer(token))
    assert listed.status_code == 200, listed.text
    elsewhere = portal_client.get(
        "/api/v1/dossiers", headers={**bearer(token), "X-Acting-As": "0856712314"}
    )
    assert elsewhere.status_code == 403 and COMPANY in elsewhere.json()["detail"]
    with portal_app.state.sessionmaker() as db:
        db.execute(delete(Role).where(Role.person_nrn == MANDATAIRE))
        db.commit()
    answer = portal_client.get("/api/v1/dossiers", headers=bearer(token))
    assert answer.status_code == 401
    assert (
        f"no longer holds a role or mandate for organisation {COMPANY}" in (answer.json()["detail"])
    )


def test_legal_rep_lists_and_revokes_the_organisations_tokens_and_the_trail_shows_it(
    portal_client: Any, login: Callable[..., str]
) -> None:
    staff = login(portal_client, MANDATAIRE)
    made = create(portal_client, staff, name="compta", acting_as=COMPANY).json()
    assert portal_client.get("/api/v1/dossiers", headers=bearer(made["token"])).status_code == 200
    rep = login(portal_client, LEGAL_REP)
    tokens = portal_client.get(f"/api/v1/organisations/{COMPANY}/tokens", headers=bearer(rep))
    assert tokens.status_code == 200, tokens.text
    mine = [t for t in tokens.json()["items"] if t["id"] == made["id"]]
    assert mine and mine[0]["person"] == MANDATAIRE and mine[0]["last_used_at"]
    assert mine[0]["last_used_from"] == "testclient"
    revoked = portal_client.delete(
        f"/api/v1/organisations/{COMPANY}/tokens/{made['id']}", headers=bearer(rep)
    )
    assert revoked.status_code == 204
    assert portal_client.get("/api/v1/dossiers", headers=bearer(made["token"])).status_code == 401
    trail = portal_client.get(f"/api/v1/organisations/{COMPANY}/audit", headers=bearer(rep))
    actions = [(e["action"], e["target"]) for e in trail.json()["items"]]
    assert ("token.create", made["id"]) in actions and ("token.revoke", made["id"]) in actions
    citizen = login(portal_client, CITIZEN)
    stranger = portal_client.get(f"/api/v1/organisations/{COMPANY}/tokens", headers=bearer(citizen))
    assert stranger.status_code == 404


def test_an_organisation_token_reaches_its_own_mandates_only(
    portal_client: Any, login: Callable[..., str]
) -> None:
    rep = login(portal_client, LEGAL_REP)
    token = create(portal_client, rep, scopes=["roles:read"], acting_as=COMPANY).json()["token"]
    mine = portal_client.get("/api/v1/mandates", headers=bearer(token))
    assert mine.status_code == 200, mine.text
    assert mine.json()["items"], "the company has mandates in the seeds"
    sides = {(m["beneficiary"]["bce"], m["mandataire"]["bce"]) for m in mine.json()["items"]}
    assert all(COMPANY in pair for pair in sides)
    other = portal_client.get(
        "/api/v1/mandates", params={"organisation": "0856712314"}, headers=bearer(token)
    )
    assert other.status_code == 403
    assert f"acts only as {COMPANY}, not as 0856712314" in other.json()["detail"]
    personal = create(portal_client, rep, scopes=["roles:read"]).json()["token"]
    assert portal_client.get("/api/v1/mandates", headers=bearer(personal)).json()["items"] == []


@pytest.fixture
def quick_client(portal_database: str, pki_dir: Path) -> Any:
    """A portal that re-checks certificate status every second."""
    from fastapi.testclient import TestClient

    from portal.app import create_app

    app = create_app(make_settings(portal_database, pki_dir, revocation_recheck_seconds=1))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.engine.dispose()


def test_revoking_the_card_certificate_ends_its_tokens(quick_client: Any, pki_dir: Path) -> None:
    creds = fresh_credentials(pki_dir)
    session = log_in(quick_client, creds).json()["token"]
    token = create(quick_client, session).json()["token"]
    assert quick_client.get("/api/v1/dossiers", headers=bearer(token)).status_code == 200
    SandboxPKI.open(pki_dir).revoke(creds.auth_cert)
    time.sleep(1.2)
    answer = quick_client.get("/api/v1/dossiers", headers=bearer(token))
    assert answer.status_code == 401 and "revoked" in answer.json()["detail"]
