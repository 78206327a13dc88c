"""The hub's parts that need no server: rights tags, the cache, slow consumers, overload, fds."""

from __future__ import annotations

import asyncio
import datetime as dt
import resource
from typing import Any

from starlette.types import Receive, Scope, Send

from portal import changes
from portal.config import StreamSettings
from portal.domain.authz import Visibility
from portal.http.overload import InFlightLimit
from portal.models import Agent, AuthSession, Dossier, DossierEvent, Mandate, Role
from portal.streams.hub import Fresh, Hub
from portal.streams.rights import APPLICANT, Grant, RightsCache, RightsKey


def _key(login_id: int = 1, nrn: str = "86040203095", acting_as: str = "0459811078") -> RightsKey:
    return RightsKey(f"session:{login_id}", nrn, APPLICANT, acting_as, token="t")


def test_changes_name_who_they_touch() -> None:
    assert changes.tags_of(AuthSession(id=7)) == {"session:7"}
    assert changes.tags_of(Agent(person_nrn="1", service_code="NAMUR")) == {"person:1"}
    role = Role(person_nrn="1", organisation_bce="2", beneficiary_bce="3")
    assert changes.tags_of(role) == {"person:1", "org:2", "org:3"}
    mandate = Mandate(beneficiary_bce="2", mandataire_bce="4")
    assert changes.tags_of(mandate) == {"org:2", "org:4"}
    assert changes.payload(["x" * 8000]) == changes.EVERYONE
    assert changes.parse_payload("") == frozenset({changes.EVERYONE})


def test_a_grant_is_trusted_until_a_change_touches_it_or_it_ages() -> None:
    now = [100.0]
    cache = RightsCache(ttl=10, clock=lambda: now[0])
    key, other = _key(), _key(login_id=2, nrn="x", acting_as="me")
    grant = Grant(visibility=Visibility("organisation", "0459811078"))
    cache.store(key, grant, now[0])
    cache.store(other, grant, now[0])
    assert cache.fresh(key) is grant
    assert cache.invalidate(frozenset({"org:0459811078"})) == [key]
    assert cache.fresh(key) is None and cache.fresh(other) is grant
    cache.store(key, Grant("context", "gone"), 99.0)  # a check begun before the change
    assert cache.fresh(key) is None
    now[0] = 111.0
    assert cache.fresh(other) is None  # aged past the ttl
    assert set(cache.due([key, other, _key(login_id=3)], 5)) == {key, other, _key(login_id=3)}


def test_a_grant_ends_with_its_session() -> None:
    cache = RightsCache(ttl=1000)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    cache.store(_key(), Grant(visibility=Visibility("person", "1"), session_expires=past), 0)
    assert cache.fresh(_key()) is None


class _State:
    class engine:
        class dialect:
            name = "sqlite"


def _fresh(pk: int) -> Fresh:
    return Fresh(
        pk,
        "created",
        f"id: {pk}\n\n",
        ("organisation", "0459811078"),
        "environment",
        DossierEvent(id=pk, type="created"),
        Dossier(applicant_kind="organisation", applicant_id="0459811078"),
    )


def test_a_slow_consumer_is_dropped_not_buffered() -> None:
    async def run() -> list[tuple[int, str]]:
        hub = Hub(_State(), StreamSettings(queue_size=3))
        key = _key()
        hub.rights.store(key, Grant(visibility=Visibility("organisation", "0459811078")), 0)
        hub.rights.ttl = 1e9
        sub = hub.open(key, applicant=("organisation", "0459811078"), hidden=frozenset())
        for pk in range(1, 6):
            await hub._fan_out([_fresh(pk)])
        items = []
        while not sub.queue.empty():
            items.append(sub.queue.get_nowait())
        return items

    items = asyncio.run(run())
    assert len(items) == 1  # what was queued is dropped: the client resumes from the database
    assert "event: stream-ended" in items[0][1] and "slow-consumer" in items[0][1]


def test_streams_are_capped_per_session_and_process() -> None:
    from portal.problems import Problem

    async def run() -> list[int]:
        hub = Hub(_State(), StreamSettings(max_per_session=2, max_per_process=3))
        statuses = []
        for login_id in (1, 1, 1, 2, 3):
            try:
                hub.open(_key(login_id=login_id), applicant=("p", "1"), hidden=frozenset())
                statuses.append(200)
            except Problem as problem:
                statuses.append(problem.status)
                assert problem.headers["Retry-After"]
        return statuses

    assert asyncio.run(run()) == [200, 200, 503, 200, 503]


def test_in_flight_requests_beyond_the_bound_get_503_at_once() -> None:
    release = asyncio.Event()

    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def run() -> list[Any]:
        limit = InFlightLimit(slow, limit=1)
        answers: list[list[dict[str, Any]]] = [[], []]

        def scope(path: str) -> Scope:
            return {"type": "http", "path": path, "method": "GET", "headers": []}

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        def sender(i: int) -> Send:
            async def send(message: Any) -> None:
                answers[i].append(message)

            return send

        first = asyncio.create_task(limit(scope("/api/v1/dossiers"), receive, sender(0)))
        await asyncio.sleep(0.01)
        await asyncio.wait_for(limit(scope("/api/v1/dossiers"), receive, sender(1)), 1)
        release.set()
        await first
        return answers

    first, second = asyncio.run(run())
    assert first[0]["status"] == 200
    assert second[0]["status"] == 503
    assert (b"retry-after", b"1") in [(k.lower(), v) for k, v in second[0]["headers"]]


def test_only_the_streams_themselves_skip_the_in_flight_bound() -> None:
    """``/dossiers/{id}/events`` ends like any request: it is counted."""

    async def answer(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def status(path: str) -> int:
        sent: list[Any] = []

        async def send(message: Any) -> None:
            sent.append(message)

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        full = InFlightLimit(answer, limit=0)
        await full({"type": "http", "path": path, "method": "GET", "headers": []}, receive, send)
        return int(sent[0]["status"])

    async def run() -> list[int]:
        paths = ("/api/v1/events", "/api/v1/agent/events", "/healthz")
        return [await status(p) for p in (*paths, "/api/v1/dossiers/MSP-2026-000001/events")]

    assert asyncio.run(run()) == [200, 200, 200, 503]


def test_serve_raises_the_open_files_limit_to_the_hard_one() -> None:
    from portal.cli import raise_fd_limit

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    lower = min(soft, 256)
    resource.setrlimit(resource.RLIMIT_NOFILE, (lower, hard))
    try:
        now = raise_fd_limit()
        assert now is not None and now[0] == hard != lower
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
