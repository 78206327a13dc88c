"""Reads a Server-Sent Events path of the real portal on a thread (portal and back-office tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx

from monespace_cli.client._sse import ServerSentEvent, parse_lines


class StreamReader:
    """Reads an SSE path on a thread until ``until(event)`` holds, then disconnects.

    The reading thread leaves the ``with`` block itself: closing an httpx
    stream from another thread does not interrupt a blocked read.
    """

    def __init__(
        self,
        url: str,
        token: str,
        until: Callable[[ServerSentEvent], bool],
        *,
        path: str = "/api/v1/agent/events",
        last_event_id: str | None = None,
    ) -> None:
        self.events: list[ServerSentEvent] = []
        self.ready, self.done = threading.Event(), threading.Event()
        self.until = until
        self.status: int | None = None
        self.content_type = ""
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        self._client = httpx.Client(base_url=url, timeout=httpx.Timeout(10, read=30))
        self._thread = threading.Thread(target=self._run, args=(path, headers), daemon=True)
        self._thread.start()
        assert self.ready.wait(10), "the stream did not open"

    def _run(self, path: str, headers: dict[str, str]) -> None:
        try:
            with self._client.stream("GET", path, headers=headers) as answer:
                self.status = answer.status_code
                self.content_type = answer.headers.get("content-type", "")
                self.ready.set()
                if answer.status_code != 200:
                    return
                for event in parse_lines(answer.iter_lines()):
                    self.events.append(event)
                    if self.until(event):
                        break
        except httpx.HTTPError:
            pass
        finally:
            self._client.close()
            self.ready.set()
            self.done.set()

    def result(self, timeout: float = 20.0) -> list[ServerSentEvent]:
        assert self.done.wait(timeout), f"stream still waiting; got {self.events}"
        return self.events
