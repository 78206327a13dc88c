"""Two portal processes on one database deliver each queued row exactly once.

Both run a dispatcher and poll the same ``webhook_deliveries`` table; the
lease (a conditional UPDATE of ``locked_until``) must keep them from
sending a row twice. The rows are queued straight into the database, as a
third process would, so both dispatchers find them by polling.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.db import make_engine, make_sessionmaker
from portal.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, new_id, utcnow
from portal.webhooks.signing import new_secret
from tests.conftest import BACKENDS, PortalServer, _database, init_portal

from .conftest import ANNE
from .receiver import Receiver

ROWS = 60


@pytest.fixture(params=BACKENDS)
def two_portals(
    request: pytest.FixtureRequest, pki_dir: Path, tmp_path: Path
) -> Iterator[tuple[str, list[PortalServer]]]:
    with _database(request.param, tmp_path) as url:
        init_portal(url, pki_dir)
        servers = [PortalServer(url, pki_dir, tmp_path / f"server{i}.log") for i in range(2)]
        try:
            for server in servers:
                server.start(timeout=90)
            yield url, servers
        finally:
            for server in servers:
                server.stop()


@pytest.mark.slow
def test_each_row_is_sent_once(two_portals: tuple[str, list[PortalServer]]) -> None:
    url, servers = two_portals
    secret = new_secret()
    receiver = Receiver(secret).start()
    engine = make_engine(url)
    maker = make_sessionmaker(engine)
    try:
        with maker() as db:
            endpoint = WebhookEndpoint(
                id=new_id("wh"),
                service_code="SPW-EER",
                url=receiver.url,
                event_types=["*"],
                description="two processes",
                secret=secret,
                created_by=ANNE,
            )
            db.add(endpoint)
            db.flush()
            now = utcnow()
            db.add_all(
                WebhookDelivery(
                    message_id=new_id("msg"),
                    endpoint_id=endpoint.id,
                    event_type="dossier.submitted",
                    payload=f'{{"n": {n}}}',
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                )
                for n in range(ROWS)
            )
            db.commit()
        receiver.wait_for(ROWS, timeout=30)
        deadline = time.monotonic() + 10  # the last results are still being written
        while time.monotonic() < deadline:
            with maker() as db:
                done = WebhookDelivery.status == "delivered"
                delivered = db.scalar(select(func.count()).where(done))
                attempts = db.scalar(select(func.count()).select_from(WebhookAttempt))
            if delivered == ROWS:
                break
            time.sleep(0.1)
    finally:
        receiver.stop()
        engine.dispose()
    sent = Counter(r.headers["webhook-id"] for r in receiver.requests)
    assert len(sent) == ROWS and max(sent.values()) == 1, "no row sent twice"
    assert delivered == ROWS and attempts == ROWS
    assert all("Traceback" not in server.log() for server in servers)


@pytest.fixture(params=[b for b in BACKENDS if b == "postgres"])
def slow_polling_portal(
    request: pytest.FixtureRequest, pki_dir: Path, tmp_path: Path
) -> Iterator[tuple[str, PortalServer]]:
    """A portal whose safety polls are two minutes apart: only a wake-up sends at once."""
    with _database(request.param, tmp_path) as url:
        init_portal(url, pki_dir)
        env = {"MONESPACE_PORTAL_STREAM_SAFETY_POLL": "120"}
        server = PortalServer(url, pki_dir, tmp_path / "server.log", extra_env=env)
        server.start(timeout=90)
        try:
            yield url, server
        finally:
            server.stop()


def test_a_delivery_queued_by_another_process_is_sent_without_waiting_for_a_poll(
    slow_polling_portal: tuple[str, PortalServer],
) -> None:
    """On PostgreSQL the queuing transaction's NOTIFY wakes the dispatcher of every process.

    On SQLite no notification crosses processes: the event hub's poll finds
    the dossier event that queued a delivery and wakes the dispatcher; a row
    queued alone (as here) waits for the safety poll, so this runs on
    PostgreSQL only.
    """
    url, _server = slow_polling_portal
    secret = new_secret()
    receiver = Receiver(secret).start()
    engine = make_engine(url)
    maker = make_sessionmaker(engine)
    try:
        time.sleep(1)  # the portal's hub is listening
        with maker() as db:
            endpoint = WebhookEndpoint(
                id=new_id("wh"),
                service_code="SPW-EER",
                url=receiver.url,
                event_types=["*"],
                description="woken",
                secret=secret,
                created_by=ANNE,
            )
            db.add(endpoint)
            db.flush()
            db.add(
                WebhookDelivery(
                    message_id=new_id("msg"),
                    endpoint_id=endpoint.id,
                    event_type="dossier.submitted",
                    payload='{"n": 1}',
                    status="pending",
                    attempts=0,
                    next_attempt_at=utcnow(),
                )
            )
            db.commit()
        receiver.wait_for(1, timeout=15)
    finally:
        receiver.stop()
        engine.dispose()
    assert len(receiver.requests) == 1
