"""The portal's FastAPI application factory.

``create_app(settings)`` wires settings, database, error handlers and the
routers. Nothing happens at import time: tests and ``monespace-portal serve``
each build their own app with their own settings.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal import config as config_module
from portal.config import Settings
from portal.db import make_engine, make_sessionmaker
from portal.messages import human_size
from portal.problems import Problem, install_handlers

log = logging.getLogger("portal")

API_PREFIX = "/api/v1"

#: Core routers (module path, attribute). Periphery routers are listed in
#: ``PERIPHERY_ROUTERS`` and included when their module exists.
CORE_ROUTERS = (
    "portal.api.auth",
    "portal.api.me",
    "portal.api.catalog",
    "portal.api.dossiers",
    "portal.api.sandbox",
    "portal.api.csam",
    "portal.api.agent",
)
# --- periphery routers (H4 "periphery" adds its modules here) ---------------
PERIPHERY_ROUTERS: tuple[str, ...] = (
    "portal.api.attachments",
    "portal.api.messages",
    "portal.api.documents",
    "portal.api.payments",
    "portal.api.mydata",
    "portal.api.notifications",
    "portal.api.events",
    "portal.api.webhooks",
)
# --- end periphery routers ---------------------------------------------------


class BodyLimit:
    """Refuse JSON bodies over the limit with 413 before reading them.

    Multipart uploads are exempt: the attachment endpoint streams them with
    its own (larger, configurable) limit.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._exempt(scope):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(scope, send)
            return
        if declared is not None:
            await self.app(scope, receive, send)  # the server enforces Content-Length
            return
        # Chunked body of unknown size: buffer it up to the limit, then replay.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                await self._refuse(scope, send)
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

    @staticmethod
    def _exempt(scope: Scope) -> bool:
        content_type = _header(scope, b"content-type") or ""
        return content_type.lower().startswith("multipart/")

    async def _refuse(self, scope: Scope, send: Send) -> None:
        problem = Problem("too-large", f"the request body exceeds {human_size(self.limit)}")
        response = problem.response(
            scope.get("path"), accept_language=_header(scope, b"accept-language")
        )
        await response(scope, _no_receive, send)


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


def _routers() -> list[APIRouter]:
    routers = []
    for module_name in CORE_ROUTERS:
        routers.append(importlib.import_module(module_name).router)
    for module_name in PERIPHERY_ROUTERS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        routers.append(module.router)
    return routers


def install_openapi(app: FastAPI) -> None:
    """Every error documented as application/problem+json (portal/api/openapi.py)."""
    from portal.api.openapi import install

    install(app)


def create_app(settings: Settings | None = None) -> FastAPI:
    """A ready-to-serve portal for ``settings`` (default: from the environment)."""
    settings = settings or config_module.from_env()
    app = FastAPI(
        title="Mon Espace portal API",
        version="1.0.0",
        description="Sandbox/reference implementation of Wallonia's Mon Espace portal API.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.extensions = {}
    install_handlers(app)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, Any]:
        """Liveness: the process answers (no database round trip)."""
        return {"status": "ok"}

    for router in _routers():
        app.include_router(router, prefix=API_PREFIX)
    install_openapi(app)
    # --- periphery (H4): seal key, SMTP mailer, settings for the services ---
    from portal.services.periphery import install as install_periphery

    install_periphery(app)
    # --- end periphery ---------------------------------------------------------
    # --- webhooks (issue 7): the dispatcher runs during the app's lifespan ----
    from portal.webhooks import install as install_webhooks

    install_webhooks(app)
    # --- end webhooks ------------------------------------------------------------
    # --- live streams and overload (portal/streams, portal/overload.py) -------
    from portal.overload import InFlightLimit
    from portal.streams.hub import install as install_streams

    install_streams(app)
    app.add_middleware(InFlightLimit, limit=settings.max_in_flight)
    # --- end live streams ---------------------------------------------------------
    app.add_middleware(BodyLimit, limit=settings.max_json_body)
    app.add_middleware(NulGuard)
    # --- fault injection (tests only, sandbox only; portal/faults.py) --------
    from portal import faults

    fault_plan = faults.plan_for(settings.faults, sandbox=settings.sandbox)
    if fault_plan is not None:
        app.add_middleware(faults.FaultInjection, plan=fault_plan, seed=settings.faults_seed)
    # --- end fault injection ----------------------------------------------------
    return app
