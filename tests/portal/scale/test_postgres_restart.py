"""PostgreSQL restarted under a steady stream of reads and writes.

While the database is down the portal answers 503
problem+json with Retry-After (not 500, and no request hangs); once it is
back the portal recovers by itself (stale pooled connections are pinged and
replaced); and no write is half-applied — every dossier the clients created
exists once, and is either a draft with nothing or submitted with its
receipt, payment and event, the clients retrying with the same
Idempotency-Key until done.

Runs on a cluster of its own (the suite's server is shared by tests running
in parallel); postgres-marked, so ``make test-postgres`` runs it.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import POSTGRES_URL, PortalServer, init_portal
from tests.portal.scale.scale_support import PG_BIN, OwnCluster

CITIZEN = "68031412135"
PROCEDURE = "PERMIS-PECHE"  # has a fee: a submit also opens a payment
PERMIT = {"permit_type": "B", "year": 2027}
WRITERS = 3
READERS = 3
DOWN_SECONDS = 3.0
#: An answer slower than this counts as a hang.
HANG_SECONDS = 10.0


@dataclass
class Answer:
    """One request of the stream: when, what, and how it ended."""

    at: float
    kind: str
    status: int  # 0: no HTTP answer (transport error or time-out)
    elapsed: float
    content_type: str = ""
    retry_after: str | None = None
    error: str = ""


@dataclass
class Traffic:
    """Writers (create + submit, retried with their keys) and readers, until stopped."""

    url: str
    token: str
    answers: list[Answer] = field(default_factory=list)
    made: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _call(self, client: httpx.Client, kind: str, method: str, path: str, **kw: Any) -> Any:
        start = time.monotonic()
        try:
            answer = client.request(method, path, **kw)
        except httpx.HTTPError as exc:
            self._note(Answer(start, kind, 0, time.monotonic() - start, error=repr(exc)))
            time.sleep(0.2)
            return None
        self._note(
            Answer(
                start,
                kind,
                answer.status_code,
                time.monotonic() - start,
                answer.headers.get("content-type", ""),
                answer.headers.get("retry-after"),
            )
        )
        if answer.status_code >= 500:
            time.sleep(0.2)  # what a client does on 503 (Retry-After, shortened)
        return answer

    def _note(self, answer: Answer) -> None:
        with self._lock:
            self.answers.append(answer)

    def _until(self, client: httpx.Client, kind: str, path: str, ok: int, **kw: Any) -> Any:
        """Retry one step (same Idempotency-Key) until it succeeds; the stream ends at 60 s."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            answer = self._call(client, kind, "POST", path, **kw)
            if answer is not None and answer.status_code == ok:
                return answer.json()
            if answer is not None and answer.status_code < 500:
                raise AssertionError(f"{kind}: {answer.status_code} {answer.text}")
        raise AssertionError(f"{kind} never succeeded")

    def writer(self, number: int) -> None:
        with self._client() as client:
            n = 0
            while not self.stop.is_set():
                key = f"restart-{number}-{n}"
                n += 1
                body = {"procedure": PROCEDURE, "data": PERMIT}
                made = self._until(
                    client, "create", "/dossiers", 201, json=body,
                    headers={"Idempotency-Key": f"{key}-create"},
                )  # fmt: skip
                with self._lock:
                    self.made.append(made["id"])
                self._until(
                    client, "submit", f"/dossiers/{made['id']}/submit", 200,
                    headers={"Idempotency-Key": f"{key}-submit"},
                )  # fmt: skip

    def reader(self, number: int) -> None:
        with self._client() as client:
            while not self.stop.is_set():
                listed = self._call(client, "list", "GET", "/dossiers", params={"limit": 20})
                items = listed.json()["items"] if listed and listed.status_code == 200 else []
                if items:
                    self._call(
                        client, "show", "GET", f"/dossiers/{items[number % len(items)]['id']}"
                    )

    def _client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url + "/api/v1",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=HANG_SECONDS,
        )


def _run_threads(targets: Sequence[Callable[[], None]]) -> list[threading.Thread]:
    threads = [threading.Thread(target=t, daemon=True) for t in targets]
    for thread in threads:
        thread.start()
    return threads


