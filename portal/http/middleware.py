"""The ASGI middleware every request passes: body limits, security headers, NUL guard.

Why middleware and not route dependencies: each decides before a route runs
(and before a body byte is read), for every route alike, including the ones
a router forgets to mark. ``portal.app.create_app`` adds them in order;
the in-flight limit (portal/http/overload.py) and fault injection
(portal/http/faults.py) are their neighbours.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.http.overload import UPLOAD_SCOPE_KEY
from portal.messages import human_size
from portal.problems import SECURITY_HEADERS, Problem


class BodyLimit:
    """Refuse a body over its route's limit with 413, decided before reading it.

    Why per route and not per content type: the content type is the
    client's to choose. Exempting every ``multipart/*`` request let anyone,
    without logging in, make any JSON endpoint read hundreds of megabytes.
    Only the upload routes (documented as ``multipart/form-data``, see
    :func:`upload_routes`) get the upload limit; they parse their body as it
    streams (portal/services/uploads.py). Every other route, whatever the
    content type, gets the JSON limit:

    - a declared ``Content-Length`` over the limit is a 413 before any body
      byte is read (the server then stops at the declared length anyway);
    - a chunked body is read at most up to the limit, then 413; under the
      limit it is handed to the route as received.

    An upload route's body is counted as the route reads it, and reading
    past the limit raises the same 413.

    Time is bounded as well as size: a body that does not arrive within
    ``body_seconds`` (an upload's within ``upload_seconds``) is a 408. Every
    other route's body is read whole *before* the request goes on to the
    in-flight limit (portal/http/overload.py), and an upload is marked so that
    limit does not count it: connections that send their headers and then
    nothing, which cost an attacker nothing, never take a slot that real
    requests need.
    """

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        upload_limit: int | None = None,
        uploads: Callable[[Scope], bool] | None = None,
        body_seconds: float = 10.0,
        upload_seconds: float = 300.0,
    ) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit if upload_limit is not None else limit
        self.uploads = uploads or (lambda scope: False)
        self.body_seconds = body_seconds
        self.upload_seconds = upload_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = self.uploads(scope)
        limit = self.upload_limit if upload else self.limit
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(scope, send, limit)
            return
        if upload:
            scope[UPLOAD_SCOPE_KEY] = True
            deadline = asyncio.get_running_loop().time() + self.upload_seconds
            await self.app(scope, _counting(_timed(receive, deadline), limit), send)
        else:
            await self._buffered(scope, receive, send)

    async def _buffered(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Read the body (declared or chunked) up to the limit and its deadline, then replay it."""
        chunks: list[bytes] = []
        size = 0
        deadline = asyncio.get_running_loop().time() + self.body_seconds
        timed = _timed(receive, deadline)
        while True:
            try:
                message = await timed()
            except Problem as problem:
                await problem.response(scope.get("path"))(scope, _no_receive, send)
                return
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                await _refuse(scope, send, self.limit)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)


def _too_large(limit: int) -> Problem:
    # Connection: close: the server drops the rest of the body instead of
    # reading and discarding it, so the client stops sending at once.
    return Problem(
        "too-large",
        f"the request body exceeds {human_size(limit)}",
        headers={"Connection": "close"},
    )


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    response = _too_large(limit).response(
        scope.get("path"), accept_language=_header(scope, b"accept-language")
    )
    await response(scope, _no_receive, send)


def _timed(receive: Receive, deadline: float) -> Receive:
    """``receive`` that raises a 408 problem once the loop's clock passes ``deadline``."""

    async def timed() -> Message:
        left = deadline - asyncio.get_running_loop().time()
        try:
            return await asyncio.wait_for(receive(), timeout=max(left, 0.0))
        except TimeoutError:
            raise Problem(
                "request-timeout",
                "the request body did not arrive in time",
                headers={"Connection": "close"},
            ) from None

    return timed


def _counting(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises the 413 problem once more than ``limit`` bytes came."""
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise _too_large(limit)
        return message

    return counted


def upload_routes(app: FastAPI) -> Callable[[Scope], bool]:
    """Whether a request goes to an operation documented as a ``multipart/form-data`` upload.

    The OpenAPI document is the one list: an operation takes an upload
    exactly when it says so there (``openapi_extra`` of
    portal.http.transfer's ``upload_body``), and the limits test walks that
    same document. It is read on the first request, once every router is in.
    """
    found: list[tuple[re.Pattern[str], str]] = []
    ready = False

    def is_upload(scope: Scope) -> bool:
        nonlocal ready
        if not ready:
            found.extend(_upload_operations(app.openapi()))
            ready = True
        path, method = scope.get("path", ""), scope.get("method", "")
        return any(m == method and pattern.fullmatch(path) for pattern, m in found)

    return is_upload


def _upload_operations(document: dict[str, Any]) -> list[tuple[re.Pattern[str], str]]:
    """(path pattern, METHOD) of each operation whose body is multipart/form-data."""
    found = []
    for template, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            content = (operation.get("requestBody") or {}).get("content") or {}
            if "multipart/form-data" in content:
                pattern = re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
                found.append((re.compile(re.sub(r"\{[^}/]+\}", "[^/]+", pattern)), method.upper()))
    return found


class SecurityHeaders:
    """Headers every answer carries unless its route set its own.

    ``Cache-Control: no-store``: almost every answer is personal (a person's
    register data, dossiers, documents, a token); no browser, proxy or disk
    cache may keep one. A route whose answer is public and cacheable says
    so with its own Cache-Control. ``Strict-Transport-Security``: once a
    browser reached the portal over HTTPS it never tries plain HTTP again
    (browsers ignore it over HTTP, so the sandbox on loopback is unaffected).
    ``X-Content-Type-Options``, ``Referrer-Policy`` and a CSP that allows
    nothing: an API answer is never a page to render, frame or sniff.
    """

    HEADERS = tuple((k.encode(), v.encode()) for k, v in SECURITY_HEADERS)

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {bytes(key).lower() for key, _ in headers}
                headers += [(k, v) for k, v in self.HEADERS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class NulGuard:
    """Refuse a NUL character in the path (404) or query string (400) up front.

    No portal identifier or filter value contains NUL, and PostgreSQL text
    cannot hold it at all: looking such a value up fails there with a 500
    where SQLite answers 404. Bodies are covered by ``problems`` (a NUL the
    database refuses is a 422).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = self._problem(scope) if scope["type"] == "http" else None
        if problem is None:
            await self.app(scope, receive, send)
            return
        await problem.response(
            scope.get("path"), accept_language=_header(scope, b"accept-language")
        )(scope, _no_receive, send)

    @staticmethod
    def _problem(scope: Scope) -> Problem | None:
        if "\x00" in scope.get("path", ""):
            return Problem("not-found", "no such resource")
        query = bytes(scope.get("query_string", b""))
        if b"%00" in query or b"\x00" in query:
            return Problem("bad-request", "the query string contains a NUL character")
        return None


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None
