"""What each operation of the API asks of a personal access token: the one table.

Every operation of the OpenAPI document has a line in :data:`OPERATIONS`
(tests/portal/test_portal_token_scopes.py walks the document and fails on an
operation without one), so a new endpoint cannot be reachable by tokens by
accident: an operation missing here is refused to tokens (deny by default).

A line says one of:

- a scope (``dossiers:read`` …): the token must carry it, else 403 naming it;
- :data:`ANY_TOKEN`: any valid token (who am I, end this token);
- :data:`SESSION_ONLY`: card (or device) login sessions only — managing
  tokens cannot be done with a token;
- :data:`PUBLIC`: no login at all (the token is not even read).
"""

from __future__ import annotations

import re
from typing import Final

from fastapi import Request

from portal.models import AccessToken
from portal.problems import Problem

DOSSIERS_READ, DOSSIERS_WRITE = "dossiers:read", "dossiers:write"
ROLES_READ, ROLES_WRITE = "roles:read", "roles:write"
MANDATES_WRITE = "mandates:write"
AGENT_READ, AGENT_WRITE = "agent:read", "agent:write"

#: Every scope a token may carry, in the order help and docs list them.
SCOPES: Final = (
    DOSSIERS_READ,
    DOSSIERS_WRITE,
    ROLES_READ,
    ROLES_WRITE,
    MANDATES_WRITE,
    AGENT_READ,
    AGENT_WRITE,
)
PUBLIC, ANY_TOKEN, SESSION_ONLY = "(public)", "(any token)", "(session only)"

_V1 = "/api/v1"

#: (method, path template) → what a token needs for it.
OPERATIONS: Final[dict[tuple[str, str], str]] = {
    ("GET", "/healthz"): PUBLIC,
    ("POST", f"{_V1}/auth/challenges"): PUBLIC,
    ("POST", f"{_V1}/auth/sessions"): PUBLIC,
    ("POST", f"{_V1}/auth/device"): PUBLIC,
    ("POST", f"{_V1}/auth/device/token"): PUBLIC,
    ("DELETE", f"{_V1}/auth/sessions/current"): ANY_TOKEN,
    ("POST", f"{_V1}/auth/tokens"): SESSION_ONLY,
    ("GET", f"{_V1}/auth/tokens"): SESSION_ONLY,
    ("DELETE", f"{_V1}/auth/tokens/{{token_id}}"): SESSION_ONLY,
    ("GET", f"{_V1}/me"): ANY_TOKEN,
    ("GET", f"{_V1}/procedures"): PUBLIC,
    ("GET", f"{_V1}/procedures/{{code}}"): PUBLIC,
    ("POST", f"{_V1}/sandbox/cards"): PUBLIC,
    ("POST", f"{_V1}/sandbox/ocsp"): PUBLIC,
    ("GET", f"{_V1}/seal/certificates"): PUBLIC,
    # the applicant's dossiers and what hangs from them
    ("POST", f"{_V1}/dossiers"): DOSSIERS_WRITE,
    ("GET", f"{_V1}/dossiers"): DOSSIERS_READ,
    ("GET", f"{_V1}/dossiers/{{dossier_id}}"): DOSSIERS_READ,
    ("PUT", f"{_V1}/dossiers/{{dossier_id}}/data"): DOSSIERS_WRITE,
    ("POST", f"{_V1}/dossiers/{{dossier_id}}/validate"): DOSSIERS_WRITE,
    ("POST", f"{_V1}/dossiers/{{dossier_id}}/submit"): DOSSIERS_WRITE,
    ("POST", f"{_V1}/dossiers/{{dossier_id}}/withdraw"): DOSSIERS_WRITE,
    ("GET", f"{_V1}/dossiers/{{dossier_id}}/events"): DOSSIERS_READ,
    ("POST", f"{_V1}/dossiers/{{dossier_id}}/attachments"): DOSSIERS_WRITE,
    ("GET", f"{_V1}/attachments/{{attachment_id}}/content"): DOSSIERS_READ,
    ("GET", f"{_V1}/dossiers/{{dossier_id}}/messages"): DOSSIERS_READ,
    ("POST", f"{_V1}/dossiers/{{dossier_id}}/messages"): DOSSIERS_WRITE,
    ("GET", f"{_V1}/documents"): DOSSIERS_READ,
    ("GET", f"{_V1}/documents/{{document_id}}"): DOSSIERS_READ,
    ("GET", f"{_V1}/documents/{{document_id}}/content"): DOSSIERS_READ,
    ("GET", f"{_V1}/documents/{{document_id}}/seal"): DOSSIERS_READ,
    ("GET", f"{_V1}/payments"): DOSSIERS_READ,
    ("GET", f"{_V1}/payments/{{payment_id}}"): DOSSIERS_READ,
    ("POST", f"{_V1}/sandbox/payments/{{payment_id}}/pay"): DOSSIERS_WRITE,
    ("GET", f"{_V1}/mydata"): DOSSIERS_READ,
    ("GET", f"{_V1}/mydata/access-log"): DOSSIERS_READ,
    ("GET", f"{_V1}/notifications"): DOSSIERS_READ,
    ("POST", f"{_V1}/notifications/{{notification_id}}/read"): DOSSIERS_WRITE,
    ("GET", f"{_V1}/events"): DOSSIERS_READ,
    # CSAM: an organisation's GAPs, roles, trail, tokens; mandates
    ("GET", f"{_V1}/organisations/{{bce}}"): ROLES_READ,
    ("GET", f"{_V1}/organisations/{{bce}}/gaps"): ROLES_READ,
    ("POST", f"{_V1}/organisations/{{bce}}/gaps"): ROLES_WRITE,
    ("DELETE", f"{_V1}/organisations/{{bce}}/gaps/{{nrn}}"): ROLES_WRITE,
    ("GET", f"{_V1}/organisations/{{bce}}/roles"): ROLES_READ,
    ("POST", f"{_V1}/organisations/{{bce}}/roles"): ROLES_WRITE,
    ("PATCH", f"{_V1}/organisations/{{bce}}/roles/{{role_id}}"): ROLES_WRITE,
    ("DELETE", f"{_V1}/organisations/{{bce}}/roles/{{role_id}}"): ROLES_WRITE,
    ("POST", f"{_V1}/organisations/{{bce}}/roles:apply"): ROLES_WRITE,
    ("GET", f"{_V1}/organisations/{{bce}}/audit"): ROLES_READ,
    ("GET", f"{_V1}/organisations/{{bce}}/tokens"): SESSION_ONLY,
    ("DELETE", f"{_V1}/organisations/{{bce}}/tokens/{{token_id}}"): SESSION_ONLY,
    ("GET", f"{_V1}/mandates"): ROLES_READ,
    ("POST", f"{_V1}/mandates"): MANDATES_WRITE,
    ("GET", f"{_V1}/mandates/{{mandate_id}}"): ROLES_READ,
    ("POST", f"{_V1}/mandates/{{mandate_id}}/accept"): MANDATES_WRITE,
    ("POST", f"{_V1}/mandates/{{mandate_id}}/refuse"): MANDATES_WRITE,
    ("POST", f"{_V1}/mandates/{{mandate_id}}/revoke"): MANDATES_WRITE,
    # back office
    ("GET", f"{_V1}/agent/services"): AGENT_READ,
    ("GET", f"{_V1}/agent/queue"): AGENT_READ,
    ("GET", f"{_V1}/agent/queue/counts"): AGENT_READ,
    ("GET", f"{_V1}/agent/events"): AGENT_READ,
    ("GET", f"{_V1}/agent/dossiers/{{dossier_id}}"): AGENT_READ,
    ("GET", f"{_V1}/agent/dossiers/{{dossier_id}}/messages"): AGENT_READ,
    ("GET", f"{_V1}/agent/attachments/{{attachment_id}}/content"): AGENT_READ,
    ("POST", f"{_V1}/agent/dossiers/{{dossier_id}}/attachments"): AGENT_WRITE,
    ("POST", f"{_V1}/agent/dossiers/{{dossier_id}}/claim"): AGENT_WRITE,
    ("POST", f"{_V1}/agent/dossiers/{{dossier_id}}/release"): AGENT_WRITE,
    ("POST", f"{_V1}/agent/dossiers/{{dossier_id}}/assign"): AGENT_WRITE,
    ("POST", f"{_V1}/agent/dossiers/{{dossier_id}}/complement"): AGENT_WRITE,
    ("POST", f"{_V1}/agent/dossiers/{{dossier_id}}/notes"): AGENT_WRITE,
    ("GET", f"{_V1}/agent/dossiers/{{dossier_id}}/notes"): AGENT_READ,
    ("POST", f"{_V1}/agent/dossiers/{{dossier_id}}/decision"): AGENT_WRITE,
    ("GET", f"{_V1}/agent/dossiers/{{dossier_id}}/history"): AGENT_READ,
    ("POST", f"{_V1}/agent/bulk"): AGENT_WRITE,
    ("GET", f"{_V1}/agent/export"): AGENT_READ,
    ("POST", f"{_V1}/agent/webhooks"): AGENT_WRITE,
    ("GET", f"{_V1}/agent/webhooks"): AGENT_READ,
    ("DELETE", f"{_V1}/agent/webhooks/{{endpoint_id}}"): AGENT_WRITE,
    ("GET", f"{_V1}/agent/webhooks/{{endpoint_id}}/deliveries"): AGENT_READ,
    ("POST", f"{_V1}/agent/webhooks/deliveries/{{delivery_id}}/replay"): AGENT_WRITE,
}


