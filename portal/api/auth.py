"""``/auth``: eID challenge–response login and logout (docs/api.md)."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from portal.api.schemas import ChallengeOut, SessionOut, problems
from portal.auth import login
from portal.auth.deps import CurrentPrincipal, DbSession
from portal.auth.trust import load_trust
from portal.config import Settings
from portal.domain.serialize import person_json, rfc3339
from portal.http import ratelimit
from portal.models import utcnow
from portal.problems import Problem

router = APIRouter(prefix="/auth", tags=["auth"])


class SessionRequest(BaseModel):
    """The card's answer to a challenge."""

    challenge_id: Annotated[str, Field(min_length=1, max_length=100)]
    certificates: Annotated[
        list[Annotated[str, Field(max_length=20000)]], Field(min_length=1, max_length=5)
    ]
    signature: Annotated[str, Field(min_length=1, max_length=2000)]
    algorithm: Annotated[str, Field(description='"RS256" (applet 1.7) or "ES384" (applet 1.8)')]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _address(request: Request) -> str:
    """The client address the login limits count (see portal.http.ratelimit)."""
    peer = request.client.host if request.client else None
    forwarded = request.headers.get("x-forwarded-for")
    return ratelimit.client_address(peer, forwarded, _settings(request).trusted_proxies)


def _card(body: SessionRequest) -> str:
    """Which card a login attempt is made with: a digest of its certificate's bytes.

    Why failures are counted per card and address, and per address apart
    with a much higher limit: counted per address only, one person mistyping
    locked out every colleague behind the same NAT; counted per card only,
    anyone could lock a person out with their (public) certificate.
    """
    leaf = body.certificates[0]
    try:
        raw = base64.b64decode(leaf, validate=True)
    except (binascii.Error, ValueError):
        raw = leaf.encode("utf-8", "replace")
    return hashlib.sha256(raw).hexdigest()[:32]


def _origin(request: Request) -> str:
    """The configured public origin; in sandbox mode, when unset, the request's own.

    Outside the sandbox the origin must be configured: taken from the Host
    header, a phishing site relaying challenges could have users sign for
    its own origin and replay the signatures here.
    """
    settings = _settings(request)
    if settings.public_origin:
        return settings.public_origin.rstrip("/")
    if not settings.sandbox:
        raise Problem(
            "unavailable",
            "eID login is not configured on this portal (MONESPACE_PORTAL_PUBLIC_ORIGIN is unset)",
        )
    return f"{request.url.scheme}://{request.url.netloc}"


@router.post(
    "/challenges",
    status_code=201,
    summary="Start an eID login",
    response_model=None,
    responses={201: {"model": ChallengeOut}, **problems(429, 503)},
)
def create_challenge(request: Request, db: DbSession) -> dict[str, Any]:
    """A single-use nonce bound to the portal's origin, valid 120 s."""
    settings = _settings(request)
    key = f"challenge:{_address(request)}"
    ratelimit.enforce(db, key, settings.challenge_rate, "login challenges")
    ratelimit.hit(db, key, settings.challenge_rate)
    challenge = login.create_challenge(db, _origin(request), settings.challenge_ttl_seconds)
    db.commit()
    return {
        "id": challenge.id,
        "nonce": challenge.nonce,
        "origin": challenge.origin,
        "expires_at": rfc3339(challenge.expires_at),
    }


@router.post(
    "/sessions",
    status_code=201,
    summary="Finish an eID login",
    response_model=None,
    responses={201: {"model": SessionOut}, **problems(400, 401, 422, 429)},
)
def create_session(request: Request, body: SessionRequest, db: DbSession) -> dict[str, Any]:
    """Check the card's signature and certificate; answer a session token."""
    settings = _settings(request)
    address = _address(request)
    limits = (
        (f"login-failure:{address}:{_card(body)}", settings.login_failure_rate),
        (f"login-failure:{address}", settings.login_failure_address_rate),
    )
    ratelimit.enforce(db, limits[0][0], limits[0][1], "failed logins with this card")
    ratelimit.enforce(db, limits[1][0], limits[1][1], "failed logins")
    try:
        token, row, person = login.log_in(
            db,
            load_trust(settings),
            body.challenge_id,
            body.certificates,
            body.signature,
            body.algorithm,
            settings.session_ttl_seconds,
        )
    except Problem:
        db.rollback()
        for key, limit in limits:
            ratelimit.hit(db, key, limit)
        raise
    db.commit()
    return {"token": token, "expires_at": rfc3339(row.expires_at), "person": person_json(person)}


@router.delete("/sessions/current", status_code=204, summary="Log out", responses=problems(401))
def delete_session(principal: CurrentPrincipal, db: DbSession) -> Response:
    """Revoke the token of this request."""
    row = db.merge(principal.session)
    row.revoked_at = utcnow()
    db.commit()
    return Response(status_code=204)
