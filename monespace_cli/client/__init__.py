"""The typed HTTP client of the portal API, shared by the CLI, the TUI and bulk.

Public names only; the modules behind them are private (httpx's layout)::

    from monespace_cli.client import PortalClient, NotFound

    with PortalClient("http://127.0.0.1:8470", token=token, acting_as="me") as portal:
        dossier = portal.create_dossier("RENO-PRIME", {"works": {...}})
"""

from ._client import (
    API_PREFIX,
    AsyncPortalClient,
    PortalClient,
    api_base,
    new_idempotency_key,
    portal_origin,
    raise_for_problem,
)
from ._exceptions import (
    AuthenticationRequired,
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PortalError,
    PortalUnavailable,
    RateLimited,
    StaleVersion,
    ValidationFailed,
)
from ._models import (
    FINAL_STATUSES,
    AccessLogEntry,
    Attachment,
    Challenge,
    Context,
    Document,
    Dossier,
    DossierStatus,
    Event,
    FieldError,
    Me,
    Message,
    Notification,
    Payment,
    Person,
    Procedure,
    Seal,
    SealCertificates,
    Session,
    ValidationResult,
)
from ._pagination import Page, aiterate_pages, iterate_pages
from ._seal import SealInvalid, SealReport, canonical_json, verify_seal
from ._sse import EventStream, ServerSentEvent, SSEParser, parse_lines

__all__ = [
    "API_PREFIX",
    "FINAL_STATUSES",
    "AccessLogEntry",
    "AsyncPortalClient",
    "Attachment",
    "AuthenticationRequired",
    "BadRequest",
    "Challenge",
    "Conflict",
    "Context",
    "Document",
    "Dossier",
    "DossierStatus",
    "Event",
    "EventStream",
    "FieldError",
    "Forbidden",
    "Me",
    "Message",
    "NotFound",
    "Notification",
    "Page",
    "Payment",
    "Person",
    "PortalClient",
    "PortalError",
    "PortalUnavailable",
    "Procedure",
    "RateLimited",
    "SSEParser",
    "Seal",
    "SealCertificates",
    "SealInvalid",
    "SealReport",
    "ServerSentEvent",
    "Session",
    "StaleVersion",
    "ValidationFailed",
    "ValidationResult",
    "aiterate_pages",
    "api_base",
    "canonical_json",
    "iterate_pages",
    "new_idempotency_key",
    "parse_lines",
    "portal_origin",
    "raise_for_problem",
    "verify_seal",
]
