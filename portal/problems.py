"""RFC 9457 problem details: the one shape of every error the portal returns.

Why one module: the client maps each ``type`` slug to an exception
(docs/api.md), so the slugs, titles and statuses must come from a single
table. Endpoints raise :class:`Problem` (or use the helpers); the handlers
installed by :func:`install_handlers` turn it, FastAPI's own errors and any
unexpected exception into ``application/problem+json``. An unexpected
exception becomes a 500 with an ``error_id`` that is also in the server log —
never a traceback or SQL text in the answer.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from portal.messages import negotiate, person_default, translate

log = logging.getLogger("portal.errors")

TYPE_BASE = "https://monespace.example/problems/"
MEDIA_TYPE = "application/problem+json"

#: kind → (status, title)
KINDS: dict[str, tuple[int, str]] = {
    "bad-request": (400, "Bad request"),
    "authentication-required": (401, "Authentication required"),
    "authentication-failed": (401, "Authentication failed"),
    "forbidden": (403, "Forbidden"),
    "not-found": (404, "Not found"),
    "method-not-allowed": (405, "Method not allowed"),
    "request-timeout": (408, "Request timeout"),
    "conflict": (409, "Conflict"),
    "stale-version": (412, "Stale version"),
    "too-large": (413, "Too large"),
    "unsupported-media-type": (415, "Unsupported media type"),
    "validation-failed": (422, "Validation failed"),
    "precondition-required": (428, "Precondition required"),
    "rate-limited": (429, "Too many requests"),
    "internal-error": (500, "Internal error"),
    "unavailable": (503, "Service unavailable"),
}
_KIND_OF_STATUS = {status: kind for kind, (status, _title) in KINDS.items()}


class FieldError(dict[str, str]):
    """``{"pointer": "/a/b", "message": "..."}`` — one entry of ``errors``."""

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(pointer=pointer, message=message)


class Problem(Exception):
    """An error answer; raise it anywhere in a request."""

    def __init__(
        self,
        kind: str,
        detail: str,
        *,
        errors: Sequence[Mapping[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown problem kind {kind!r}")
        super().__init__(detail)
        self.kind = kind
        self.status, self.title = KINDS[kind]
        self.detail = detail
        self.errors = [dict(e) for e in errors] if errors is not None else None
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def body(self, instance: str | None = None, *, lang: str = "en") -> dict[str, Any]:
        """The JSON body of the answer; title, detail and field messages in ``lang``.

        ``type`` and the pointers stay as they are: programs key on them.
        """
        body: dict[str, Any] = {
            "type": TYPE_BASE + self.kind,
            "title": translate(self.title, lang),
            "status": self.status,
            "detail": translate(self.detail, lang),
        }
        if instance:
            body["instance"] = instance
        if self.errors is not None:
            body["errors"] = [
                {**e, "message": translate(e["message"], lang)} if "message" in e else e
                for e in self.errors
            ]
        body.update(self.extra)
        return body

    def response(
        self, instance: str | None = None, *, accept_language: str | None = None
    ) -> JSONResponse:
        """The problem as an HTTP response, in the best language of ``accept_language``."""
        lang = negotiate(accept_language)
        headers = {**self.headers, "Content-Language": lang, "Vary": "Accept-Language"}
        return JSONResponse(
            self.body(instance, lang=lang),
            status_code=self.status,
            headers=headers,
            media_type=MEDIA_TYPE,
        )


def not_found(what: str) -> Problem:
    """404 for a thing that does not exist *or that the caller may not see*."""
    return Problem("not-found", f"{what} not found")


def conflict(detail: str) -> Problem:
    """409, e.g. a state transition that is not allowed."""
    return Problem("conflict", detail)


#: Seconds a client refused by a saturated process is told to wait.
RETRY_AFTER_BUSY = "1"


def busy(detail: str) -> Problem:
    """503 of a saturated process (portal/http/overload.py; a database turn not had in time)."""
    return Problem("unavailable", detail, headers={"Retry-After": RETRY_AFTER_BUSY})


def validation_failed(detail: str, errors: Iterable[Mapping[str, str]]) -> Problem:
    """422 with every field error."""
    return Problem("validation-failed", detail, errors=list(errors))


def pointer_of(location: Sequence[Any]) -> str:
    """A JSON pointer (RFC 6901) from a path of keys and indexes."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in location]
    return "/" + "/".join(parts) if parts else ""


