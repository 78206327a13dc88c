"""Error answers become the documented typed exceptions (docs/api.md table)."""

from __future__ import annotations

import httpx
import pytest

from monespace_cli.client import (
    AuthenticationRequired,
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PortalClient,
    PortalError,
    PortalUnavailable,
    RateLimited,
    StaleVersion,
    ValidationFailed,
)

PREFIX = "https://monespace.example/problems/"


def problem(status: int, kind: str, detail: str, **extra: object) -> httpx.Response:
    body = {
        "type": PREFIX + kind,
        "title": kind.replace("-", " "),
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    return httpx.Response(status, json=body, headers={"Content-Type": "application/problem+json"})


def client_answering(response: httpx.Response) -> PortalClient:
    return PortalClient(
        "http://portal.test", token="tok", transport=httpx.MockTransport(lambda _r: response)
    )


@pytest.mark.parametrize(
    ("status", "kind", "cls"),
    [
        (400, "bad-request", BadRequest),
        (401, "authentication-required", AuthenticationRequired),
        (401, "authentication-failed", AuthenticationRequired),
        (403, "forbidden", Forbidden),
        (404, "not-found", NotFound),
        (409, "conflict", Conflict),
        (412, "stale-version", StaleVersion),
        (413, "too-large", ValidationFailed),
        (415, "unsupported-media-type", ValidationFailed),
        (422, "validation-failed", ValidationFailed),
        (428, "precondition-required", Conflict),
        (429, "rate-limited", RateLimited),
        (500, "internal-error", PortalError),
        (503, "unavailable", PortalUnavailable),
    ],
)
def test_each_status_maps_to_its_exception(status: int, kind: str, cls: type) -> None:
    with client_answering(problem(status, kind, f"detail {status}")) as portal:
        with pytest.raises(cls) as info:
            portal.get_dossier("MSP-2026-000001")
    err = info.value
    assert type(err) is cls
    assert err.status == status
    assert err.kind == kind
    assert str(err) == f"detail {status}"


def test_stale_version_is_a_conflict() -> None:
    with client_answering(problem(412, "stale-version", "stale")) as portal:
        with pytest.raises(Conflict):
            portal.put_dossier_data("MSP-1", {}, version=3)


def test_validation_errors_are_kept_whole() -> None:
    errors = [
        {"pointer": "/applicant/iban", "message": "not a valid IBAN"},
        {"pointer": "/works/0/amount", "message": "must be > 0"},
    ]
    with client_answering(problem(422, "validation-failed", "2 errors", errors=errors)) as portal:
        with pytest.raises(ValidationFailed) as info:
            portal.submit_dossier("MSP-1")
    assert info.value.errors == errors


def test_rate_limited_reads_retry_after() -> None:
    response = problem(429, "rate-limited", "slow down")
    response.headers["Retry-After"] = "7"
    with client_answering(response) as portal:
        with pytest.raises(RateLimited) as info:
            portal.me()
    assert info.value.retry_after == 7.0


def test_internal_error_keeps_error_id() -> None:
    with client_answering(problem(500, "internal-error", "oops", error_id="e-123")) as portal:
        with pytest.raises(PortalError) as info:
            portal.me()
    assert info.value.error_id == "e-123"


def test_non_problem_error_body_still_gives_a_message() -> None:
    response = httpx.Response(502, text="<html>Bad gateway</html>")
    with client_answering(response) as portal:
        with pytest.raises(PortalUnavailable) as info:
            portal.me()
    assert str(info.value)
    assert "<html>" not in str(info.value)


def test_connection_refused_is_portal_unavailable() -> None:
    with PortalClient("http://127.0.0.1:1", timeout=2) as portal:
        with pytest.raises(PortalUnavailable) as info:
            portal.me()
    assert "cannot connect" in str(info.value)
    assert info.value.status is None


def test_timeout_is_portal_unavailable() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with PortalClient("http://portal.test", transport=httpx.MockTransport(slow)) as portal:
        with pytest.raises(PortalUnavailable, match="in time"):
            portal.me()
