"""Server-Sent Events: a parser and a reader that reconnects with Last-Event-ID.

``dossier watch`` must survive a portal restart or a dropped connection
without missing or repeating events, so the reader remembers the last event
id it delivered and sends it back as ``Last-Event-ID`` when it reconnects;
the portal then replays only what came after. The parser follows the WHATWG
"event stream interpretation" rules (comments, multi-line data, ``retry``),
kept apart from I/O so it can be tested on plain strings.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from ._exceptions import PortalUnavailable


@dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched event; ``id`` is the stream's last event id at that point."""

    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None

    def json(self) -> Any:
        """The data decoded as JSON (the portal sends an Event object)."""
        return json.loads(self.data)


class SSEParser:
    """Turns lines of a ``text/event-stream`` into events (no I/O)."""

    def __init__(self, last_event_id: str | None = None) -> None:
        self.last_event_id = last_event_id
        self.retry: int | None = None
        self._event = ""
        self._data: list[str] = []
        self._has_fields = False

    def feed(self, line: str) -> ServerSentEvent | None:
        """Consume one line (without its end of line); return an event on a blank line."""
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None  # a comment: keepalives arrive as ": keepalive"
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        self._field(name, value)
        return None

    def _field(self, name: str, value: str) -> None:
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            if "\0" not in value:
                self.last_event_id = value
        elif name == "retry" and value.isdigit():
            self.retry = int(value)
            return
        else:
            return
        self._has_fields = True

    def _dispatch(self) -> ServerSentEvent | None:
        if not self._data:
            self._event = ""
            self._has_fields = False
            return None
        event = ServerSentEvent(
            event=self._event or "message",
            data="\n".join(self._data),
            id=self.last_event_id,
            retry=self.retry,
        )
        self._event = ""
        self._data = []
        self._has_fields = False
        return event


def parse_lines(lines: Iterable[str], parser: SSEParser | None = None) -> Iterator[ServerSentEvent]:
    """Every event in ``lines``; an unterminated last event is dropped, per spec."""
    parser = parser or SSEParser()
    for raw in lines:
        for line in raw.splitlines() or [""]:
            event = parser.feed(line)
            if event is not None:
                yield event


Connect = Callable[[str | None], AbstractContextManager[Iterable[str]]]


class EventStream:
    """Iterates over events forever, reconnecting after drops with Last-Event-ID.

    ``connect(last_event_id)`` opens the stream and gives its lines; it raises
    :class:`PortalUnavailable` when the portal cannot be reached. Other portal
    errors (401, 403…) are not retried: waiting does not fix them. After
    ``max_failures`` consecutive failed connections the last error is raised.
    """

    def __init__(
        self,
        connect: Connect,
        *,
        last_event_id: str | None = None,
        retry_delay: float = 1.0,
        max_failures: int = 5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._connect = connect
        self.last_event_id = last_event_id
        self.retry_delay = retry_delay
        self.max_failures = max_failures
        self.reconnects = 0
        self._sleep = sleep

    def __iter__(self) -> Iterator[ServerSentEvent]:
        failures = 0
        while True:
            try:
                with self._connect(self.last_event_id) as lines:
                    failures = 0
                    yield from self._read(lines)
            except PortalUnavailable:
                failures += 1
                if failures >= self.max_failures:
                    raise
            self.reconnects += 1
            self._sleep(self.retry_delay * min(2 ** max(failures - 1, 0), 30))

    def _read(self, lines: Iterable[str]) -> Iterator[ServerSentEvent]:
        parser = SSEParser(self.last_event_id)
        for event in parse_lines(lines, parser):
            if parser.retry is not None:
                self.retry_delay = parser.retry / 1000
            self.last_event_id = event.id
            yield event
