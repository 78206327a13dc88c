"""Fixtures for the back-office tests: logged-in users on an in-process portal.

People (portal/sandbox/README.md): Marie Claire Dubois is the citizen who
files PERMIS-PECHE (handled by SPW-ARNE: supervisor Geoffrey Lemaire, agent
Manon Jacquet); Anne Gilson supervises SPW-EER, Maxime Piron is an agent of
SPW-EER and FOREM, Sarah Hardy an agent of SPW-TLPE.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

CITIZEN = "86040203095"  # Marie Claire Dubois
OTHER_CITIZEN = "05011716152"  # Hugo Vandenberghe
ARNE_SUPERVISOR = "77042520313"  # Geoffrey Lemaire
ARNE_AGENT = "98070305621"  # Manon Jacquet
EER_SUPERVISOR = "70112804283"  # Anne Gilson
EER_AGENT = "90060621186"  # Maxime Piron (also FOREM)
TLPE_AGENT = "95101407815"  # Sarah Hardy
PERMIT = {"permit_type": "B", "year": 2027}


class User:
    """A TestClient bound to one person's token."""

    def __init__(self, client: Any, token: str, nrn: str) -> None:
        self.client, self.nrn = client, nrn
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.client.get("/api/v1" + path, headers=headers, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.client.post("/api/v1" + path, headers=headers, **kw)

    def ok(self, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        answer = getattr(self, method)(path, **kw)
        assert answer.status_code == status, answer.text
        return answer.json()


@pytest.fixture
def as_user(portal_client: Any, login: Callable[..., str]) -> Callable[[str], User]:
    cache: dict[str, User] = {}

    def make(nrn: str) -> User:
        if nrn not in cache:
            cache[nrn] = User(portal_client, login(portal_client, nrn), nrn)
        return cache[nrn]

    return make


@pytest.fixture
def citizen(as_user: Callable[[str], User]) -> User:
    return as_user(CITIZEN)


@pytest.fixture
def supervisor(as_user: Callable[[str], User]) -> User:
    return as_user(ARNE_SUPERVISOR)


@pytest.fixture
def agent(as_user: Callable[[str], User]) -> User:
    return as_user(ARNE_AGENT)


@pytest.fixture
def submit_permit(citizen: User) -> Callable[[], dict[str, Any]]:
    """``submit_permit() -> Dossier``: a fishing permit submitted by the citizen."""

    def make() -> dict[str, Any]:
        dossier = citizen.ok(
            "post", "/dossiers", 201, json={"procedure": "PERMIS-PECHE", "data": PERMIT}
        )
        return citizen.ok("post", f"/dossiers/{dossier['id']}/submit")

    return make


@pytest.fixture
def submitted(submit_permit: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    return submit_permit()


@pytest.fixture
def seeded(portal_app: Any) -> int:
    """600 realistic dossiers of every procedure and status (portal.seed)."""
    from portal.seed import seed_dossiers

    return seed_dossiers(portal_app.state.engine, 600, seed=11)
