"""The OpenAPI document as the portal really answers: every error is a problem.

FastAPI documents its automatic 422 as ``application/json`` with its own
``HTTPValidationError`` shape, and a ``responses={...: {"model": ...}}``
entry under ``application/json`` too; the portal answers every error as
RFC 9457 ``application/problem+json`` (portal/problems.py). Clients and the
schema-conformance fuzz test (tests/portal/test_portal_fuzz.py) read this
document, so it must say what the server does: every 4xx/5xx response is
rewritten to ``application/problem+json`` with the ``ProblemOut`` schema,
and a 422 is declared wherever FastAPI would validate input.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM_TYPE = "application/problem+json"
_REF = "#/components/schemas/ProblemOut"


def _is_error(status: str) -> bool:
    return status[:1] in {"4", "5"}


#: Answers any operation may give, whatever its own code says: malformed
#: request (middleware), a body over the route's limit (middleware, even
#: where no body is expected), server error with its error_id, unavailable.
_ALWAYS = {
    "400": "Bad request",
    "413": "Too large",
    "500": "Internal error",
    "503": "Unavailable",
}


def _possible_errors(operation: dict[str, Any]) -> dict[str, str]:
    """The error statuses the middleware and dependencies add to ``operation``."""
    errors = dict(_ALWAYS)
    parameters = operation.get("parameters", [])
    if operation.get("security"):
        errors["401"] = "Authentication required"
    if any(p.get("in") == "path" for p in parameters):
        errors["404"] = "Not found"
    if any(p.get("in") == "header" and p.get("name") == "X-Acting-As" for p in parameters):
        errors["403"] = "Acting context not allowed"
    return errors


def problem_documented(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with every error response as a problem (changed in place, returned)."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            for status, description in _possible_errors(operation).items():
                responses.setdefault(status, {"description": description})
            for status, response in responses.items():
                if _is_error(str(status)):
                    response["content"] = {PROBLEM_TYPE: {"schema": {"$ref": _REF}}}
    schemas = document.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document


def install(app: FastAPI) -> None:
    """Serve the corrected document at the app's ``openapi_url``."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = problem_documented(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
