"""A malformed or out-of-range time from a client is a 400, never a 500.

``9999-12-31T23:59:59-23:59`` is valid RFC 3339 text, but in UTC it is in
year 10000, which Python's datetime cannot hold: comparing it with a stored
time raised OverflowError, a 500. Every time a client sends — the
``updated_since`` filter, and the times inside list cursors (a cursor is
base64 JSON anyone can write) — goes through one parser,
``portal.timestamps.parse_instant``, fuzzed here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.pagination import encode_cursor
from portal.timestamps import parse_instant

CITIZEN = "68031412135"
AGENT = "77042520313"  # Geoffrey Lemaire, supervisor at SPW-ARNE
EDGES = [
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59.999999-00:01",
    "2026-02-30T00:00:00Z",
    "2026-01-01T24:00:00Z",
    "2026-01-01T00:00:00+24:00",
    "",
    "now",
    "2026-01-01T00:00:00\x00Z",
    "１２３４-01-01",
]


@pytest.fixture
def headers(portal_client: Any, login: Any) -> dict[str, dict[str, str]]:
    return {
        nrn: {"Authorization": f"Bearer {login(portal_client, nrn)}"} for nrn in (CITIZEN, AGENT)
    }


def _cursors(text: str) -> list[tuple[str, str, str]]:
    """(who, path, cursor) for each list whose cursor carries a time."""
    return [
        (CITIZEN, "/api/v1/dossiers", encode_cursor("dossiers", [text, 1])),
        (CITIZEN, "/api/v1/documents", encode_cursor("documents", [text, "doc_x"])),
        (CITIZEN, "/api/v1/payments", encode_cursor("payments", [text, "pay_x"])),
        (AGENT, "/api/v1/agent/queue", encode_cursor("agent-queue:age", [text, 1])),
    ]


@pytest.mark.parametrize("text", EDGES)
def test_every_client_time_is_400_when_it_is_no_time(portal_client, headers, text) -> None:
    answer = portal_client.get(
        "/api/v1/dossiers", params={"updated_since": text}, headers=headers[CITIZEN]
    )
    assert answer.status_code in (200, 400, 422), answer.text
    if text == EDGES[0]:
        assert answer.status_code == 400, answer.text
    for who, path, cursor in _cursors(text):
        answer = portal_client.get(path, params={"cursor": cursor}, headers=headers[who])
        assert answer.status_code == 400, (path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"


def test_a_good_time_still_filters(portal_client, headers) -> None:
    answer = portal_client.get(
        "/api/v1/dossiers",
        params={"updated_since": "2000-01-01T00:00:00+02:00"},
        headers=headers[CITIZEN],
    )
    assert answer.status_code == 200, answer.text


@given(st.text(max_size=60))
def test_the_parser_answers_a_time_or_value_error(text: str) -> None:
    try:
        moment = parse_instant(text)
    except ValueError:
        return
    assert moment.tzinfo is dt.UTC


@given(st.datetimes(), st.integers(-1439, 1439), st.booleans())
def test_the_parser_reads_what_rfc3339_writes(local: dt.datetime, minutes: int, zulu: bool) -> None:
    """Any time at any offset RFC 3339 can write (whole minutes, up to ±23:59)."""
    moment = local.replace(tzinfo=dt.timezone(dt.timedelta(minutes=minutes)))
    text = moment.isoformat()
    try:
        expected = moment.astimezone(dt.UTC)
    except OverflowError:
        with pytest.raises(ValueError):
            parse_instant(text)
        return
    if zulu and moment.utcoffset() == dt.timedelta(0):
        text = expected.replace(tzinfo=None).isoformat() + "Z"
    assert parse_instant(text) == expected
