"""Fixed-window rate limits kept in the database, shared by every server process.

Why the database: the portal may run as several processes behind a load
balancer; a counter in one process's memory would let an attacker multiply
the allowance by the number of processes. A window is one row per key
(``login-failure:<address>:<card>``…), updated with conditional statements so
concurrent requests never lose a hit.

Limits are written ``"<count>/<seconds>"`` (``"20/300"``: twenty in five
minutes); ``"off"`` disables one.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.config import Limit
from portal.models import RateLimitBucket, utcnow
from portal.problems import Problem


def _window(limit: Limit, now: dt.datetime) -> dt.datetime:
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % limit.seconds, dt.UTC)


def _retry_after(limit: Limit, window: dt.datetime, now: dt.datetime) -> int:
    return max(1, math.ceil((window + dt.timedelta(seconds=limit.seconds) - now).total_seconds()))


def exceeded(db: Session, key: str, limit: Limit | None) -> int | None:
    """Seconds to wait when ``key`` has used its window up, else None (reads only)."""
    if limit is None:
        return None
    now = utcnow()
    window = _window(limit, now)
    row = db.scalars(
        select(RateLimitBucket).where(
            RateLimitBucket.key == key, RateLimitBucket.window_start == window
        )
    ).first()
    if row is None or row.count < limit.count:
        return None
    return _retry_after(limit, window, now)


def hit(db: Session, key: str, limit: Limit | None) -> None:
    """Count one hit for ``key`` in the current window (commits)."""
    if limit is None:
        return
    window = _window(limit, utcnow())
    same_window = RateLimitBucket.key == key
    bumped = db.execute(
        update(RateLimitBucket)
        .where(same_window, RateLimitBucket.window_start == window)
        .values(count=RateLimitBucket.count + 1)
    )
    if bumped.rowcount == 0:  # type: ignore[attr-defined]
        renewed = db.execute(
            update(RateLimitBucket)
            .where(same_window, RateLimitBucket.window_start < window)
            .values(window_start=window, count=1)
        )
        if renewed.rowcount == 0:  # type: ignore[attr-defined]
            try:
                with db.begin_nested():
                    db.add(RateLimitBucket(key=key, window_start=window, count=1))
            except IntegrityError:  # another process inserted it first
                db.execute(
                    update(RateLimitBucket)
                    .where(same_window)
                    .values(count=RateLimitBucket.count + 1)
                )
    db.commit()


def enforce(db: Session, key: str, limit: Limit | None, what: str) -> None:
    """Raise 429 ``rate-limited`` with ``Retry-After`` when ``key`` is over ``limit``."""
    wait = exceeded(db, key, limit)
    if wait is not None:
        raise Problem(
            "rate-limited",
            f"too many {what} from this address; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple[str, ...]) -> str:
    """The address a limit counts: the peer, or what a trusted proxy says it forwarded.

    ``X-Forwarded-For`` is believed only from the configured load balancers
    (``MONESPACE_PORTAL_TRUSTED_PROXIES``), and then its right-most address
    that is not itself a trusted proxy: the left part is the client's to forge.
    """
    address = peer or "unknown"
    if address not in trusted or not forwarded_for:
        return address
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if hop not in trusted:
            return hop
    return address
