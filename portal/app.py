"""The portal's FastAPI application factory: the one place that wires the layers.

``create_app(settings)`` wires settings, database, error handlers, the
routers, the services' context, the dossier-event listeners, the webhook
dispatcher, the live-stream hub and the middleware. Nothing happens at
import time: tests and ``monespace-portal serve`` each build their own app
with their own settings. Every part is a plain import here, so a renamed
module fails at once (and mypy and the import contracts in pyproject.toml
see each dependency).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, FastAPI, Response

from portal import config as config_module
from portal.api import (
    agent,
    attachments,
    auth,
    catalog,
    csam,
    device,
    device_page,
    docs_page,
    documents,
    dossiers,
    events,
    me,
    messages,
    mydata,
    notifications,
    openapi,
    payments,
    sandbox,
    tokens,
    webhooks,
)
from portal.config import Settings
from portal.db import make_engine, make_sessionmaker
from portal.domain.dossiers import listen
from portal.http import faults
from portal.http.middleware import BodyLimit, NulGuard, SecurityHeaders, upload_routes
from portal.http.overload import InFlightLimit
from portal.problems import install_handlers
from portal.services import notifications as notification_service
from portal.services import periphery
from portal.services.uploads import ENVELOPE_SLACK
from portal.streams import hub
from portal.webhooks import install as install_webhooks
from portal.webhooks import outbox

log = logging.getLogger("portal")

API_PREFIX = "/api/v1"

#: Every router of the API, in the order of the OpenAPI document.
ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    tokens.router,
    device.router,
    me.router,
    catalog.router,
    dossiers.router,
    sandbox.router,
    csam.router,
    agent.router,
    attachments.router,
    messages.router,
    documents.router,
    payments.router,
    mydata.router,
    notifications.router,
    events.router,
    webhooks.router,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """A ready-to-serve portal for ``settings`` (default: from the environment)."""
    settings = settings or config_module.from_env()
    app = FastAPI(
        title="Mon Espace portal API",
        version="1.0.0",
        description="Sandbox/reference implementation of Wallonia's Mon Espace portal API.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # FastAPI's page loads script from a CDN: portal/api/docs_page.py
        redoc_url=None,
    )
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.extensions = {}
    install_handlers(app)

    @app.get(f"{API_PREFIX}/docs", include_in_schema=False)
    def docs() -> Response:
        """The API reference as plain HTML, without any script (portal/api/docs_page.py)."""
        return docs_page.page(app.openapi(), f"{API_PREFIX}/openapi.json")

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, Any]:
        """Liveness: the process answers (no database round trip)."""
        return {"status": "ok"}

    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(device_page.router)  # a page for people, outside the API
    openapi.install(app)  # every error documented as application/problem+json
    periphery.install(app)  # seal key, SMTP mailer, settings for the services
    # What every recorded dossier event also does, in its transaction:
    listen(
        app.state.sessionmaker,
        notification_service.on_dossier_event,  # inbox and e-mail
        outbox.on_dossier_event,  # webhook deliveries
    )
    install_webhooks(app)  # the dispatcher runs during the app's lifespan
    hub.install(app)  # live streams
    app.add_middleware(InFlightLimit, limit=settings.max_in_flight)
    app.add_middleware(
        BodyLimit,
        limit=settings.max_json_body,
        upload_limit=settings.max_upload + ENVELOPE_SLACK,
        uploads=upload_routes(app),
        body_seconds=settings.body_seconds,
        upload_seconds=settings.upload_seconds,
    )
    app.add_middleware(NulGuard)
    app.add_middleware(SecurityHeaders)
    # Fault injection: tests only, sandbox only (portal/http/faults.py).
    fault_plan = faults.plan_for(settings.faults, sandbox=settings.sandbox)
    if fault_plan is not None:
        app.add_middleware(faults.FaultInjection, plan=fault_plan, seed=settings.faults_seed)
    return app
