"""Typed shapes of the portal API's JSON objects (docs/api.md).

TypedDicts rather than classes: the CLI prints these objects as they came
(``--output json`` keeps the API's field names), so the client hands back the
decoded JSON itself and the types only tell mypy and readers what is in it.
Optional fields are ``NotRequired``; the portal may add fields, which pass
through untouched.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict, get_args

DossierStatus = Literal[
    "draft",
    "submitted",
    "in_review",
    "awaiting_complement",
    "accepted",
    "refused",
    "closed",
    "withdrawn",
]
#: Every dossier status, in the order of a dossier's life (``--status`` choices).
DOSSIER_STATUSES: tuple[str, ...] = get_args(DossierStatus)

#: Statuses after which a dossier no longer moves on its own.
FINAL_STATUSES: frozenset[str] = frozenset({"accepted", "refused", "closed", "withdrawn"})


class FieldError(TypedDict):
    pointer: str
    message: str


class Address(TypedDict):
    street: str
    number: str
    box: NotRequired[str | None]
    postal_code: str
    municipality: str
    country: str


class Person(TypedDict):
    nrn: str
    given_names: str
    surname: str
    birth_date: str
    sex: str
    nationality: str
    language: str
    address: Address


class Context(TypedDict):
    id: str
    kind: Literal["person", "organisation"]
    name: str
    bce: NotRequired[str]
    via: Literal["self", "legal_rep", "role", "mandate"]
    domains: list[str]


class Me(TypedDict):
    person: Person
    contexts: list[Context]
    session_expires_at: str
    #: "eid" (card and PIN) or "device" (approved on another device).
    session_method: str


class DeviceAuthorization(TypedDict):
    """RFC 8628 §3.2: what ``POST /auth/device`` answers."""

    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_in: int
    interval: int


class Challenge(TypedDict):
    id: str
    nonce: str
    origin: str
    expires_at: str


class Session(TypedDict):
    token: str
    expires_at: str
    person: Person


class Money(TypedDict):
    amount: str
    currency: str


class LocalText(TypedDict, total=False):
    fr: str
    en: str
    de: str


class AttachmentKind(TypedDict):
    kind: str
    title: LocalText
    required: bool
    content_types: list[str]


class ServiceRef(TypedDict):
    code: str
    name: Any


class Procedure(TypedDict):
    code: str
    version: int
    title: LocalText
    summary: LocalText
    audience: list[str]
    domain: str
    service: ServiceRef
    fee: Money | None
    legal_days: int
    attachment_kinds: list[AttachmentKind]
    form: NotRequired[dict[str, Any]]


class PartyRef(TypedDict):
    kind: Literal["person", "organisation"]
    id: str
    name: str


class PersonRef(TypedDict):
    nrn: str
    name: str


class Attachment(TypedDict):
    id: str
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: str


class Dossier(TypedDict):
    id: str
    procedure: str
    procedure_version: int
    title: str
    status: DossierStatus
    applicant: PartyRef
    created_by: PersonRef
    acting_as: str
    data: NotRequired[dict[str, Any]]
    prefilled: NotRequired[dict[str, str]]
    attachments: NotRequired[list[Attachment]]
    version: int
    created_at: str
    updated_at: str
    submitted_at: NotRequired[str | None]
    decided_at: NotRequired[str | None]
    due_at: NotRequired[str | None]
    receipt_document_id: NotRequired[str | None]
    payment_id: NotRequired[str | None]


class ValidationResult(TypedDict):
    valid: bool
    errors: list[FieldError]
    missing_attachments: NotRequired[list[str]]


class Event(TypedDict):
    id: str | int  # the sandbox portal numbers events; send it back as Last-Event-ID text
    dossier_id: str
    type: str
    at: str
    actor: PersonRef
    acting_as: str
    old: NotRequired[Any]
    new: NotRequired[Any]
    detail: NotRequired[Any]


class MessageAuthor(TypedDict):
    nrn: str
    name: str
    role: Literal["applicant", "agent"]


class Message(TypedDict):
    id: str
    dossier_id: str
    author: MessageAuthor
    body: str
    attachments: list[Attachment]
    created_at: str
    complement_request: bool
    due_at: NotRequired[str | None]


class Document(TypedDict):
    id: str
    kind: Literal["receipt", "decision", "other"]
    title: str
    dossier_id: str
    filename: str
    content_type: str
    sha256: str
    created_at: str


class Seal(TypedDict):
    format: str
    document_sha256: str
    document_id: str
    signed_at: str
    algorithm: str
    signature: str
    certificates: list[str]


class SealCertificates(TypedDict):
    certificates: list[str]
    trust_anchor: str


class Payment(TypedDict):
    id: str
    dossier_id: str
    amount: str
    currency: str
    iban: str
    bic: str
    beneficiary: str
    structured_ref: str
    status: Literal["pending", "paid", "expired"]
    created_at: str
    paid_at: NotRequired[str | None]
    epc_qr: str


class AccessLogEntry(TypedDict):
    id: str
    at: str
    accessor: PersonRef
    accessor_organisation: NotRequired[Any]
    data: str
    purpose: str
    dossier_id: NotRequired[str | None]


class Notification(TypedDict):
    id: str
    at: str
    kind: str
    dossier_id: str | None
    title: str
    read: bool


# -- CSAM: access managers, roles, mandates, their audit trail -------------------


class OrganisationRef(TypedDict):
    bce: str
    name: str


class Gap(TypedDict):
    nrn: str
    name: str | None
    valid_from: str | None
    valid_until: str | None
    designated_by: PersonRef | None


class Role(TypedDict):
    id: str
    nrn: str
    name: str | None
    domain: str
    level: str
    valid_from: str | None
    valid_until: str | None
    on_mandates: bool
    beneficiary: str | None
    granted_by: PersonRef | None


class Mandate(TypedDict):
    id: str
    beneficiary: OrganisationRef
    mandataire: OrganisationRef
    domains: list[str]
    valid_from: str | None
    valid_until: str | None
    state: Literal["proposed", "active", "refused", "revoked", "expired"]
    proposed_by: str
    created_at: str | None
    decided_at: str | None
    decided_by: PersonRef | None


class AuditEntry(TypedDict):
    id: str
    at: str
    actor: PersonRef | None
    acting_as: str
    action: str
    target: Any
    old: Any
    new: Any
