"""Login rate limits: 429 with Retry-After (across processes: test_portal_scaleout.py)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from portal.config import Limit
from portal.http.ratelimit import client_address
from tests.conftest import make_settings

CITIZEN = "68031412135"
COLLEAGUE = "83110208625"  # Sophie Lejeune, at the same address


def _bad_session(client: Any) -> Any:
    challenge = client.post("/api/v1/auth/challenges")
    assert challenge.status_code == 201, challenge.text
    body = {
        "challenge_id": challenge.json()["id"],
        "certificates": ["AAAA"],
        "signature": "AAAA",
        "algorithm": "ES384",
    }
    return client.post("/api/v1/auth/sessions", json=body)


def test_limit_parse() -> None:
    assert Limit.parse("20/300") == Limit(20, 300)
    assert Limit.parse(" off ") is None
    for bad in ("20", "x/5", "0/10", "5/0", "-1/5"):
        with pytest.raises(ValueError, match="rate limit"):
            Limit.parse(bad)


def test_forwarded_for_is_believed_only_from_a_trusted_proxy() -> None:
    assert client_address("203.0.113.9", "1.2.3.4", ()) == "203.0.113.9"
    trusted = ("10.0.0.1", "10.0.0.2")
    # The left part is the client's to forge: the right-most untrusted hop counts.
    assert client_address("10.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.2", trusted) == (
        "198.51.100.7"
    )
    assert client_address("10.0.0.1", None, trusted) == "10.0.0.1"


def _wrong_signature(client: Any, sign_login: Any, credentials: Any) -> Any:
    """A login with ``credentials``' real certificate and a signature that fails."""
    challenge = client.post("/api/v1/auth/challenges").json()
    body = sign_login(challenge, CITIZEN, credentials=credentials)
    body["signature"] = body["signature"][::-1]
    return client.post("/api/v1/auth/sessions", json=body)


def test_failed_logins_of_one_card_lock_that_card_only(
    portal_database, pki_dir, sign_login, credentials
) -> None:
    """Limited per card and address: the colleague behind the same NAT still logs in."""
    from fastapi.testclient import TestClient

    from portal.app import create_app

    settings = make_settings(portal_database, pki_dir, login_failure_rate=Limit(3, 300))
    app = create_app(settings)
    mine = credentials(CITIZEN)
    with TestClient(app, raise_server_exceptions=False) as client:
        for _ in range(3):
            assert _wrong_signature(client, sign_login, mine).status_code == 401
        blocked = _wrong_signature(client, sign_login, mine)
        assert blocked.status_code == 429, blocked.text
        assert blocked.json()["type"].endswith("/rate-limited")
        assert "with this card" in blocked.json()["detail"]
        assert 1 <= int(blocked.headers["Retry-After"]) <= 300
        # Even the right signature with this card waits for the window to end...
        challenge = client.post("/api/v1/auth/challenges").json()
        good = client.post(
            "/api/v1/auth/sessions", json=sign_login(challenge, CITIZEN, credentials=mine)
        )
        assert good.status_code == 429
        # ...but another person at the same address is not locked out.
        challenge = client.post("/api/v1/auth/challenges").json()
        colleague = client.post("/api/v1/auth/sessions", json=sign_login(challenge, COLLEAGUE))
        assert colleague.status_code == 201, colleague.text
    app.state.engine.dispose()


def test_failed_logins_of_many_cards_lock_the_address(portal_database, pki_dir, sign_login) -> None:
    """The address has its own, higher allowance: trying card after card is no way round."""
    from fastapi.testclient import TestClient

    from portal.app import create_app

    settings = make_settings(
        portal_database,
        pki_dir,
        login_failure_rate=Limit(3, 300),
        login_failure_address_rate=Limit(5, 300),
    )
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        codes = []
        for i in range(6):
            challenge = client.post("/api/v1/auth/challenges").json()
            body = {
                "challenge_id": challenge["id"],
                "certificates": [base64.b64encode(f"card {i}".encode()).decode()],
                "signature": "AAAA",
                "algorithm": "ES384",
            }
            codes.append(client.post("/api/v1/auth/sessions", json=body).status_code)
        assert codes == [401] * 5 + [429]
        challenge = client.post("/api/v1/auth/challenges").json()
        colleague = client.post("/api/v1/auth/sessions", json=sign_login(challenge, COLLEAGUE))
        assert colleague.status_code == 429
    app.state.engine.dispose()


def test_challenges_are_limited(portal_database, pki_dir) -> None:
    from fastapi.testclient import TestClient

    from portal.app import create_app

    app = create_app(make_settings(portal_database, pki_dir, challenge_rate=Limit(5, 60)))
    with TestClient(app, raise_server_exceptions=False) as client:
        codes = [client.post("/api/v1/auth/challenges").status_code for _ in range(7)]
    app.state.engine.dispose()
    assert codes == [201] * 5 + [429] * 2