def _pattern(template: str) -> re.Pattern[str]:
    """``/dossiers/{dossier_id}`` → a regex matching its concrete paths."""
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))


#: The table's templates, compiled: the operation of a request is found from
#: its method and path, as the router found it (no reliance on router internals).
_PATTERNS: Final = [(method, path, _pattern(path)) for method, path in OPERATIONS]


def operation_of(request: Request) -> tuple[str, str] | None:
    """``(method, path template)`` of the operation ``request`` calls, if known."""
    method, path = request.method.upper(), request.scope.get("path", request.url.path)
    for candidate, template, pattern in _PATTERNS:
        if candidate == method and pattern.fullmatch(path):
            return method, template
    return None


def require(request: Request, token: AccessToken) -> None:
    """403 unless ``token`` may be used for the operation of ``request``.

    Also keeps an organisation-bound token to its organisation where the
    path names one (``/organisations/{bce}/…``).
    """
    operation = operation_of(request)
    needed = OPERATIONS.get(operation) if operation is not None else None
    if needed is None:
        raise Problem("forbidden", "this operation cannot be done with an access token")
    if needed == SESSION_ONLY:
        raise Problem(
            "forbidden",
            "this operation needs a card login session (monespace auth login), not an access token",
        )
    if needed not in (ANY_TOKEN, PUBLIC) and needed not in token.scopes:
        raise Problem(
            "forbidden",
            f"this access token lacks the scope {needed} needed for this operation",
            extra={"missing_scope": needed},
        )
    bce = request.path_params.get("bce")
    if bce is not None and bce != token.acting_as:
        raise Problem(
            "forbidden",
            f"this access token acts only as {token.acting_as}, not as {bce}",
        )
