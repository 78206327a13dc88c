"""The list, the queue and the counts read the dossiers through their indexes.

At a million dossiers a full scan per page is seconds, so every
statement a request sends to the dossiers table is explained (SQLite's
EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN after ANALYZE) and must read the
table through the index made for it — never a full scan. The statements are
the ones real requests send (captured from the engine), first page and the
page after a cursor, for the citizen, a mandataire acting for a client, and
a supervisor's queue in each sort, with a search and the counts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.portal.scale.scale_support import (
    ACCOUNTANT,
    CITIZEN,
    CLIENT_CO,
    EER_SUPERVISOR,
    QUEUE_SORTS,
    Statement,
    capture,
    dossier_access,
)

Headers = Callable[..., dict[str, str]]


def _pages(client: Any, engine: Any, path: str, headers: dict[str, str], params: dict[str, Any]):
    """The statements on dossiers of the first page and of the page after its cursor."""
    with capture(engine) as first:
        answer = client.get(path, headers=headers, params=params)
    assert answer.status_code == 200, answer.text
    statements = list(first)
    cursor = answer.json().get("next_cursor")
    if cursor is not None:
        with capture(engine) as following:
            answer = client.get(path, headers=headers, params={**params, "cursor": cursor})
        assert answer.status_code == 200, answer.text
        statements += following
    return statements, cursor is not None


def _assert_indexed(engine: Any, statements: list[Statement], index: str) -> list[list[str]]:
    """Each statement reads dossiers only through an index, ``index`` at least once."""
    plans = [dossier_access(engine, s) for s in statements]
    assert plans, "no statement on the dossiers table was captured"
    for statement, plan in zip(statements, plans, strict=True):
        reads = [line for line in plan if "TEMP B-TREE" not in line]
        assert reads, f"no read of dossiers in the plan of {statement.sql}"
        for line in reads:
            # SQLite: "SCAN dossiers" is a full scan; PostgreSQL: "Seq Scan".
            assert not line.startswith(("SCAN dossiers", "Seq Scan")), (line, statement.sql)
    assert any(index in line for plan in plans for line in plan), (index, plans)
    return plans


def test_citizen_list_walks_its_index(seeded_client, headers_of: Headers, portal_app) -> None:
    engine = portal_app.state.engine
    statements, paged = _pages(
        seeded_client, engine, "/api/v1/dossiers", headers_of(CITIZEN), {"limit": 10}
    )
    assert paged, "the citizen should own more than one page of seeded dossiers"
    plans = _assert_indexed(engine, statements, "ix_dossiers_applicant_updated")
    if engine.dialect.name == "sqlite":
        # Keyset order straight from the index: no sort of the citizen's rows.
        assert not any("TEMP B-TREE" in line for plan in plans for line in plan), plans


def test_mandataire_list_walks_its_index(seeded_client, headers_of: Headers, portal_app) -> None:
    engine = portal_app.state.engine
    headers = headers_of(ACCOUNTANT, CLIENT_CO)
    statements, _ = _pages(seeded_client, engine, "/api/v1/dossiers", headers, {"limit": 5})
    _assert_indexed(engine, statements, "ix_dossiers_applicant_updated")


@pytest.mark.parametrize("sort", QUEUE_SORTS)
def test_queue_pages_walk_the_queue_index(
    seeded_client, headers_of: Headers, portal_app, sort: str
) -> None:
    engine = portal_app.state.engine
    column = {"age": "age", "due": "due", "updated": "updated"}[sort.lstrip("-")]
    statements, paged = _pages(
        seeded_client,
        engine,
        "/api/v1/agent/queue",
        headers_of(EER_SUPERVISOR),
        {"limit": 20, "sort": sort},
    )
    assert paged, "the supervisor's queue should be longer than one page"
    _assert_indexed(engine, statements, f"ix_dossiers_queue_{column}")


def test_queue_search_stays_in_the_queue_index(
    seeded_client, headers_of: Headers, portal_app
) -> None:
    engine = portal_app.state.engine
    statements, _ = _pages(
        seeded_client,
        engine,
        "/api/v1/agent/queue",
        headers_of(EER_SUPERVISOR),
        {"limit": 20, "q": "a", "status": "all"},
    )
    _assert_indexed(engine, statements, "ix_dossiers_queue_age")


def test_queue_counts_use_an_index(seeded_client, headers_of: Headers, portal_app) -> None:
    engine = portal_app.state.engine
    with capture(engine) as statements:
        answer = seeded_client.get("/api/v1/agent/queue/counts", headers=headers_of(EER_SUPERVISOR))
    assert answer.status_code == 200, answer.text
    assert answer.json()["total"] > 0
    _assert_indexed(engine, list(statements), "ix_dossiers_")
