"""The webhook dispatcher: sends due deliveries, retries with backoff, dead-letters.

Why leases in the database: several portal processes share one database
and each runs a dispatcher. A worker takes a row with a conditional UPDATE
(``locked_until`` = now + lease, only where the row is still pending and
unleased), so two processes never send the same row at the same time; a
process that dies mid-send leaves a lease that simply expires, and the row
is sent again (at-least-once: receivers deduplicate on ``webhook-id``). The
result is written only while the lease is still ours.

The loop runs as an asyncio task of the app (started in its lifespan); the
ORM is synchronous, so database steps run in worker threads. It sleeps until
the next retry is due, at most ``poll_interval`` (other processes may have
queued rows), and a commit that queued rows in this process wakes it at once
(see outbox.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import logging
import random
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread
import httpx
from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from portal.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, utcnow
from portal.webhooks.endpoints import host_problem
from portal.webhooks.signing import signature_headers

log = logging.getLogger(__name__)

SEND_TIMEOUT = 10.0  # seconds, docs/api.md
LEASE_SECONDS = 60.0  # longer than a send, so a live worker never loses its lease
POLL_INTERVAL = 1.0
BATCH = 20
JITTER = 0.10
USER_AGENT = "monespace-portal-webhooks/1"


@dataclass(frozen=True)
class Job:
    """A leased delivery, with what sending it needs."""

    id: int
    message_id: str
    url: str
    secret: str
    payload: str
    lease: dt.datetime


@dataclass(frozen=True)
class Outcome:
    """What one HTTP attempt gave."""

    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class DestinationRefused(Exception):
    """The URL's host resolves to a non-public address (outside sandbox mode)."""


def retry_delay(backoff: Sequence[float], attempts: int) -> float | None:
    """Seconds before the next try after ``attempts`` failed ones, or None: give up."""
    if attempts > len(backoff):
        return None
    return backoff[attempts - 1] * random.uniform(1 - JITTER, 1 + JITTER)


# --- database steps (run in worker threads) -----------------------------------


def _due(now: dt.datetime) -> list[ColumnElement[bool]]:
    return [
        WebhookDelivery.status == "pending",
        WebhookDelivery.next_attempt_at <= now,
        or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now),
    ]


def claim(maker: sessionmaker[Session], *, batch: int = BATCH) -> list[Job]:
    """Lease up to ``batch`` due deliveries; rows leased by others are skipped."""
    now = utcnow()
    lease = now + dt.timedelta(seconds=LEASE_SECONDS)
    with maker() as db:
        query = select(WebhookDelivery.id).where(*_due(now))
        ids = list(db.scalars(query.order_by(WebhookDelivery.next_attempt_at).limit(batch)))
        taken = [pk for pk in ids if _lease(db, pk, now, lease)]
        rows = db.execute(
            select(WebhookDelivery, WebhookEndpoint.url, WebhookEndpoint.secret)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.id.in_(taken))
        ).all()
        db.commit()
    return [Job(d.id, d.message_id, url, secret, d.payload, lease) for d, url, secret in rows]


def _lease(db: Session, pk: int, now: dt.datetime, lease: dt.datetime) -> bool:
    statement = (
        update(WebhookDelivery)
        .where(WebhookDelivery.id == pk, *_due(now))
        .values(locked_until=lease)
        .execution_options(synchronize_session=False)
    )
    return bool(db.execute(statement).rowcount == 1)  # type: ignore[attr-defined]


def next_due_in(maker: sessionmaker[Session], ceiling: float) -> float:
    """Seconds until the earliest unleased pending delivery is due (at most ``ceiling``)."""
    now = utcnow()
    with maker() as db:
        earliest = db.scalar(
            select(func.min(WebhookDelivery.next_attempt_at)).where(
                WebhookDelivery.status == "pending",
                or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now),
            )
        )
        db.rollback()
    if earliest is None:
        return ceiling
    return min(ceiling, max(0.05, (earliest - now).total_seconds()))


def record(
    maker: sessionmaker[Session], job: Job, outcome: Outcome, backoff: Sequence[float]
) -> str | None:
    """Log the attempt and move the delivery on; the new status (None: lease lost)."""
    now = utcnow()
    with maker() as db:
        delivery = db.scalar(
            select(WebhookDelivery).where(
                WebhookDelivery.id == job.id, WebhookDelivery.locked_until == job.lease
            )
        )
        if delivery is None:
            return None  # replayed, deleted or re-leased meanwhile: theirs now
        db.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                at=now,
                status_code=outcome.status_code,
                error=outcome.error,
                duration_ms=outcome.duration_ms,
            )
        )
        _advance(delivery, outcome, backoff, now)
        db.commit()
        return delivery.status


def _advance(
    delivery: WebhookDelivery, outcome: Outcome, backoff: Sequence[float], now: dt.datetime
) -> None:
    delivery.attempts += 1
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error
    delivery.locked_until = None
    if outcome.delivered:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
        return
    delay = retry_delay(backoff, delivery.attempts)
    if delay is None:
        delivery.status, delivery.next_attempt_at = "dead", None
    else:
        delivery.next_attempt_at = now + dt.timedelta(seconds=delay)


# --- HTTP ----------------------------------------------------------------------


#: ``resolve(host, port)``: the addresses of a host name (a test passes its own).
Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolve(host: str, port: int) -> list[str]:
    """The host's addresses from the system resolver, in its order of preference."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))


def _deliverable(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A public unicast address (an IPv4-mapped IPv6 address counts as its IPv4)."""
    mapped = getattr(address, "ipv4_mapped", None) or address
    return mapped.is_global and not mapped.is_multicast


