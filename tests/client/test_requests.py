"""What the client sends: paths, headers, bodies, retries, pagination."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from monespace_cli.client import PortalClient, PortalUnavailable, api_base, portal_origin
from monespace_cli.client._pagination import Page, aiterate_pages, iterate_pages


class Recorder:
    """A transport that records requests and answers from a table."""

    def __init__(self, answer: object = None, status: int = 200) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer if answer is not None else {}
        self.status = status

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, json=self.answer)


def make(recorder: Recorder, **kw: object) -> PortalClient:
    return PortalClient("http://portal.test", transport=httpx.MockTransport(recorder), **kw)  # type: ignore[arg-type]


def test_headers_carry_token_context_and_user_agent() -> None:
    rec = Recorder({"person": {}, "contexts": []})
    with make(rec, token="secret-token", acting_as="0123456749") as portal:
        portal.me()
    req = rec.requests[0]
    assert req.url == "http://portal.test/api/v1/me"
    assert req.headers["Authorization"] == "Bearer secret-token"
    assert req.headers["X-Acting-As"] == "0123456749"
    assert req.headers["User-Agent"].startswith("monespace/")


def test_a_call_may_name_its_own_acting_context() -> None:
    rec = Recorder({"items": [], "next_cursor": None})
    with make(rec, token="t", acting_as="0123456749") as portal:
        portal.list_dossiers(acting_as="me")
        portal.list_dossiers()
        assert portal.acting_as == "0123456749"
    assert [r.headers["X-Acting-As"] for r in rec.requests] == ["me", "0123456749"]


def test_a_bulk_request_reads_longer_without_changing_the_client() -> None:
    from monespace_cli.client._agent import BULK_READ_TIMEOUT

    rec = Recorder({"results": [], "summary": {"changed": 0, "skipped": 0, "failed": 0}})
    with make(rec) as portal:
        before = portal._http.timeout
        portal.agent_bulk("claim", ids=["MSP-1"])
        portal.agent_counts()
        assert portal._http.timeout == before
    bulk, counts = (r.extensions["timeout"] for r in rec.requests)
    assert bulk["read"] == BULK_READ_TIMEOUT and bulk["connect"] == before.connect
    assert counts["read"] == before.read


def test_no_auth_header_without_token() -> None:
    rec = Recorder({"id": "ch_1"}, status=201)
    with make(rec) as portal:
        portal.create_challenge()
    assert "Authorization" not in rec.requests[0].headers
    assert rec.requests[0].method == "POST"


def test_put_data_sends_if_match_with_quoted_version() -> None:
    rec = Recorder({"id": "MSP-1"})
    with make(rec) as portal:
        portal.put_dossier_data("MSP-1", {"a": 1}, version=4)
    req = rec.requests[0]
    assert req.method == "PUT"
    assert req.url.path == "/api/v1/dossiers/MSP-1/data"
    assert req.headers["If-Match"] == '"4"'
    assert json.loads(req.content) == {"a": 1}


def test_submit_sends_an_idempotency_key_and_reuses_a_given_one() -> None:
    rec = Recorder({"id": "MSP-1"})
    with make(rec) as portal:
        portal.submit_dossier("MSP-1")
        portal.submit_dossier("MSP-1", idempotency_key="k-1")
        portal.submit_dossier("MSP-1")
    keys = [r.headers["Idempotency-Key"] for r in rec.requests]
    assert keys[1] == "k-1"
    assert keys[0] and keys[2] and keys[0] != keys[2]


def test_create_dossier_body() -> None:
    rec = Recorder({"id": "MSP-1"}, status=201)
    with make(rec) as portal:
        portal.create_dossier("RENO", {"x": 1}, idempotency_key="abc")
    req = rec.requests[0]
    assert json.loads(req.content) == {"procedure": "RENO", "data": {"x": 1}}
    assert req.headers["Idempotency-Key"] == "abc"


def test_path_segments_are_quoted() -> None:
    rec = Recorder({})
    with make(rec) as portal:
        portal.get_dossier("../me")
    assert rec.requests[0].url.raw_path == b"/api/v1/dossiers/..%2Fme"


def test_attachment_is_multipart_with_kind() -> None:
    rec = Recorder({"id": "att_1"}, status=201)
    with make(rec) as portal:
        portal.add_attachment(
            "MSP-1", "quote", "devis.pdf", b"%PDF-1.4 hello", content_type="application/pdf"
        )
    req = rec.requests[0]
    assert req.headers["Content-Type"].startswith("multipart/form-data")
    body = req.content
    assert b'name="kind"' in body and b"quote" in body
    assert b'filename="devis.pdf"' in body and b"%PDF-1.4 hello" in body


def test_list_filters_skip_unset_params() -> None:
    rec = Recorder({"items": [], "next_cursor": None})
    with make(rec) as portal:
        portal.list_dossiers(status="draft", limit=10)
    assert dict(rec.requests[0].url.params) == {"status": "draft", "limit": "10"}


def test_iteration_follows_cursors_and_stops() -> None:
    pages = {
        None: {"items": [1, 2], "next_cursor": "c2"},
        "c2": {"items": [3], "next_cursor": "c3"},
        "c3": {"items": [4], "next_cursor": None},
    }
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        seen.append(cursor)
        return httpx.Response(200, json=pages[cursor])

    with PortalClient("http://portal.test", transport=httpx.MockTransport(handler)) as portal:
        assert list(portal.iter_dossiers(status="draft")) == [1, 2, 3, 4]
    assert seen == [None, "c2", "c3"]


def test_iteration_stops_on_a_repeated_cursor() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"items": [1], "next_cursor": "same"})

    with PortalClient("http://portal.test", transport=httpx.MockTransport(handler)) as portal:
        assert list(portal.iter_payments()) == [1, 1]


def test_get_is_retried_once_when_the_connection_drops() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx.RemoteProtocolError("server disconnected", request=request)
        return httpx.Response(200, json={"id": "MSP-1"})

    with PortalClient("http://portal.test", transport=httpx.MockTransport(handler)) as portal:
        assert portal.get_dossier("MSP-1") == {"id": "MSP-1"}
    assert len(calls) == 2


def test_get_gives_up_after_one_retry() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ReadError("reset", request=request)

    with PortalClient("http://portal.test", transport=httpx.MockTransport(handler)) as portal:
        with pytest.raises(PortalUnavailable):
            portal.get_dossier("MSP-1")
    assert len(calls) == 2


def test_post_is_never_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ReadError("reset", request=request)

    with PortalClient("http://portal.test", transport=httpx.MockTransport(handler)) as portal:
        with pytest.raises(PortalUnavailable):
            portal.submit_dossier("MSP-1")
    assert len(calls) == 1


def test_download_streams_bytes() -> None:
    import io

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/documents/doc_1/content"
        return httpx.Response(200, content=b"%PDF-1.7 body")

    out = io.BytesIO()
    with PortalClient("http://portal.test", transport=httpx.MockTransport(handler)) as portal:
        assert portal.download_document("doc_1", out) == 13
    assert out.getvalue() == b"%PDF-1.7 body"


def test_logout_accepts_204() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == "DELETE"
        assert request.url.path == "/api/v1/auth/sessions/current"
        return httpx.Response(204)

    with PortalClient(
        "http://portal.test", token="t", transport=httpx.MockTransport(handler)
    ) as portal:
        assert portal.logout() is None


@pytest.mark.parametrize(
    ("url", "base", "origin"),
    [
        ("http://127.0.0.1:8470", "http://127.0.0.1:8470/api/v1", "http://127.0.0.1:8470"),
        ("http://127.0.0.1:8470/", "http://127.0.0.1:8470/api/v1", "http://127.0.0.1:8470"),
        ("https://p.example/api/v1", "https://p.example/api/v1", "https://p.example"),
        ("https://p.example:443/", "https://p.example:443/api/v1", "https://p.example"),
    ],
)
def test_base_and_origin(url: str, base: str, origin: str) -> None:
    assert api_base(url) == base
    assert portal_origin(url) == origin


@pytest.mark.parametrize("max_items", [None, 0, 2, 3, 9, -1])
def test_sync_and_async_iteration_agree(max_items: int | None) -> None:
    pages = {None: Page([1, 2], "c2"), "c2": Page([3], "c2")}  # c2 repeats: the end
    expected = [1, 2, 3] if max_items is None else [1, 2, 3][: max(max_items, 0)]
    assert list(iterate_pages(pages.__getitem__, max_items=max_items)) == expected

    async def fetch(cursor: str | None) -> Page[int]:
        return pages[cursor]

    async def collect() -> list[int]:
        return [item async for item in aiterate_pages(fetch, max_items=max_items)]

    assert asyncio.run(collect()) == expected