def _request_validation_errors(exc: RequestValidationError) -> tuple[str, list[FieldError]]:
    errors: list[FieldError] = []
    malformed = False
    for err in exc.errors():
        loc = list(err.get("loc", ()))
        where = loc[0] if loc else "body"
        if err.get("type") == "json_invalid":
            malformed = True
        path = loc[1:] if where == "body" else loc
        message = str(err.get("msg", "invalid value"))
        if where in ("query", "header", "path"):
            message = f"{where} parameter: {message}"
        errors.append(FieldError(pointer_of(path), message))
    if malformed:
        return "bad-request", errors
    return "validation-failed", errors


def request_language(request: Request) -> str:
    """The language to answer ``request`` in (``en``, ``fr`` or ``de``).

    The same negotiation as problem details, for the few answers that carry
    sentences without being problems (a dossier's validation report).
    """
    return negotiate(_wanted(request))


def _wanted(request: Request) -> str | None:
    """The caller's ``Accept-Language`` (the client sends its CLI's language).

    Without one, an authenticated caller may have a default from their
    registered language (set on the request by portal.auth.deps).
    """
    header = request.headers.get("accept-language")
    if header:
        return header
    return person_default(getattr(request.state, "person_language", None))


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return exc.response(request.url.path, accept_language=_wanted(request))


async def _on_request_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    kind, errors = _request_validation_errors(exc)
    if kind == "bad-request":
        detail = "the request body is not valid JSON"
        return Problem(kind, detail, errors=errors).response(
            request.url.path, accept_language=_wanted(request)
        )
    count = len(errors)
    detail = f"the request has {count} invalid field{'s' if count != 1 else ''}"
    return validation_failed(detail, errors).response(
        request.url.path, accept_language=_wanted(request)
    )


async def _on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    kind = _KIND_OF_STATUS.get(exc.status_code)
    if kind is None:
        kind = "bad-request" if exc.status_code < 500 else "internal-error"
    detail = exc.detail if isinstance(exc.detail, str) else KINDS[kind][1]
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no such path: {request.url.path}"
    problem = Problem(kind, detail, headers=exc.headers)
    problem.status = exc.status_code
    return problem.response(request.url.path, accept_language=_wanted(request))


async def _on_data_error(request: Request, exc: Exception) -> Response:
    """A NUL character in body text is the client's error, not the portal's.

    PostgreSQL cannot store or compare text with NUL (psycopg refuses it
    before sending); SQLite can. Any other refused value stays a 500.
    """
    if "NUL" in str(getattr(exc, "orig", "")):
        problem = Problem("validation-failed", "text must not contain the NUL character")
        return problem.response(request.url.path, accept_language=_wanted(request))
    return await _on_unexpected(request, exc)


#: Headers every answer carries unless its route set its own (why: see
#: portal.http.middleware.SecurityHeaders, which adds them). A 500 is made by Starlette's
#: outermost error layer, outside that middleware, so :func:`_on_unexpected`
#: adds them itself.
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("cache-control", "no-store"),
    ("strict-transport-security", "max-age=63072000; includeSubDomains"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("content-security-policy", "default-src 'none'; frame-ancestors 'none'"),
)


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    error_id = secrets.token_hex(8)
    log.error(
        "unexpected error %s on %s %s",
        error_id,
        request.method,
        request.url.path,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    problem = Problem(
        "internal-error",
        f"the portal failed to handle this request; quote error id {error_id} to support",
        extra={"error_id": error_id},
    )
    response = problem.response(request.url.path, accept_language=_wanted(request))
    for name, value in SECURITY_HEADERS:
        response.headers.setdefault(name, value)
    return response


def install_handlers(app: FastAPI) -> None:
    """Make every error of ``app`` a problem-details answer."""
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_request_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(DataError, _on_data_error)
    app.add_exception_handler(Exception, _on_unexpected)