def _dossier_states(url: str, citizen: str) -> dict[int, tuple[str, int, int, int, int]]:
    """id → (status, created events, submitted events, receipts, payments) of the citizen."""
    engine = create_engine(url)
    sql = """
        SELECT d.id, d.status,
          (SELECT count(*) FROM dossier_events e WHERE e.dossier_id = d.id AND e.type = 'created'),
          (SELECT count(*) FROM dossier_events e
             WHERE e.dossier_id = d.id AND e.type = 'submitted'),
          (SELECT count(*) FROM documents o WHERE o.dossier_id = d.id AND o.kind = 'receipt'),
          (SELECT count(*) FROM payments p WHERE p.dossier_id = d.id)
        FROM dossiers d WHERE d.applicant_kind = 'person' AND d.applicant_id = :nrn
    """
    try:
        with engine.connect() as conn:
            return {row[0]: tuple(row[1:]) for row in conn.execute(text(sql), {"nrn": citizen})}
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.skipif(not POSTGRES_URL, reason="MONESPACE_TEST_POSTGRES_URL is not set")
@pytest.mark.skipif(PG_BIN is None, reason="PostgreSQL binaries are not installed")
def test_postgres_restart_under_load(pki_dir: Path, tmp_path: Path, login: Any) -> None:
    cluster = OwnCluster()
    server: PortalServer | None = None
    try:
        cluster.create()
        init_portal(cluster.url, pki_dir)
        server = PortalServer(cluster.url, pki_dir, tmp_path / "server.log")
        server.start()
        traffic = Traffic(server.url, login(server.url, CITIZEN))
        threads = _run_threads(
            [functools.partial(traffic.writer, i) for i in range(WRITERS)]
            + [functools.partial(traffic.reader, i) for i in range(READERS)]
        )
        time.sleep(2)
        down_at = time.monotonic()
        cluster.stop()
        time.sleep(DOWN_SECONDS)
        cluster.start()
        up_at = time.monotonic()
        time.sleep(6)
        traffic.stop.set()
        for thread in threads:
            thread.join(90)
        assert not any(t.is_alive() for t in threads), "a client is stuck"
        _check_answers(traffic.answers, down_at, up_at, server.log())
        _check_writes(cluster.url, traffic.made)
    finally:
        if server is not None:
            server.stop()
        cluster.remove()


def _check_answers(answers: list[Answer], down_at: float, up_at: float, log: str) -> None:
    assert answers, "no request was made"
    failed = [a for a in answers if a.status not in (200, 201, 503)]
    assert not failed, (failed[:5], log[-3000:])
    slow = [a for a in answers if a.elapsed > HANG_SECONDS * 0.8]
    assert not slow, slow[:5]
    unavailable = [a for a in answers if a.status == 503]
    for answer in unavailable:
        assert answer.content_type.startswith("application/problem+json"), answer
        assert answer.retry_after is not None and answer.retry_after.isdigit(), answer
    # While the database was down the stream saw 503s …
    assert any(down_at <= a.at <= up_at for a in unavailable), "no 503 while PostgreSQL was down"
    assert any(a.at < down_at and a.status < 300 for a in answers), "no success before"
    # … and the portal came back by itself: the last seconds are all answered,
    # by every kind of request.
    tail = [a for a in answers if a.at > up_at + 3]
    assert tail and all(a.status < 300 for a in tail), [a for a in tail if a.status >= 300][:5]
    assert {"create", "submit", "list", "show"} <= {a.kind for a in tail}
    # The webhook dispatcher says the database is away in one line, no traceback.
    assert "webhook dispatcher: a round failed" not in log, log[-3000:]


def _check_writes(url: str, made: list[str]) -> None:
    states = _dossier_states(url, CITIZEN)
    pks = [int(public.rsplit("-", 1)[1]) for public in made]
    # Each create the clients saw exists once, and no retry made a second one.
    assert len(set(pks)) == len(pks)
    assert set(states) == set(pks), (sorted(set(states) - set(pks)), sorted(set(pks) - set(states)))
    for pk, state in states.items():  # all or nothing, whatever the moment of the restart
        assert state in {("draft", 1, 0, 0, 0), ("submitted", 1, 1, 1, 1)}, (pk, state)
    # Every writer finished its dossier before stopping: all submitted.
    assert all(state[0] == "submitted" for state in states.values())
