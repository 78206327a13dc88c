"""The typed HTTP client of the portal API, shared by the CLI, the TUI and bulk.

Public names only; the modules behind them are private (httpx's layout)::

    from monespace_cli.client import PortalClient, NotFound

    with PortalClient("http://127.0.0.1:8470", token=token, acting_as="me") as portal:
        dossier = portal.create_dossier("RENO-PRIME", {"works": {...}})

Importing the package is free: each name loads its module on first use
(PEP 562, as :mod:`eid` does). So a command's ``--help`` can take the
dossier statuses or the export columns from here — their one home — without
loading httpx, which only :class:`PortalClient` and its kin need.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._agent import (
        AgentAPI,
        queue_params,
    )
    from ._agent_models import (
        AGENT_STATUSES,
        BULK_MAX,
        DELIVERY_STATUSES,
        EXPORT_FIELDS,
        OPEN_STATUSES,
        WEBHOOK_EVENT_TYPES,
        AgentDossier,
        AgentService,
        BulkResult,
        BulkResultItem,
        Delivery,
        NewWebhook,
        Note,
        QueueCounts,
        QueueItem,
        Webhook,
    )
    from ._client import (
        API_PREFIX,
        AsyncPortalClient,
        PortalClient,
        api_base,
        is_portal_url,
        new_idempotency_key,
        portal_origin,
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
        raise_for_problem,
    )
    from ._models import (
        DOSSIER_STATUSES,
        FINAL_STATUSES,
        AccessLogEntry,
        Attachment,
        AuditEntry,
        Challenge,
        Context,
        DeviceAuthorization,
        Document,
        Dossier,
        DossierStatus,
        Event,
        FieldError,
        Gap,
        Mandate,
        Me,
        Message,
        Notification,
        Payment,
        Person,
        Procedure,
        Role,
        Seal,
        SealCertificates,
        Session,
        ValidationResult,
    )
    from ._pagination import (
        Page,
        aiterate_pages,
        iterate_pages,
    )
    from ._seal import (
        SealInvalid,
        SealReport,
        canonical_json,
        verify_seal,
    )
    from ._sse import (
        EventStream,
        ServerSentEvent,
        SSEParser,
        parse_lines,
    )

#: public name → the private module that defines it
_EXPORTS: dict[str, str] = {
    "AGENT_STATUSES": "._agent_models",
    "API_PREFIX": "._client",
    "AccessLogEntry": "._models",
    "AgentAPI": "._agent",
    "AgentDossier": "._agent_models",
    "AgentService": "._agent_models",
    "AsyncPortalClient": "._client",
    "Attachment": "._models",
    "AuditEntry": "._models",
    "AuthenticationRequired": "._exceptions",
    "BULK_MAX": "._agent_models",
    "BadRequest": "._exceptions",
    "BulkResult": "._agent_models",
    "BulkResultItem": "._agent_models",
    "Challenge": "._models",
    "DeviceAuthorization": "._models",
    "Conflict": "._exceptions",
    "Context": "._models",
    "DELIVERY_STATUSES": "._agent_models",
    "DOSSIER_STATUSES": "._models",
    "Delivery": "._agent_models",
    "Document": "._models",
    "Dossier": "._models",
    "DossierStatus": "._models",
    "EXPORT_FIELDS": "._agent_models",
    "Event": "._models",
    "EventStream": "._sse",
    "FINAL_STATUSES": "._models",
    "FieldError": "._models",
    "Forbidden": "._exceptions",
    "Gap": "._models",
    "Mandate": "._models",
    "Me": "._models",
    "Message": "._models",
    "NewWebhook": "._agent_models",
    "NotFound": "._exceptions",
    "Note": "._agent_models",
    "Notification": "._models",
    "OPEN_STATUSES": "._agent_models",
    "Page": "._pagination",
    "Payment": "._models",
    "Person": "._models",
    "PortalClient": "._client",
    "PortalError": "._exceptions",
    "PortalUnavailable": "._exceptions",
    "Procedure": "._models",
    "QueueCounts": "._agent_models",
    "QueueItem": "._agent_models",
    "RateLimited": "._exceptions",
    "Role": "._models",
    "SSEParser": "._sse",
    "Seal": "._models",
    "SealCertificates": "._models",
    "SealInvalid": "._seal",
    "SealReport": "._seal",
    "ServerSentEvent": "._sse",
    "Session": "._models",
    "StaleVersion": "._exceptions",
    "ValidationFailed": "._exceptions",
    "ValidationResult": "._models",
    "WEBHOOK_EVENT_TYPES": "._agent_models",
    "Webhook": "._agent_models",
    "aiterate_pages": "._pagination",
    "api_base": "._client",
    "canonical_json": "._seal",
    "iterate_pages": "._pagination",
    "new_idempotency_key": "._client",
    "parse_lines": "._sse",
    "is_portal_url": "._client",
    "portal_origin": "._client",
    "queue_params": "._agent",
    "raise_for_problem": "._exceptions",
    "verify_seal": "._seal",
}

__all__ = [
    "AGENT_STATUSES",
    "API_PREFIX",
    "BULK_MAX",
    "DELIVERY_STATUSES",
    "DOSSIER_STATUSES",
    "EXPORT_FIELDS",
    "FINAL_STATUSES",
    "OPEN_STATUSES",
    "WEBHOOK_EVENT_TYPES",
    "AccessLogEntry",
    "AgentAPI",
    "AgentDossier",
    "AgentService",
    "AsyncPortalClient",
    "Attachment",
    "AuditEntry",
    "AuthenticationRequired",
    "BadRequest",
    "BulkResult",
    "BulkResultItem",
    "Challenge",
    "Conflict",
    "Context",
    "Delivery",
    "DeviceAuthorization",
    "Document",
    "Dossier",
    "DossierStatus",
    "Event",
    "EventStream",
    "FieldError",
    "Forbidden",
    "Gap",
    "Mandate",
    "Me",
    "Message",
    "NewWebhook",
    "NotFound",
    "Note",
    "Notification",
    "Page",
    "Payment",
    "Person",
    "PortalClient",
    "PortalError",
    "PortalUnavailable",
    "Procedure",
    "QueueCounts",
    "QueueItem",
    "RateLimited",
    "Role",
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
    "Webhook",
    "aiterate_pages",
    "api_base",
    "canonical_json",
    "is_portal_url",
    "iterate_pages",
    "new_idempotency_key",
    "parse_lines",
    "portal_origin",
    "queue_params",
    "raise_for_problem",
    "verify_seal",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
