"""Fixtures of the scale tests: a portal with a few thousand seeded dossiers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

#: Enough rows for the planners to prefer the indexes they would use at a
#: million (with statistics), few enough to seed in about a second.
SEEDED = 4000


@pytest.fixture
def seeded_client(portal_app: Any) -> Iterator[Any]:
    """A TestClient on a portal whose database holds SEEDED dossiers."""
    from fastapi.testclient import TestClient
    from sqlalchemy import text

    from portal.seed import seed_dossiers

    engine = portal_app.state.engine
    seed_dossiers(engine, SEEDED, seed=11)
    if engine.dialect.name == "postgresql":
        # As autovacuum would soon; SQLite's planner works without statistics
        # (the portal never runs ANALYZE there), so it is checked without.
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    with TestClient(portal_app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def headers_of(seeded_client: Any, login: Callable[..., str]) -> Callable[..., dict[str, str]]:
    """``headers_of(nrn, acting_as=None)``: the request headers of a logged-in person."""
    tokens: dict[str, str] = {}

    def make(nrn: str, acting_as: str | None = None) -> dict[str, str]:
        if nrn not in tokens:
            tokens[nrn] = login(seeded_client, nrn)
        headers = {"Authorization": f"Bearer {tokens[nrn]}"}
        if acting_as:
            headers["X-Acting-As"] = acting_as
        return headers

    return make
