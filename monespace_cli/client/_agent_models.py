"""Typed shapes of the back-office and webhook JSON objects (docs/api.md).

Same rule as :mod:`._models`: TypedDicts over the decoded JSON, so ``-o json``
shows exactly what the portal sent and unknown fields pass through.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict, get_args

from ._models import DOSSIER_STATUSES, Dossier, LocalText, PartyRef, PersonRef

AgentRole = Literal["agent", "supervisor"]
BulkAction = Literal["claim", "release", "assign", "decide"]
BulkOutcome = Literal["changed", "skipped", "failed"]
DeliveryStatus = Literal["pending", "delivered", "dead"]
#: Every state of a webhook delivery (``--status`` choices).
DELIVERY_STATUSES: tuple[str, ...] = get_args(DeliveryStatus)

#: The statuses ``agent queue`` shows when no ``--status`` is given.
OPEN_STATUSES: tuple[str, ...] = ("submitted", "in_review", "awaiting_complement")
#: Every status an agent can see (drafts never reach the back office).
AGENT_STATUSES: tuple[str, ...] = tuple(s for s in DOSSIER_STATUSES if s != "draft")
#: The most dossiers one ``POST /agent/bulk`` may name; the client splits above it.
BULK_MAX = 5000
#: Columns of ``GET /agent/export`` in their default order.
EXPORT_FIELDS: tuple[str, ...] = (
    "id",
    "procedure",
    "service",
    "title",
    "status",
    "applicant_kind",
    "applicant_id",
    "applicant_name",
    "submitted_at",
    "decision_due_at",
    "overdue",
    "assigned_to",
    "assigned_name",
    "updated_at",
)
#: Event types a webhook may subscribe to (``*`` = all of them).
WEBHOOK_EVENT_TYPES: tuple[str, ...] = (
    "dossier.created",
    "dossier.submitted",
    "dossier.status_changed",
    "dossier.message",
    "dossier.attachment_added",
    "dossier.document",
    "dossier.payment",
    "dossier.assigned",
    "dossier.decided",
)


class ServiceAgent(TypedDict):
    nrn: str
    name: str
    role: AgentRole


class AgentService(TypedDict):
    code: str
    name: LocalText
    role: AgentRole
    agents: list[ServiceAgent]
    procedures: list[str]


class QueueItem(TypedDict):
    id: str
    procedure: str
    procedure_title: Any
    service: str
    title: str
    status: str
    applicant: PartyRef
    submitted_at: str | None
    decision_due_at: str | None
    due_at: NotRequired[str | None]
    overdue: bool
    age_days: int
    assigned_to: PersonRef | None
    updated_at: str
    version: int


class QueueCounts(TypedDict):
    counts: dict[str, int]
    total: int


class Note(TypedDict):
    id: str
    author: PersonRef
    body: str
    created_at: str


class AgentDossier(Dossier):
    service: Any
    assigned_to: PersonRef | None
    decision_due_at: str | None
    overdue: bool
    notes: list[Note]
    decision_document_id: NotRequired[str | None]


class BulkItem(TypedDict):
    id: str
    version: int


class BulkResultItem(TypedDict):
    id: str
    version: int | None
    outcome: BulkOutcome
    old_status: str | None
    new_status: str | None
    reason: NotRequired[str | None]


class BulkSummary(TypedDict):
    changed: int
    skipped: int
    failed: int


class BulkResult(TypedDict):
    dry_run: bool
    results: list[BulkResultItem]
    summary: BulkSummary


class Webhook(TypedDict):
    id: str
    service: str
    url: str
    event_types: list[str]
    description: str | None
    active: bool
    created_at: str


class NewWebhook(Webhook):
    secret: str


class DeliveryAttempt(TypedDict):
    at: str
    status_code: int | None
    error: str | None
    duration_ms: int | None


class Delivery(TypedDict):
    id: str
    message_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    created_at: str
    next_attempt_at: str | None
    delivered_at: str | None
    last_status_code: int | None
    last_error: str | None
    attempt_log: list[DeliveryAttempt]


__all__ = [
    "AGENT_STATUSES",
    "BULK_MAX",
    "EXPORT_FIELDS",
    "OPEN_STATUSES",
    "WEBHOOK_EVENT_TYPES",
    "AgentDossier",
    "AgentRole",
    "AgentService",
    "BulkAction",
    "BulkItem",
    "BulkOutcome",
    "BulkResult",
    "BulkResultItem",
    "BulkSummary",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryStatus",
    "NewWebhook",
    "Note",
    "QueueCounts",
    "QueueItem",
    "ServiceAgent",
    "Webhook",
]