async def destination(url: str, *, check: bool, resolve: Resolver = system_resolve) -> str:
    """The one address a delivery connects to, resolved once.

    Why one resolution: a check that resolves the name, followed by a
    connection that resolves it again, is beaten by a DNS server answering a
    public address first and 127.0.0.1 second (DNS rebinding). Every address
    of the answer must be public (``check``; off in sandbox mode, where
    receivers run on loopback), and the connection goes to the first one.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    problem = host_problem(host) if check else None
    if problem is not None:
        raise DestinationRefused(problem)
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        addresses = await resolve(host, parts.port or (443 if parts.scheme == "https" else 80))
    else:
        addresses = [str(literal)]
    if not addresses:
        raise DestinationRefused(f"{host} has no address")
    for text in addresses:
        if check and not _deliverable(ipaddress.ip_address(text)):
            raise DestinationRefused(f"{host} resolves to the non-public address {text}")
    return addresses[0]


async def check_destination(url: str, resolve: Resolver = system_resolve) -> None:
    """Refuse a host that is, or resolves to, a loopback/private/link-local address."""
    await destination(url, check=True, resolve=resolve)


def pinned(url: str, address: str) -> tuple[httpx.URL, dict[str, str], dict[str, Any]]:
    """``url`` aimed at ``address``, still naming its host to the receiver.

    The request goes to the address that was checked; ``Host`` keeps the
    name (virtual hosting), and for HTTPS the name is the TLS server name
    (SNI) and the name the certificate is verified against. ``Connection:
    close``: a connection is never reused for another name on the same
    address, whose certificate was not checked on it.
    """
    original = httpx.URL(url)
    target = original.copy_with(host=address)
    headers = {"host": original.netloc.decode("ascii"), "connection": "close"}
    extensions: dict[str, Any] = {}
    if original.scheme == "https":
        extensions["sni_hostname"] = original.raw_host.decode("ascii")
    return target, headers, extensions


async def send(
    client: httpx.AsyncClient, job: Job, *, sandbox: bool, resolve: Resolver = system_resolve
) -> Outcome:
    """POST one delivery, signed now, to the checked address; the response body is never read."""
    body = job.payload.encode()
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        **signature_headers(job.secret, job.message_id, body),
    }
    start = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - start) * 1000)

    try:
        address = await destination(job.url, check=not sandbox, resolve=resolve)
        target, naming, extensions = pinned(job.url, address)
        async with client.stream(
            "POST", target, content=body, headers={**headers, **naming}, extensions=extensions
        ) as answer:
            code = answer.status_code
        return Outcome(code, None if 200 <= code < 300 else f"HTTP {code}", took())
    except DestinationRefused as exc:
        return Outcome(None, f"destination refused: {exc}"[:500], took())
    except httpx.TimeoutException:
        return Outcome(None, f"timed out after {SEND_TIMEOUT:g} s", took())
    except (httpx.HTTPError, OSError) as exc:
        return Outcome(None, f"connection failed: {type(exc).__name__}: {exc}"[:500], took())


# --- the loop --------------------------------------------------------------------


class Dispatcher:
    """One process's delivery loop; ``wake()`` may be called from any thread."""

    def __init__(
        self,
        maker: sessionmaker[Session],
        *,
        backoff: Sequence[float],
        sandbox: bool,
        poll_interval: float = POLL_INTERVAL,
    ) -> None:
        self.maker = maker
        self.backoff = tuple(backoff)
        self.sandbox = sandbox
        self.poll_interval = poll_interval
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None

    def start(self) -> None:
        """Start the loop as a task of the running event loop (the app's lifespan)."""
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        self._client = httpx.AsyncClient(timeout=SEND_TIMEOUT, follow_redirects=False)
        self._task = asyncio.create_task(self._run(), name="webhook-dispatcher")

    async def stop(self) -> None:
        """Stop the loop; a delivery cut off mid-send is sent again after its lease."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        self._loop = None

    def wake(self) -> None:
        """Look for due deliveries now (called after a commit that queued some)."""
        loop, wakeup = self._loop, self._wakeup
        if loop is None or wakeup is None:
            return
        try:
            loop.call_soon_threadsafe(wakeup.set)
        except RuntimeError:
            pass  # the loop is closing

    async def _run(self) -> None:
        assert self._wakeup is not None
        while True:
            self._wakeup.clear()
            try:
                wait = await self.run_once()
            except (OperationalError, InterfaceError) as exc:
                # The database restarting or out of reach: expected, one line, no traceback.
                log.warning(
                    "webhook dispatcher: the database is unreachable (%s); retrying in %s s",
                    type(exc.orig).__name__,
                    self.poll_interval,
                )
                wait = self.poll_interval
            except Exception:
                log.exception("webhook dispatcher: a round failed; retrying")
                wait = self.poll_interval
            if wait > 0:
                try:
                    await asyncio.wait_for(self._wakeup.wait(), wait)
                except TimeoutError:
                    pass

    async def run_once(self) -> float:
        """Send what is due; the seconds to sleep before the next round."""
        assert self._client is not None
        jobs = await anyio.to_thread.run_sync(claim, self.maker)
        if not jobs:
            return float(
                await anyio.to_thread.run_sync(next_due_in, self.maker, self.poll_interval)
            )
        await asyncio.gather(*(self._deliver(job) for job in jobs))
        return 0.0

    async def _deliver(self, job: Job) -> None:
        assert self._client is not None
        outcome = await send(self._client, job, sandbox=self.sandbox)
        status = await anyio.to_thread.run_sync(record, self.maker, job, outcome, self.backoff)
        if status == "dead":
            log.warning("webhook delivery %s is dead: %s", job.message_id, outcome.error)
