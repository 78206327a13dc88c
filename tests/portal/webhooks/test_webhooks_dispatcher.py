"""The dispatcher's database steps: leases never overlap, results need the lease, backoff."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.db import make_engine, make_sessionmaker
from portal.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    new_id,
    utcnow,
)
from portal.webhooks.dispatcher import Outcome, claim, next_due_in, record, retry_delay

from .conftest import ANNE

BACKOFF = (5.0, 30.0, 120.0)


@pytest.fixture
def maker(portal_database: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(portal_database)
    yield make_sessionmaker(engine)
    engine.dispose()


def queue(maker: sessionmaker[Session], count: int, *, due_in: float = -1.0) -> list[int]:
    """``count`` pending deliveries to one endpoint, due ``due_in`` seconds from now."""
    now = utcnow()
    with maker() as db:
        endpoint = WebhookEndpoint(
            id=new_id("wh"),
            service_code="SPW-EER",
            url="http://127.0.0.1:9/",
            event_types=["*"],
            description="",
            secret="whsec_" + "A" * 32,
            created_by=ANNE,
        )
        db.add(endpoint)
        db.flush()  # no ORM relationship orders the inserts
        rows = [
            WebhookDelivery(
                message_id=new_id("msg"),
                endpoint_id=endpoint.id,
                event_type="dossier.submitted",
                payload="{}",
                status="pending",
                attempts=0,
                next_attempt_at=now + dt.timedelta(seconds=due_in),
            )
            for _ in range(count)
        ]
        db.add_all(rows)
        db.commit()
        return [row.id for row in rows]


def test_concurrent_workers_never_lease_the_same_row(maker: sessionmaker[Session]) -> None:
    ids = queue(maker, 40)
    taken: list[list[int]] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        mine: list[int] = []
        while batch := claim(maker, batch=7):
            mine.extend(job.id for job in batch)
        taken.append(mine)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    everything = [pk for mine in taken for pk in mine]
    assert sorted(everything) == sorted(ids), "each row leased exactly once"
    assert claim(maker) == [], "leased rows are not due for anyone else"


def test_a_result_needs_the_lease(maker: sessionmaker[Session]) -> None:
    queue(maker, 1)
    [job] = claim(maker)
    with maker() as db:  # e.g. a replay meanwhile: the lease is gone
        delivery = db.get(WebhookDelivery, job.id)
        assert delivery is not None
        delivery.locked_until = None
        db.commit()
    assert record(maker, job, Outcome(200, None, 5), BACKOFF) is None
    with maker() as db:
        assert db.scalars(select(WebhookAttempt)).all() == []
        assert db.get(WebhookDelivery, job.id).status == "pending"  # type: ignore[union-attr]


def test_failures_reschedule_then_die(maker: sessionmaker[Session]) -> None:
    [pk] = queue(maker, 1)
    statuses = []
    for _ in range(len(BACKOFF) + 1):
        with maker() as db:  # make it due again without waiting for the backoff
            delivery = db.get(WebhookDelivery, pk)
            assert delivery is not None
            delivery.next_attempt_at = utcnow() - dt.timedelta(seconds=1)
            db.commit()
        [job] = claim(maker)
        before = utcnow()
        statuses.append(record(maker, job, Outcome(None, "connection failed", 3), BACKOFF))
        with maker() as db:
            delivery = db.get(WebhookDelivery, pk)
            assert delivery is not None
            if delivery.status == "pending":
                assert delivery.next_attempt_at is not None
                delay = (delivery.next_attempt_at - before).total_seconds()
                expected = BACKOFF[delivery.attempts - 1]
                assert expected * 0.9 - 0.5 <= delay <= expected * 1.1 + 0.5
    assert statuses == ["pending", "pending", "pending", "dead"]
    with maker() as db:
        assert len(db.scalars(select(WebhookAttempt)).all()) == 4


def test_next_due(maker: sessionmaker[Session]) -> None:
    assert next_due_in(maker, 1.0) == 1.0
    queue(maker, 1, due_in=0.4)
    assert 0.05 <= next_due_in(maker, 1.0) <= 0.4
    assert next_due_in(maker, 0.2) == 0.2


def test_retry_delay_jitter() -> None:
    delays = [retry_delay((10.0,), 1) for _ in range(200)]
    assert all(d is not None and 9.0 <= d <= 11.0 for d in delays)
    assert len(set(delays)) > 100, "jittered, so retries of many deliveries spread out"
    assert retry_delay((10.0,), 2) is None


def test_settings_from_the_environment() -> None:
    from portal.config import DEFAULT_WEBHOOK_BACKOFF, ConfigError, from_env

    base: dict[str, Any] = {"MONESPACE_PORTAL_DATABASE_URL": "sqlite://"}
    assert (
        from_env(base).webhook_backoff
        == DEFAULT_WEBHOOK_BACKOFF
        == (5, 30, 120, 600, 1800, 3600, 7200)
    )
    env = {**base, "MONESPACE_PORTAL_WEBHOOK_BACKOFF": "0.2, 0.4,0.8"}
    assert from_env(env).webhook_backoff == (0.2, 0.4, 0.8)
    assert from_env(base).webhooks_enabled
    assert not from_env({**base, "MONESPACE_PORTAL_WEBHOOKS": "off"}).webhooks_enabled
    for bad in ("soon", "1,,2", "-1", "0", "nan", "inf"):
        with pytest.raises(ConfigError, match="WEBHOOK_BACKOFF"):
            from_env({**base, "MONESPACE_PORTAL_WEBHOOK_BACKOFF": bad})
