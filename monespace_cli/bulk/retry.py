"""Retrying what a busy or restarting portal refuses: 429, 503, time-outs.

Why full jitter: hundreds of rows failing at the same instant (the portal
restarting) must not come back at the same instant; each waits a random
time up to an exponentially growing cap (AWS's "full jitter"). A 429's
``Retry-After`` is a floor: the portal said when it will take more.

Only failures where the request did not take effect, or where repeating it
is harmless, come here: every write of the bulk runner carries an
Idempotency-Key or is checked before it is repeated (attachments).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from monespace_cli.client import PortalUnavailable, RateLimited

T = TypeVar("T")


class Stopped(Exception):
    """The job is stopping (Ctrl-C): the row is left where the journal says."""


class GaveUp(Exception):
    """The portal stayed unavailable through every attempt; the row can be resumed."""

    def __init__(self, last: Exception) -> None:
        super().__init__(str(last))
        self.last = last


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait (seconds)."""

    attempts: int = 10
    base: float = 0.25
    cap: float = 20.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """The wait before attempt ``attempt + 1`` (full jitter, Retry-After as a floor)."""
        ceiling = min(self.cap, self.base * 2**attempt)
        wait = rng.uniform(0, ceiling)
        if retry_after is not None:
            wait = max(wait, retry_after + rng.uniform(0, self.base))
        return wait


def retryable(exc: BaseException) -> tuple[bool, float | None]:
    """Whether ``exc`` is worth another try, and the portal's Retry-After if any."""
    if isinstance(exc, RateLimited):
        return True, exc.retry_after
    if isinstance(exc, PortalUnavailable):
        return True, None
    return False, None


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    stopping: Callable[[], bool],
    rng: random.Random,
    done_already: Callable[[], Awaitable[T | None]] | None = None,
) -> T:
    """``await call()``, retried on 429/503/time-outs.

    ``done_already`` is asked before each retry for a write that has no
    idempotency key (an upload): when it returns a value, the first try did
    reach the portal and that value is the answer.
    """
    for attempt in range(policy.attempts):
        try:
            return await call()
        except Exception as exc:
            again, retry_after = retryable(exc)
            if not again:
                raise
            if attempt + 1 >= policy.attempts:
                raise GaveUp(exc) from exc
            await _sleep(policy.delay(attempt, retry_after, rng), stopping)
        if done_already is not None:
            found = await _checked(done_already, policy, stopping, rng)
            if found is not None:
                return found
    raise AssertionError("unreachable")  # pragma: no cover


def call_sync_with_retries(
    call: Callable[[], T], policy: RetryPolicy | None = None, *, rng: random.Random | None = None
) -> T:
    """``call()`` (a blocking read, e.g. the procedure before a run), retried like the rows.

    A run must not fail at its start because the portal refused its first
    request with a 503 or a 429 that the rows would simply have retried.
    """
    import time

    policy, rng = policy or RetryPolicy(), rng or random.Random()
    for attempt in range(policy.attempts):
        try:
            return call()
        except Exception as exc:
            again, retry_after = retryable(exc)
            if not again:
                raise
            if attempt + 1 >= policy.attempts:
                raise
            time.sleep(policy.delay(attempt, retry_after, rng))
    raise AssertionError("unreachable")  # pragma: no cover


async def _checked(
    check: Callable[[], Awaitable[T | None]],
    policy: RetryPolicy,
    stopping: Callable[[], bool],
    rng: random.Random,
) -> T | None:
    """Run the check itself with retries (it is a read: always safe to repeat)."""
    return await call_with_retries(check, policy, stopping=stopping, rng=rng)


async def _sleep(seconds: float, stopping: Callable[[], bool]) -> None:
    """Wait, but give up early (Stopped) when the job is asked to stop."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        if stopping():
            raise Stopped
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            return
        await asyncio.sleep(min(left, 0.1))
