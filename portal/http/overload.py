"""Answer fast when the process is saturated: 503 + Retry-After instead of a long queue.

Why: under more load than a process can serve, requests used to wait in line
(for a thread, a database slot, the SQLite write lock) for tens of seconds,
and every client timed out together. A quick 503 with ``Retry-After`` lets
clients back off (the CLI and TUI retry on it) and keeps the answers that are
given fast. Two bounds, both settings (portal/config.py):

- :class:`InFlightLimit`: at most ``max_in_flight`` requests handled at once
  by the process; the next is refused before any work. Event streams are not
  counted (they have their own caps, portal/streams/hub.py), nor ``/healthz``,
  nor uploads; a request comes here only once its body has arrived
  (portal.http.middleware.BodyLimit), so slow senders hold no slot.
- ``queue_wait_seconds``: how long a request waits for its turn at the
  database (portal.db.get_session) before it is refused.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.problems import busy

#: Set in the ASGI scope by portal.http.middleware.BodyLimit on an upload route: the
#: upload's body is still arriving when the route runs, at the client's
#: pace, so it is not counted as a request being handled (its deadline and
#: size are BodyLimit's; its database work waits its turn like any other).
UPLOAD_SCOPE_KEY = "monespace.upload"
#: Paths that are long-lived streams or must answer even when busy (exact
#: paths: ``/dossiers/{id}/events`` is an ordinary request and is counted).
EXEMPT_PATHS = frozenset({"/api/v1/events", "/api/v1/agent/events", "/healthz"})


class InFlightLimit:
    """Refuse a request with 503 when ``limit`` requests are already being handled."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        exempt = str(scope.get("path", "")).rstrip("/") in EXEMPT_PATHS
        if scope["type"] != "http" or exempt or scope.get(UPLOAD_SCOPE_KEY):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            problem = busy("the portal is busy right now; retry in a moment")
            await problem.response(scope.get("path"))(scope, _no_receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
