"""``/auth/device``: login on another device (RFC 8628, docs/api.md).

``POST /auth/device`` gives the terminal its device code and the person's
user code with the verification address; ``POST /auth/device/token``
exchanges the device code for a session once the person approved. The
RFC's errors (``authorization_pending``, ``slow_down``, ``access_denied``,
``expired_token``, ``invalid_grant``) are 400 problem details whose
``error`` member keeps the RFC code, so OAuth clients and ours read the same.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from portal.api.auth import _address, _settings
from portal.api.schemas import DeviceAuthorizationOut, DeviceSessionOut, problems
from portal.auth import device
from portal.auth.deps import DbSession
from portal.auth.verification import verifier_for
from portal.domain.serialize import person_json, rfc3339
from portal.http import ratelimit
from portal.problems import Problem

router = APIRouter(prefix="/auth/device", tags=["auth"])

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code"
#: Where the person approves: a page of the portal, outside the API prefix.
VERIFICATION_PATH = "/device"


class DeviceTokenRequest(BaseModel):
    """RFC 8628 §3.4, as JSON."""

    grant_type: Literal["urn:ietf:params:oauth:grant-type:device_code"]
    device_code: Annotated[str, Field(min_length=1, max_length=100)]


def public_origin(request: Request) -> str:
    """The configured public origin, else (sandbox) the request's own."""
    settings = _settings(request)
    if settings.public_origin:
        return settings.public_origin.rstrip("/")
    return f"{request.url.scheme}://{request.url.netloc}"


@router.post(
    "",
    status_code=200,
    summary="Start a login on another device",
    response_model=None,
    responses={200: {"model": DeviceAuthorizationOut}, **problems(429, 503)},
)
def start(request: Request, db: DbSession) -> dict[str, Any]:
    """A device code (kept by the terminal) and a user code (typed or scanned elsewhere)."""
    settings = _settings(request)
    verifier_for(settings)  # 503 when no verifier is configured: say it before any code
    key = f"device:{_address(request)}"
    ratelimit.enforce(db, key, settings.device_rate, "device logins")
    ratelimit.hit(db, key, settings.device_rate)
    started = device.start(db, settings.device_ttl_seconds, settings.device_interval_seconds)
    db.commit()
    uri = public_origin(request) + VERIFICATION_PATH
    return {
        "device_code": started.device_code,
        "user_code": started.user_code,
        "verification_uri": uri,
        "verification_uri_complete": f"{uri}?user_code={quote(started.user_code)}",
        "expires_in": settings.device_ttl_seconds,
        "interval": started.row.interval,
    }


@router.post(
    "/token",
    status_code=200,
    summary="Exchange an approved device code for a session",
    response_model=None,
    responses={200: {"model": DeviceSessionOut}, **problems(400, 422)},
)
def token(request: Request, body: DeviceTokenRequest, db: DbSession) -> dict[str, Any]:
    """The session once approved (once); else the RFC 8628 §3.5 error as a problem."""
    settings = _settings(request)
    try:
        clear, session, person = device.poll(db, body.device_code, settings.session_ttl_seconds)
    except device.DeviceGrantError as exc:
        db.commit()  # the poll time and a grown interval are kept
        extra: dict[str, Any] = {"error": exc.code}
        if exc.interval is not None:
            extra["interval"] = exc.interval
        raise Problem("bad-request", exc.detail, extra=extra) from None
    db.commit()
    return {
        "token": clear,
        "access_token": clear,
        "token_type": "Bearer",
        "expires_in": settings.session_ttl_seconds,
        "expires_at": rfc3339(session.expires_at),
        "method": session.method,
        "person": person_json(person),
    }
