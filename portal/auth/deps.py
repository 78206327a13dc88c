"""FastAPI dependencies: who is calling (bearer token) and for whom (X-Acting-As).

Every authenticated endpoint depends on :func:`current_actor` (or
:func:`current_principal` when no context is involved, e.g. ``/me``), so the
token and context checks cannot be forgotten in one place and done in
another. The token check includes the revocation of the certificate the
session was opened with (cached: at most ``revocation_recheck_seconds``
stale, portal/auth/revocation.py), so a revoked card's sessions end too.
A personal access token (``mspat_…``) is checked here as well, with its own
rules (portal/auth/access_tokens.py) and the operation's scope
(portal/auth/scopes.py), so no route can forget them.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from eid.pki.status import StatusUnavailable
from portal.auth import access_tokens, scopes
from portal.auth.revocation import RevocationChecker, describe, load_chain
from portal.auth.tokens import token_hash
from portal.auth.trust import checker_for, latest_checker
from portal.db import get_session
from portal.domain import authz
from portal.domain.authz import Actor, Principal
from portal.models import AccessToken, AuthSession, utcnow
from portal.problems import Problem

_bearer = HTTPBearer(
    auto_error=False,
    description="Session token from POST /auth/sessions, or a personal access token (mspat_…)",
)
_BCE = re.compile(r"\d{10}")


DbSession = Annotated[Session, Depends(get_session)]


def revocation_checker(request: Request) -> RevocationChecker:
    """The process's certificate-status checker for this app's settings."""
    return checker_for(request.app.state.settings)


def _this_request(request: Request) -> Request:
    """The request itself, as a dependency that direct callers may leave out."""
    return request


def current_principal(
    db: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    revocation: Annotated[RevocationChecker | None, Depends(revocation_checker)] = None,
    request: Annotated[Request | None, Depends(_this_request)] = None,
) -> Principal:
    """The person behind the bearer token; 401 when missing, unknown, expired or revoked.

    "Revoked" covers the session (logged out) and the certificate it was
    opened with. The person's registered language is noted on the request:
    without ``Accept-Language``, a German-speaking person's problem details
    are in German (portal.messages.person_default). Called outside a request
    (e.g. on each delivery of an event stream) without ``revocation``, it uses
    the process's checker, so the certificate is still checked, from the same
    cache.
    """
    if credentials is None or not credentials.credentials:
        raise Problem(
            "authentication-required",
            "log in first: this request needs an Authorization: Bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if access_tokens.is_access_token(credentials.credentials):
        return _token_principal(db, credentials.credentials, revocation, request)
    row = db.scalar(
        select(AuthSession).where(AuthSession.token_sha256 == token_hash(credentials.credentials))
    )
    if row is None:
        raise _failed("the session token is not valid")
    if row.revoked_at is not None:
        raise _failed("the session was ended (logged out); log in again")
    if row.expires_at <= utcnow():
        raise _failed("the session has expired; log in again")
    _check_certificate(row, revocation or latest_checker())
    if request is not None:  # problem details of this request may follow the person's language
        request.state.person_language = row.person.language
    return Principal(person=row.person, session=row)


def _token_principal(
    db: Session, bearer: str, revocation: RevocationChecker | None, request: Request | None
) -> Principal:
    """The person behind a personal access token, for the operation of ``request``.

    Same checks as a session (certificate of the card login it was created
    from), plus the token's own: revoked, expired, its creator still holding
    the context it acts for, and the operation's scope (portal/auth/scopes.py).
    Streams re-check without a request: the scope was checked when they opened.
    """
    row = access_tokens.find(db, bearer)
    if row is None:
        raise access_tokens.failed("the access token is not valid")
    access_tokens.check_usable(db, row)
    try:
        _check_certificate(row, revocation or latest_checker())
    except Problem as problem:
        raise access_tokens.failed(problem.detail) from None
    if request is not None:
        scopes.require(request, row)
        request.state.person_language = row.person.language
        access_tokens.record_use(db, row, request.client.host if request.client else None)
    return Principal(person=row.person, session=row)


def _check_certificate(row: AuthSession | AccessToken, checker: RevocationChecker | None) -> None:
    """401 when the session's certificate is revoked or its status cannot be known.

    Sessions opened before certificates were kept with them carry none and
    are left alone (they end with their 12 h lifetime).
    """
    chain = load_chain(row.certificate_chain) if row.certificate_chain else None
    if chain is None or checker is None:
        return
    try:
        status = checker.status(*chain)
    except StatusUnavailable as exc:
        raise _failed(
            f"the card certificate's revocation status cannot be checked ({exc}); "
            "log in again later"
        ) from None
    if status.revoked:
        raise _failed(f"the card certificate of this session has been {describe(status)}")


def _failed(detail: str) -> Problem:
    return Problem(
        "authentication-required",
        detail,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def current_actor(
    db: DbSession,
    principal: Annotated[Principal, Depends(current_principal)],
    x_acting_as: Annotated[
        str,
        Header(
            alias="X-Acting-As",
            description='"me" or the 10-digit BCE number of an organisation',
            max_length=20,
        ),
    ] = authz.ME,
) -> Actor:
    """The principal in the context it asks for; 403 for a context it does not hold."""
    acting_as = x_acting_as.strip().replace(".", "").replace(" ", "") or authz.ME
    if acting_as.lower() == authz.ME:
        acting_as = authz.ME
    elif not _BCE.fullmatch(acting_as):
        raise Problem(
            "bad-request", 'X-Acting-As must be "me" or a 10-digit enterprise (BCE) number'
        )
    acting_as = _token_context(principal, acting_as)
    context = authz.find_context(db, principal.person, acting_as)
    if context is None:
        raise Problem(
            "forbidden",
            f"you hold no role allowing you to act for organisation {acting_as}",
        )
    return Actor(person=principal.person, session=principal.session, context=context)


def _token_context(principal: Principal, acting_as: str) -> str:
    """An access token acts in its own context only: 403 when another is asked.

    "me" (the default of every client) means the token's own context, so a
    script needs no ``--as`` besides the token.
    """
    token = principal.token
    if token is None:
        return acting_as
    if acting_as == token.acting_as or acting_as == authz.ME:
        return token.acting_as
    raise Problem(
        "forbidden",
        f"this access token acts only as {token.acting_as}, not as {acting_as}",
    )


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
