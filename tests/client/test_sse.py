"""The SSE parser and the reconnecting reader (Last-Event-ID)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from monespace_cli.client import (
    AuthenticationRequired,
    EventStream,
    PortalClient,
    PortalUnavailable,
    SSEParser,
    parse_lines,
)


def test_parses_ids_types_comments_and_multiline_data() -> None:
    lines = [
        ": keepalive",
        "id: 1",
        "event: submitted",
        'data: {"a":',
        "data: 1}",
        "",
        "",
        "id: 2",
        "data:no-space",
        "",
        "data: dropped-unterminated",
    ]
    events = list(parse_lines(lines))
    assert [(e.id, e.event, e.data) for e in events] == [
        ("1", "submitted", '{"a":\n1}'),
        ("2", "message", "no-space"),
    ]
    assert events[0].json() == {"a": 1}


def test_retry_field_is_read() -> None:
    parser = SSEParser()
    parser.feed("retry: 2500")
    parser.feed("data: x")
    event = parser.feed("")
    assert event is not None and event.retry == 2500


@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"]), max_size=30),
        max_size=5,
    )
)
def test_data_round_trips(values: list[str]) -> None:
    lines: list[str] = []
    for i, value in enumerate(values):
        lines += [f"id: {i}", f"data: {value}", ""]
    events = list(parse_lines(lines))
    assert [e.data for e in events] == values
    assert [e.id for e in events] == [str(i) for i in range(len(values))]


def test_reconnects_with_last_event_id_after_a_drop() -> None:
    sent: list[str | None] = []
    streams = [
        ["id: e1", "data: {}", "", "id: e2", "data: {}", ""],
        ["id: e3", "data: {}", ""],
    ]

    @contextmanager
    def connect(last: str | None) -> Iterator[list[str]]:
        sent.append(last)
        if len(sent) == 2:
            raise PortalUnavailable("down")
        yield streams.pop(0)

    stream = EventStream(connect, sleep=lambda _s: None)
    ids = []
    for event in stream:
        ids.append(event.id)
        if len(ids) == 3:
            break
    assert ids == ["e1", "e2", "e3"]
    assert sent == [None, "e2", "e2"]


def test_gives_up_after_max_failures() -> None:
    calls = []

    @contextmanager
    def connect(last: str | None) -> Iterator[list[str]]:
        calls.append(last)
        raise PortalUnavailable("down")
        yield []

    with pytest.raises(PortalUnavailable):
        list(EventStream(connect, max_failures=3, sleep=lambda _s: None))
    assert len(calls) == 3


def test_client_stream_sends_last_event_id_and_stops_on_auth_error() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("Last-Event-ID"))
        if len(seen) == 1:
            body = b'id: 7\nevent: submitted\ndata: {"id": "7"}\n\n'
            return httpx.Response(200, content=body, headers={"Content-Type": "text/event-stream"})
        return httpx.Response(401, json={"title": "token expired", "status": 401})

    client = PortalClient("http://portal.test", transport=httpx.MockTransport(handler))
    stream = client.events(last_event_id="5", retry_delay=0)
    got = []
    with pytest.raises(AuthenticationRequired):
        for event in stream:
            got.append(event.json())
    assert got == [{"id": "7"}]
    assert seen == ["5", "7"]
