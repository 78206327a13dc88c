"""Login rate limits: 429 with Retry-After (across processes: test_portal_scaleout.py)."""

from __future__ import annotations

from typing import Any

import pytest

from portal.config import Limit
from portal.ratelimit import client_address
from tests.conftest import make_settings

CITIZEN = "68031412135"


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


def test_failed_logins_are_limited_then_even_a_good_one_waits(
    portal_database, pki_dir, sign_login
) -> None:
    from fastapi.testclient import TestClient

    from portal.app import create_app

    settings = make_settings(portal_database, pki_dir, login_failure_rate=Limit(3, 300))
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        for _ in range(3):
            assert _bad_session(client).status_code == 401
        blocked = _bad_session(client)
        assert blocked.status_code == 429, blocked.text
        assert blocked.json()["type"].endswith("/rate-limited")
        assert 1 <= int(blocked.headers["Retry-After"]) <= 300
        challenge = client.post("/api/v1/auth/challenges").json()
        good = client.post("/api/v1/auth/sessions", json=sign_login(challenge, CITIZEN))
        assert good.status_code == 429
    app.state.engine.dispose()


def test_challenges_are_limited(portal_database, pki_dir) -> None:
    from fastapi.testclient import TestClient

    from portal.app import create_app

    app = create_app(make_settings(portal_database, pki_dir, challenge_rate=Limit(5, 60)))
    with TestClient(app, raise_server_exceptions=False) as client:
        codes = [client.post("/api/v1/auth/challenges").status_code for _ in range(7)]
    app.state.engine.dispose()
    assert codes == [201] * 5 + [429] * 2
