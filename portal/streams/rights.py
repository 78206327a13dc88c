"""Who a live stream may still deliver to: checked again on each delivery, cheaply.

Why again and again: a stream lives for hours, and the rights it was opened
with can go in the meantime — the login session ends (logout, expiry, a
revoked certificate), a CSAM role or mandate behind ``X-Acting-As`` is
revoked, an agent leaves their services. REST answers 401/403 from then on;
a stream must stop delivering at the same moment.

The check is the REST one, called as it is: the session through
:func:`portal.auth.deps.current_principal` (so every rule added there, such as
the certificate's revocation status, applies to streams too), the context
through :func:`portal.domain.authz.find_context`, the back office through
:func:`portal.backoffice.access.agent_of`.

Why a cache: 2,000 streams of one office receiving the same event must not
cost 2,000 checks. A :class:`Grant` is kept per (login session, stream kind,
context) — streams that share one are checked once — and trusted for at most
``ttl`` seconds, until its session's expiry, and only until a change that may
touch it is heard of (:meth:`RightsCache.invalidate`, fed by
portal.changes): so a revocation takes effect at the next delivery.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.orm import Session

from portal.auth.deps import current_principal
from portal.backoffice.access import AgentCaller, agent_of
from portal.changes import EVERYONE
from portal.domain import authz
from portal.models import utcnow
from portal.problems import Problem

APPLICANT, AGENT = "applicant", "agent"

#: ``reason`` of the final ``session-ended`` event (docs/api.md "Event streams").
SESSION, CONTEXT, NOT_AGENT = "session", "context", "agent"


@dataclass(frozen=True)
class RightsKey:
    """What one stream's rights depend on; streams with equal keys share one check."""

    login_id: str  # Principal.login_id: "session:<id>" or "token:<id>"
    nrn: str
    kind: str  # APPLICANT | AGENT
    acting_as: str  # "me", a BCE number, or "" for an agent stream
    token: str = field(compare=False, repr=False)

    def touched_by(self, tags: frozenset[str]) -> bool:
        """Whether a change named by ``tags`` may alter these rights."""
        return (
            EVERYONE in tags
            or self.login_id in tags
            or f"person:{self.nrn}" in tags
            or f"org:{self.acting_as}" in tags
        )


@dataclass(frozen=True)
class Grant:
    """The outcome of one check: allowed (with what it sees) or refused (with why)."""

    reason: str | None = None  # None: allowed
    detail: str = ""
    visibility: authz.Visibility | None = None
    caller: AgentCaller | None = None
    session_expires: dt.datetime | None = None

    @property
    def allowed(self) -> bool:
        return self.reason is None


def check(db: Session, key: RightsKey) -> Grant:
    """Check ``key``'s rights now, exactly as a REST request would."""
    credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=key.token)
    try:
        principal = current_principal(db, credentials)
    except Problem as problem:
        return Grant(SESSION, problem.detail)
    if principal.login_id != key.login_id:  # cannot happen: one token, one login
        return Grant(SESSION, "the session token is not valid")
    expires = principal.session.expires_at
    if key.kind == AGENT:
        caller = agent_of(db, principal.person)
        if caller is None:
            return Grant(NOT_AGENT, "you no longer work in any service")
        return Grant(caller=caller, session_expires=expires)
    context = authz.find_context(db, principal.person, key.acting_as)
    if context is None:
        detail = f"you no longer hold a role allowing you to act for organisation {key.acting_as}"
        return Grant(CONTEXT, detail)
    return Grant(visibility=authz.visibility(principal.person, context), session_expires=expires)


@dataclass
class _Entry:
    grant: Grant
    checked: float
    stale: bool = False


class RightsCache:
    """Grants per key, trusted for ``ttl`` s unless a change touching them is heard of.

    ``invalidate`` may be called from any thread (a committing request's);
    the rest runs on the event loop.
    """

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._entries: dict[RightsKey, _Entry] = {}
        self._lock = threading.Lock()

    def fresh(self, key: RightsKey) -> Grant | None:
        """The cached grant if it may still be trusted, else None (check again)."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or entry.stale or self._clock() - entry.checked >= self.ttl:
            return None
        expires = entry.grant.session_expires
        if expires is not None and expires <= utcnow():
            return None
        return entry.grant

    def cached(self, key: RightsKey) -> Grant | None:
        """The last grant, trusted or not (to pre-select which events to check for)."""
        with self._lock:
            entry = self._entries.get(key)
        return entry.grant if entry is not None else None

    def store(self, key: RightsKey, grant: Grant, checked: float) -> None:
        """Keep ``grant``, unless a change touching ``key`` was heard since ``checked``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.stale and entry.checked > checked:
                return
            self._entries[key] = _Entry(grant, checked)

    def invalidate(self, tags: frozenset[str]) -> list[RightsKey]:
        """Mark the grants ``tags`` may touch as stale; the keys marked."""
        now = self._clock()
        marked = []
        with self._lock:
            for key, entry in self._entries.items():
                if key.touched_by(tags):
                    entry.stale, entry.checked = True, now
                    marked.append(key)
        return marked

    def due(self, keys: Iterable[RightsKey], seconds: float) -> list[RightsKey]:
        """Of ``keys``, those never checked, stale, or last checked ``seconds`` ago or more."""
        limit = self._clock() - seconds
        with self._lock:
            entries = [(key, self._entries.get(key)) for key in keys]
        return [k for k, e in entries if e is None or e.stale or e.checked <= limit]

    def forget(self, keys: Iterable[RightsKey]) -> None:
        """Drop keys no stream uses any more."""
        with self._lock:
            for key in keys:
                self._entries.pop(key, None)

    def now(self) -> float:
        return self._clock()
