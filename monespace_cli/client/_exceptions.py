"""The portal client's exception tree, built from RFC 9457 problem details.

One class per kind of problem a caller reacts to differently, so the CLI can
map each to one sentence and one exit code, and a script can catch exactly
the level it cares about (``except PortalError`` for everything,
``except StaleVersion`` to re-read and retry an edit).

    PortalError                      (.status, .problem, .kind, .detail)
    ├── BadRequest                   400
    ├── AuthenticationRequired       401
    ├── Forbidden                    403 (acting context not allowed)
    ├── NotFound                     404
    ├── Conflict                     409, 428
    │   └── StaleVersion             412
    ├── ValidationFailed(errors)     413, 415, 422
    ├── RateLimited(retry_after)     429
    └── PortalUnavailable            502, 503, 504, connection refused, timeouts

The mapping from an answer (:func:`raise_for_problem`) or a transport failure
(:func:`transport_error`) to these classes lives here, next to them, as in
httpx: both clients and the agent's endpoints call it, and it depends on
nothing but the classes.
"""

from __future__ import annotations

from typing import Any

import httpx

PROBLEM_TYPE_PREFIX = "https://monespace.example/problems/"


class PortalError(Exception):
    """Any problem answered by the portal or met on the way to it.

    ``problem`` is the RFC 9457 object as the server sent it (or one built by
    the client when the server sent none), kept whole so that nothing the
    server said is lost — ``error_id`` of a 500 for instance.
    """

    def __init__(
        self, message: str, *, status: int | None = None, problem: dict[str, Any] | None = None
    ):
        super().__init__(message)
        self.status = status
        self.problem: dict[str, Any] = problem or {}

    @property
    def kind(self) -> str:
        """The problem slug (``not-found``, ``stale-version``…) or ``""``."""
        ptype = str(self.problem.get("type") or "")
        return (
            ptype.removeprefix(PROBLEM_TYPE_PREFIX) if ptype.startswith(PROBLEM_TYPE_PREFIX) else ""
        )

    @property
    def title(self) -> str:
        return str(self.problem.get("title") or "")

    @property
    def detail(self) -> str:
        return str(self.problem.get("detail") or "")

    @property
    def error_id(self) -> str | None:
        """The id a 500 carries, to quote when asking the portal's operators."""
        value = self.problem.get("error_id")
        return str(value) if value else None

    @property
    def errors(self) -> list[dict[str, str]]:
        """Field errors (``pointer``, ``message``) when the problem lists any."""
        return _field_errors(self.problem)


class BadRequest(PortalError):
    """The request was malformed (bad JSON, bad header): a client bug or bad input."""


class AuthenticationRequired(PortalError):
    """No token, an expired or revoked one, or a login the portal refused."""


class Forbidden(PortalError):
    """The person may not act for the chosen context (``X-Acting-As``)."""


class NotFound(PortalError):
    """Unknown, or not visible to the caller (the portal never says which)."""


class Conflict(PortalError):
    """The state does not allow this change, or an idempotency key was reused."""


class StaleVersion(Conflict):
    """Someone changed the dossier since it was read: re-read, then edit again."""


class ValidationFailed(PortalError):
    """The portal rejected the input; ``errors`` lists every field at once."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        problem: dict[str, Any] | None = None,
        errors: list[dict[str, str]] | None = None,
    ):
        super().__init__(message, status=status, problem=problem)
        self._errors = errors if errors is not None else _field_errors(self.problem)

    @property
    def errors(self) -> list[dict[str, str]]:
        return self._errors


class RateLimited(PortalError):
    """Too many requests; ``retry_after`` seconds (or None) before trying again."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = 429,
        problem: dict[str, Any] | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message, status=status, problem=problem)
        self.retry_after = retry_after


class PortalUnavailable(PortalError):
    """The portal cannot be reached or says it is down; trying later may work."""


_BY_STATUS: dict[int, type[PortalError]] = {
    400: BadRequest,
    401: AuthenticationRequired,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: StaleVersion,
    413: ValidationFailed,
    415: ValidationFailed,
    422: ValidationFailed,
    428: Conflict,
    429: RateLimited,
    502: PortalUnavailable,
    503: PortalUnavailable,
    504: PortalUnavailable,
}


def error_class_for(status: int) -> type[PortalError]:
    """The exception class for an HTTP error status (PortalError for the rest)."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status == 408:
        return PortalUnavailable
    return PortalError


def problem_message(problem: dict[str, Any], status: int) -> str:
    """One sentence from a problem: the detail if any, else the title."""
    detail = str(problem.get("detail") or "").strip()
    title = str(problem.get("title") or "").strip()
    if detail:
        return detail
    if title:
        return title
    return f"the portal answered HTTP {status}"


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds form, or None)."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return _retry_after_date(value)
    return max(seconds, 0.0)


def _retry_after_date(value: str) -> float | None:
    """The HTTP-date form of Retry-After, as seconds from now."""
    from datetime import UTC, datetime
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def build_error(
    status: int, problem: dict[str, Any], *, retry_after: str | None = None
) -> PortalError:
    """The typed exception for a status and its problem object."""
    cls = error_class_for(status)
    message = problem_message(problem, status)
    if cls is RateLimited:
        return RateLimited(
            message, status=status, problem=problem, retry_after=parse_retry_after(retry_after)
        )
    return cls(message, status=status, problem=problem)


def _field_errors(problem: dict[str, Any]) -> list[dict[str, str]]:
    raw = problem.get("errors")
    if not isinstance(raw, list):
        return []
    out: list[dict[str, str]] = []
    for item in raw:
        if isinstance(item, dict):
            out.append(
                {"pointer": str(item.get("pointer", "")), "message": str(item.get("message", ""))}
            )
    return out


def raise_for_problem(response: httpx.Response) -> None:
    """Raise the typed exception for an error answer; do nothing on success."""
    if response.is_success:
        return
    raise build_error(
        response.status_code, problem_of(response), retry_after=response.headers.get("Retry-After")
    )


def problem_of(response: httpx.Response) -> dict[str, Any]:
    """The RFC 9457 object, or one made up from the status when the body is not one."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and ("title" in body or "detail" in body or "type" in body):
        return body
    text = response.text.strip()[:200] if response.content else ""
    return {
        "type": "about:blank",
        "title": response.reason_phrase or f"HTTP {response.status_code}",
        "status": response.status_code,
        "detail": text if text and not text.startswith("<") else "",
    }


def transport_error(exc: httpx.HTTPError, url: str) -> PortalUnavailable:
    """The :class:`PortalUnavailable` for a request that got no answer (timeout, refused, cut)."""
    if isinstance(exc, httpx.TimeoutException):
        reason = "the portal did not answer in time"
    elif isinstance(exc, httpx.ConnectError):
        reason = "cannot connect to the portal"
    else:
        reason = "the connection to the portal was lost"
    return PortalUnavailable(
        f"{reason} at {url}",
        status=None,
        problem={
            "type": "about:blank",
            "title": reason,
            "detail": f"{reason} at {url}",
            "instance": url,
        },
    )
