"""Response shapes of the core endpoints, for the OpenAPI document.

Why documentation-only models: routers build their JSON with the shared
serialisers (``portal.domain.serialize``); these models describe that JSON in
``/api/v1/openapi.json`` so clients and schemathesis see the contract of
docs/api.md, without a second conversion layer on every answer.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class ProblemOut(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, str]] | None = None
    error_id: str | None = None


class AddressOut(BaseModel):
    street: str
    number: str
    box: str | None = None
    postal_code: str
    municipality: str
    country: str


class PersonOut(BaseModel):
    nrn: str
    given_names: str
    surname: str
    birth_date: str
    sex: Literal["M", "F"]
    nationality: str
    language: str
    address: AddressOut


class ChallengeOut(BaseModel):
    id: str
    nonce: str = Field(description="base64url, 32 random bytes")
    origin: str
    expires_at: str


class SessionOut(BaseModel):
    token: str
    expires_at: str
    person: PersonOut


class ContextOut(BaseModel):
    id: str = Field(description='"me" or a BCE number')
    kind: Literal["person", "organisation"]
    name: str
    bce: str | None = None
    via: Literal["self", "legal_rep", "role", "mandate"]
    domains: list[str]


class MeOut(BaseModel):
    person: PersonOut
    contexts: list[ContextOut]
    session_expires_at: str
    session_method: Literal["eid", "device"] = Field(
        description='how the session was opened: "eid" (card and PIN) or "device" (another device)'
    )


class DeviceAuthorizationOut(BaseModel):
    """RFC 8628 §3.2 device authorization response."""

    device_code: str
    user_code: str = Field(description='"WDJB-MJHT": eight letters, case and dash ignored')
    verification_uri: str
    verification_uri_complete: str
    expires_in: int
    interval: int


class DeviceSessionOut(SessionOut):
    """The session, with RFC 6749 §5.1 names alongside the portal's."""

    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    method: Literal["device"]


class MoneyOut(BaseModel):
    amount: str
    currency: str


class ServiceRefOut(BaseModel):
    code: str
    name: dict[str, str]


class AttachmentKindOut(BaseModel):
    kind: str
    title: dict[str, str]
    required: bool
    content_types: list[str]


class ProcedureOut(BaseModel):
    code: str
    version: int
    title: dict[str, str]
    summary: dict[str, str]
    audience: list[str]
    domain: str
    service: ServiceRefOut
    fee: MoneyOut | None
    legal_days: int | None
    attachment_kinds: list[AttachmentKindOut]
    form: dict[str, Any] | None = Field(None, description="JSON Schema 2020-12 (detail only)")


class ProcedurePage(BaseModel):
    items: list[ProcedureOut]
    next_cursor: str | None


class ApplicantOut(BaseModel):
    kind: Literal["person", "organisation"]
    id: str
    name: str


class ActorOut(BaseModel):
    nrn: str
    name: str


class AttachmentOut(BaseModel):
    id: str
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: str


class DossierOut(BaseModel):
    id: str = Field(description="MSP-YYYY-NNNNNN")
    procedure: str
    procedure_version: int
    title: str
    status: Literal[
        "draft",
        "submitted",
        "in_review",
        "awaiting_complement",
        "accepted",
        "refused",
        "closed",
        "withdrawn",
    ]
    applicant: ApplicantOut
    created_by: ActorOut
    acting_as: str
    data: dict[str, Any] | None = Field(None, description="absent in lists")
    prefilled: dict[str, str]
    attachments: list[AttachmentOut]
    version: int
    created_at: str
    updated_at: str
    submitted_at: str | None = None
    decided_at: str | None = None
    due_at: str | None = None
    receipt_document_id: str | None = None
    payment_id: str | None = None


class DossierPage(BaseModel):
    items: list[DossierOut]
    next_cursor: str | None


class ValidationReport(BaseModel):
    valid: bool
    errors: list[dict[str, str]]
    missing_attachments: list[str]


class EventOut(BaseModel):
    id: int
    dossier_id: str
    type: str
    at: str
    actor: ActorOut
    acting_as: str
    old: str | None = None
    new: str | None = None
    detail: str | None = None


class EventList(BaseModel):
    items: list[EventOut]


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries documenting problem answers."""
    return {
        status: {"model": ProblemOut, "content": {"application/problem+json": {}}}
        for status in statuses
    }
