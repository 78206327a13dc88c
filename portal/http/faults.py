"""Fault injection for tests: answer 503 or 429, or answer late, at random.

Why it is in the portal and not in a proxy: the bulk client's promise ("no
row lost, none duplicated, whatever the portal does") has to be shown
against the real server, and a switch in the server is the smallest thing
that makes a real portal misbehave on demand. It is a sandbox-only switch:
``MONESPACE_PORTAL_FAULTS`` is ignored, with a warning, outside sandbox mode,
so a production portal can never be made to fail by its environment.

Syntax (docs/api.md, "Fault injection"): comma-separated ``503=P``,
``429=P`` (P a fraction between 0 and 1) and ``delay=MIN:MAX`` (seconds).
The faults hit ``/api/v1`` requests *before* they are handled, so a faulted
write never happened: retrying it is always safe.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from portal.config import ConfigError
from portal.problems import Problem

log = logging.getLogger("portal.http.faults")

API_PREFIX = "/api/v1"
#: The Retry-After a faulted 429 carries (seconds).
RETRY_AFTER = "1"


@dataclass(frozen=True)
class FaultPlan:
    """What to inject: fractions of 503 and 429 answers, and a delay range."""

    unavailable: float = 0.0
    rate_limited: float = 0.0
    delay: tuple[float, float] | None = None

    @property
    def active(self) -> bool:
        return bool(self.unavailable or self.rate_limited or self.delay)


def parse(text: str) -> FaultPlan:
    """``"503=0.1,429=0.1,delay=0.05:0.5"`` → FaultPlan; ConfigError naming the bad part."""
    values: dict[str, float] = {}
    delay: tuple[float, float] | None = None
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in ("503", "429", "delay"):
            raise ConfigError(
                f"MONESPACE_PORTAL_FAULTS: {part!r} is not 503=P, 429=P or delay=MIN:MAX"
            )
        if name == "delay":
            delay = _delay(value)
        else:
            values[name] = _fraction(name, value)
    if values.get("503", 0.0) + values.get("429", 0.0) > 1.0:
        raise ConfigError(
            "MONESPACE_PORTAL_FAULTS: the 503 and 429 fractions add up to more than 1"
        )
    return FaultPlan(values.get("503", 0.0), values.get("429", 0.0), delay)


def _fraction(name: str, value: str) -> float:
    try:
        fraction = float(value)
    except ValueError:
        fraction = -1.0
    if not 0.0 <= fraction <= 1.0:
        raise ConfigError(f"MONESPACE_PORTAL_FAULTS: {name} needs a fraction from 0 to 1")
    return fraction


def _delay(value: str) -> tuple[float, float]:
    low, _, high = value.partition(":")
    try:
        bounds = (float(low), float(high or low))
    except ValueError:
        bounds = (-1.0, -1.0)
    if not 0.0 <= bounds[0] <= bounds[1] <= 60.0:
        raise ConfigError("MONESPACE_PORTAL_FAULTS: delay is MIN:MAX seconds, 0 to 60")
    return bounds


class FaultInjection:
    """ASGI middleware drawing, for each API request, whether to fail or delay it."""

    def __init__(self, app: ASGIApp, plan: FaultPlan, seed: int | None = None) -> None:
        self.app = app
        self.plan = plan
        self.random = random.Random(seed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        if self.plan.delay is not None:
            await asyncio.sleep(self.random.uniform(*self.plan.delay))
        problem = self._draw()
        if problem is None:
            await self.app(scope, receive, send)
            return
        await problem.response(scope.get("path"), accept_language=_accept_language(scope))(
            scope, receive, send
        )

    def _draw(self) -> Problem | None:
        draw = self.random.random()
        if draw < self.plan.unavailable:
            return Problem("unavailable", "fault injection: the portal is unavailable (test)")
        if draw < self.plan.unavailable + self.plan.rate_limited:
            return Problem(
                "rate-limited",
                "fault injection: too many requests (test)",
                headers={"Retry-After": RETRY_AFTER},
            )
        return None


def plan_for(text: str | None, *, sandbox: bool) -> FaultPlan | None:
    """The plan to install, or None (unset, or not in sandbox mode: then a warning)."""
    if not text:
        return None
    if not sandbox:
        log.warning(
            "MONESPACE_PORTAL_FAULTS is ignored: fault injection works in sandbox mode only"
        )
        return None
    plan = parse(text)
    if plan.active:
        log.warning("fault injection is on: %s", text)
    return plan if plan.active else None


def _accept_language(scope: Scope) -> str | None:
    """The caller's ``Accept-Language``, so an injected fault reads like a real one."""
    for key, value in scope.get("headers", []):
        if key == b"accept-language":
            return str(value.decode("latin-1"))
    return None
