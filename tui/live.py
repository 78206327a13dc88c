"""Following the portal's event stream in the background, through outages.

Why a daemon thread and not a Textual worker: reading the stream blocks in
a socket read for up to the stream's read timeout; a thread worker runs in
asyncio's default executor, which the event loop waits for on shutdown, so
quitting the app could hang. This thread is a daemon, can be told to stop,
and closes its client to break out of a blocked read.

The stream itself (``PortalClient.events``) resumes with ``Last-Event-ID``;
this loop adds what the TUI needs on top: an "online/offline" signal for
the header, and a capped exponential backoff while the portal is away, so
that the app never crashes or spins when the portal goes down and picks up
where it left off when it comes back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from monespace_cli.client import AuthenticationRequired, Forbidden

if TYPE_CHECKING:
    from monespace_cli.client import PortalClient


#: Opens an event stream on a client, resuming after an event id (None: from now).
StreamOpener = Callable[["PortalClient", "str | None"], Iterable[Any]]


def applicant_stream(client: PortalClient, last_event_id: str | None) -> Iterable[Any]:
    """The person's own stream (``GET /events``): the default of :class:`EventFollower`."""
    return client.events(last_event_id=last_event_id, max_failures=1)


class EventFollower:
    """Reads events in a daemon thread; calls back (from that thread) on events and link changes.

    ``stream`` chooses which stream is followed: the applicant's by default,
    the back office's (``agent_events``) for the agent queue.
    """

    def __init__(
        self,
        make_client: Callable[[], PortalClient],
        on_event: Callable[[dict[str, Any]], None],
        on_link: Callable[[bool], None],
        *,
        first_delay: float = 0.5,
        max_delay: float = 10.0,
        stream: StreamOpener = applicant_stream,
    ) -> None:
        self._make_client = make_client
        self._stream = stream
        self._on_event = on_event
        self._on_link = on_link
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.last_event_id: str | None = None
        self._stop = threading.Event()
        self._client: PortalClient | None = None
        self._online: bool | None = None
        self._thread = threading.Thread(target=self._run, name="monespace-events", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to end, and break a blocked read by closing its client."""
        self._stop.set()
        client = self._client
        if client is not None:
            try:
                client.close()
            except Exception:  # noqa: BLE001, S110 - closing from another thread is best effort
                pass

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def _link(self, online: bool) -> None:
        if online != self._online:
            self._online = online
            self._on_link(online)

    def _run(self) -> None:
        delay = self.first_delay
        while not self._stop.is_set():
            try:
                self._follow()
                delay = self.first_delay
            except Exception as exc:  # noqa: BLE001 - any failure: offline, wait, retry
                if self._stop.is_set():
                    return
                if _is_permanent(exc):
                    self._link(False)
                    return
                self._link(False)
            self._stop.wait(delay)
            delay = min(delay * 2, self.max_delay)

    def _follow(self) -> None:
        """One connection: check the portal answers, then read until the link drops."""
        with self._make_client() as client:
            self._client = client
            try:
                client.healthz()
                self._link(True)
                for sse in self._stream(client, self.last_event_id):
                    if self._stop.is_set():
                        return
                    self.last_event_id = sse.id
                    self._deliver(sse)
            finally:
                self._client = None

    def _deliver(self, sse: Any) -> None:
        try:
            event = sse.json()
        except ValueError:
            return
        if isinstance(event, dict):
            self._on_event(event)


def _is_permanent(exc: BaseException) -> bool:
    """Errors that waiting does not fix: the session is gone or refused."""
    return isinstance(exc, AuthenticationRequired | Forbidden)
