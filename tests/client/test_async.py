"""The async client (bulk) sends the same requests and raises the same errors."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from monespace_cli.client import AsyncPortalClient, NotFound, StaleVersion


def run(coro):
    return asyncio.run(coro)


def test_bulk_path_requests() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "MSP-1", "version": 1})

    async def scenario() -> None:
        async with AsyncPortalClient(
            "http://portal.test",
            token="t",
            acting_as="0123456749",
            transport=httpx.MockTransport(handler),
        ) as portal:
            await portal.get_procedure("RENO")
            await portal.create_dossier("RENO", {"a": 1}, idempotency_key="row-1")
            await portal.put_dossier_data("MSP-1", {"a": 2}, version=1)
            await portal.add_attachment("MSP-1", "quote", "q.pdf", b"%PDF-1.4")
            await portal.submit_dossier("MSP-1", idempotency_key="row-1-submit")

    run(scenario())
    assert [(r.method, r.url.path) for r in seen] == [
        ("GET", "/api/v1/procedures/RENO"),
        ("POST", "/api/v1/dossiers"),
        ("PUT", "/api/v1/dossiers/MSP-1/data"),
        ("POST", "/api/v1/dossiers/MSP-1/attachments"),
        ("POST", "/api/v1/dossiers/MSP-1/submit"),
    ]
    assert all(r.headers["X-Acting-As"] == "0123456749" for r in seen)
    assert seen[1].headers["Idempotency-Key"] == "row-1"
    assert json.loads(seen[1].content) == {"procedure": "RENO", "data": {"a": 1}}
    assert seen[2].headers["If-Match"] == '"1"'
    assert seen[4].headers["Idempotency-Key"] == "row-1-submit"


@pytest.mark.parametrize(("status", "cls"), [(404, NotFound), (412, StaleVersion)])
def test_async_errors(status: int, cls: type) -> None:
    transport = httpx.MockTransport(
        lambda r: httpx.Response(status, json={"title": "x", "status": status})
    )

    async def scenario() -> None:
        async with AsyncPortalClient("http://portal.test", transport=transport) as portal:
            await portal.get_dossier("MSP-1")

    with pytest.raises(cls):
        run(scenario())
