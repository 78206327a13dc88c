"""The portal's database schema (SQLAlchemy 2 declarative models).

One module for the whole schema so that the Alembic migration can be
compared with it in one place (tests/portal/test_migrations.py). Periphery
tables (messages, documents, payments, notifications) are here too, in
clearly marked sections that the periphery owner may extend.

Conventions:

- Natural keys where the domain has them: a person is its NRN, an
  organisation its BCE number, a service and a procedure their code.
- Public opaque ids (``att_…``, ``doc_…``) for things the API hands out, so
  ids reveal neither counts nor order; integer ids where order matters
  (dossier events feed the SSE ``Last-Event-ID``; access log and
  notifications are paged newest first).
- A dossier has an integer primary key; its public id ``MSP-<year>-<000042>``
  is derived from it (:func:`dossier_public_id`), so creating one is a
  single INSERT.
- Times are stored as naive UTC and always returned timezone-aware
  (:class:`UTCDateTime`), identically on SQLite and PostgreSQL.
- Attachment and document bytes live in a separate ``blobs`` table keyed by
  SHA-256: listing a dossier's attachments never loads megabytes of content,
  identical files are stored once, and everything stays in the one database
  (a backup or a PostgreSQL failover carries the files with the rows, with no
  second store to keep consistent).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from portal.search_key import default_search_key

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC (the only kind the portal handles)."""
    return dt.datetime.now(dt.UTC)


def new_id(prefix: str) -> str:
    """An opaque public id such as ``att_Xk3…`` (16 random bytes, base64url)."""
    return f"{prefix}_{secrets.token_urlsafe(16)}"


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes stored as naive UTC, the same on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use utcnow()")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    """Base of every table, with deterministic constraint names for migrations."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# --- authentic sources -------------------------------------------------------


class Person(Base):
    """A person in the sandbox national register ("Registre national")."""

    __tablename__ = "persons"

    nrn: Mapped[str] = mapped_column(String(11), primary_key=True)
    given_names: Mapped[str] = mapped_column(String(200))
    surname: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[dt.date] = mapped_column()
    birth_place: Mapped[str | None] = mapped_column(String(200))
    sex: Mapped[str] = mapped_column(String(1))
    nationality: Mapped[str] = mapped_column(String(2))
    language: Mapped[str] = mapped_column(String(2))
    email: Mapped[str | None] = mapped_column(String(320))
    address: Mapped[dict[str, Any]] = mapped_column(JSON)
    household: Mapped[list[str]] = mapped_column(JSON, default=list)

    @property
    def name(self) -> str:
        """Display name, "Given Surname"."""
        return f"{self.given_names} {self.surname}"


class Organisation(Base):
    """An enterprise or non-profit in the sandbox enterprise register (BCE)."""

    __tablename__ = "organisations"

    bce: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    legal_form: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))
    seat: Mapped[dict[str, Any]] = mapped_column(JSON)
    nace: Mapped[list[str]] = mapped_column(JSON, default=list)
    size_fte: Mapped[int | None] = mapped_column(Integer)
    founded: Mapped[dt.date | None] = mapped_column()
    email: Mapped[str | None] = mapped_column(String(320))

    legal_reps: Mapped[list[LegalRep]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )


class LegalRep(Base):
    """A person registered at the BCE as legal representative of an organisation."""

    __tablename__ = "legal_reps"

    organisation_bce: Mapped[str] = mapped_column(
        ForeignKey("organisations.bce", ondelete="CASCADE"), primary_key=True
    )
    person_nrn: Mapped[str] = mapped_column(ForeignKey("persons.nrn"), primary_key=True, index=True)

    organisation: Mapped[Organisation] = relationship(back_populates="legal_reps")


# --- administrations ---------------------------------------------------------


class Service(Base):
    """An administration's service that handles procedures (e.g. SPW-EER)."""

    __tablename__ = "services"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[dict[str, str]] = mapped_column(JSON)
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str] = mapped_column(String(11))


class Agent(Base):
    """A person working as case handler (or supervisor) in a service."""

    __tablename__ = "agents"

    service_code: Mapped[str] = mapped_column(ForeignKey("services.code"), primary_key=True)
    person_nrn: Mapped[str] = mapped_column(ForeignKey("persons.nrn"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(20))


# --- catalogue ---------------------------------------------------------------


class Procedure(Base):
    """A procedure of the catalogue; its content lives in its versions."""

    __tablename__ = "procedures"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    current_version: Mapped[int] = mapped_column(Integer)
    service_code: Mapped[str] = mapped_column(ForeignKey("services.code"))
    domain: Mapped[str] = mapped_column(String(20))


class ProcedureVersion(Base):
    """One published version of a procedure: the catalogue item and its form.

    ``definition`` holds the item exactly as in the sandbox file (titles,
    audience, fee, attachment kinds, form); a dossier points at the version
    it started on, so a newer form never changes an old dossier.
    """

    __tablename__ = "procedure_versions"

    procedure_code: Mapped[str] = mapped_column(ForeignKey("procedures.code"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- dossiers ----------------------------------------------------------------


class Dossier(Base):
    """One application: a procedure, an applicant, data, and its life cycle."""

    __tablename__ = "dossiers"
    __table_args__ = (
        ForeignKeyConstraint(
            ["procedure_code", "procedure_version"],
            ["procedure_versions.procedure_code", "procedure_versions.version"],
        ),
        # Keyset pagination of "my dossiers", newest change first.
        Index(
            "ix_dossiers_applicant_updated", "applicant_kind", "applicant_id", "updated_at", "id"
        ),
        Index("ix_dossiers_procedure_status", "procedure_code", "status"),
        # The agents' queue: one service's procedures, by status, oldest first,
        # nearest legal due date first or last changed first (one index walk
        # per (procedure, status): portal/backoffice/queue.py). ``assigned_to``
        # rides along so "assigned to X" is filtered inside the index.
        Index(
            "ix_dossiers_queue_age", "procedure_code", "status", "submitted_at", "id", "assigned_to"
        ),
        Index(
            "ix_dossiers_queue_due",
            "procedure_code",
            "status",
            "decision_due_at",
            "id",
            "assigned_to",
        ),
        Index(
            "ix_dossiers_queue_updated",
            "procedure_code",
            "status",
            "updated_at",
            "id",
            "assigned_to",
        ),
        Index("ix_dossiers_assigned", "assigned_to", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    procedure_code: Mapped[str] = mapped_column(String(60))
    procedure_version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(30), default="draft")
    applicant_kind: Mapped[str] = mapped_column(String(20))
    applicant_id: Mapped[str] = mapped_column(String(11))
    applicant_name: Mapped[str] = mapped_column(String(300))
    #: The applicant's name and id and the title, folded (lower case, no
    #: accents): what the queue's ``q`` is looked for in (portal/search_key.py).
    search_key: Mapped[str] = mapped_column(Text, default=default_search_key)
    created_by: Mapped[str] = mapped_column(ForeignKey("persons.nrn"))
    acting_as: Mapped[str] = mapped_column(String(10))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prefilled: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    assigned_to: Mapped[str | None] = mapped_column(ForeignKey("persons.nrn"))
    #: When the administration must have decided: submission + the procedure's
    #: legal time (``legal_days``); set on submit, so the queue can filter and
    #: sort on "overdue" with an index instead of reading every definition.
    decision_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    receipt_document_id: Mapped[str | None] = mapped_column(String(40))
    payment_id: Mapped[str | None] = mapped_column(String(40))

    creator: Mapped[Person] = relationship(foreign_keys=[created_by])

    @property
    def public_id(self) -> str:
        """The id the API shows, e.g. ``MSP-2026-000042``."""
        return dossier_public_id(self.id, self.created_at)


#: At most 12 digits: ids stay far inside a 64-bit integer.
_PUBLIC_ID = re.compile(r"MSP-(\d{4})-(\d{6,12})")


def dossier_public_id(pk: int, created_at: dt.datetime) -> str:
    """``MSP-<year of creation>-<zero-padded number>``."""
    return f"MSP-{created_at.year:04d}-{pk:06d}"


def parse_dossier_id(public_id: str) -> tuple[int, int] | None:
    """``(year, primary key)`` from a public dossier id, or None if malformed."""
    match = _PUBLIC_ID.fullmatch(public_id)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2))


class DossierEvent(Base):
    """One change of a dossier: who, acting as whom, when, old → new.

    The integer id orders events globally; the SSE stream uses it as the
    event id so a client resumes with ``Last-Event-ID``.
    """

    __tablename__ = "dossier_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(30))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_nrn: Mapped[str] = mapped_column(ForeignKey("persons.nrn"))
    acting_as: Mapped[str] = mapped_column(String(10))
    old: Mapped[str | None] = mapped_column(String(60))
    new: Mapped[str | None] = mapped_column(String(60))
    detail: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[Person] = relationship()


class Blob(Base):
    """File content, stored once per SHA-256 (see the module docstring)."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Attachment(Base):
    """A file attached to a dossier (or to a message of its thread)."""

    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("att"))
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(60))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    uploaded_by: Mapped[str] = mapped_column(ForeignKey("persons.nrn"))
    message_id: Mapped[str | None] = mapped_column(ForeignKey("messages.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- messages ----------------------------------------------------------------


class Message(Base):
    """A message of a dossier's thread (applicant ⇄ agent)."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_dossier_created", "dossier_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("msg"))
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    author_nrn: Mapped[str] = mapped_column(ForeignKey("persons.nrn"))
    author_role: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    complement_request: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- documents ---------------------------------------------------------------


class Document(Base):
    """An official document in a person's or organisation's vault, sealed."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_owner_created", "owner_kind", "owner_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("doc"))
    owner_kind: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[str] = mapped_column(String(11))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    seal: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- payments ----------------------------------------------------------------


class Payment(Base):
    """A fee to pay for a dossier, by SEPA transfer with a structured communication."""

    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_payer_created", "payer_kind", "payer_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("pay"))
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    payer_kind: Mapped[str] = mapped_column(String(20))
    payer_id: Mapped[str] = mapped_column(String(11))
    amount: Mapped[Any] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str] = mapped_column(String(11))
    beneficiary: Mapped[str] = mapped_column(String(200))
    structured_ref: Mapped[str] = mapped_column(String(21), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


# --- notifications -----------------------------------------------------------


class Notification(Base):
    """An entry of a person's in-app inbox (and, when configured, an e-mail)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_recipient_id", "recipient_nrn", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recipient_nrn: Mapped[str] = mapped_column(ForeignKey("persons.nrn"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(30))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"))
    title: Mapped[str] = mapped_column(String(300))
    read: Mapped[bool] = mapped_column(Boolean, default=False)


# --- access log ("mes données") -----------------------------------------------


class AccessLogEntry(Base):
    """A read of someone's data by someone else, with its purpose."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_subject_id", "subject_kind", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(String(11))
    accessor_nrn: Mapped[str] = mapped_column(ForeignKey("persons.nrn"))
    accessor_organisation: Mapped[str | None] = mapped_column(String(10))
    data: Mapped[str] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(String(300))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"))
    #: How the accessor's session was opened (``eid`` / ``device``), when known.
    accessor_login: Mapped[str | None] = mapped_column(String(10))


# --- authentication ----------------------------------------------------------


class Challenge(Base):
    """A login challenge: a single-use nonce with a short life."""

    __tablename__ = "challenges"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class AuthSession(Base):
    """A login session; only the SHA-256 of its bearer token is stored."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    person_nrn: Mapped[str] = mapped_column(ForeignKey("persons.nrn"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    certificate_serial: Mapped[str | None] = mapped_column(String(80))
    #: PEM of the authentication certificate then its issuing CA, so the
    #: certificate's revocation can be checked while the session lives.
    certificate_chain: Mapped[str | None] = mapped_column(Text)
    #: How the session was opened: ``eid`` (card and PIN) or ``device``
    #: (approved on another device, RFC 8628). Actions that require a card
    #: (portal.auth.card_required) refuse ``device`` sessions.
    method: Mapped[str] = mapped_column(String(10), default="eid", server_default="eid")

    person: Mapped[Person] = relationship()

    @property
    def login_id(self) -> str:
        """The key live streams count and cache this login by (and its change tag)."""
        return f"session:{self.id}"


class AccessToken(Base):
    """A personal access token for unattended scripts (``mspat_…``), stored as its SHA-256.

    Bound to one acting context (``acting_as``: "me" or a BCE number) and a
    set of scopes; it keeps the certificate chain of the card session it was
    created from, so the card's revocation ends the token too. ``last_used_*``
    is written at most once a minute per token (portal/auth/access_tokens.py).
    """

    __tablename__ = "access_tokens"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    person_nrn: Mapped[str] = mapped_column(ForeignKey("persons.nrn"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    acting_as: Mapped[str] = mapped_column(String(10), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(ForeignKey("persons.nrn"))
    certificate_chain: Mapped[str | None] = mapped_column(Text)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_used_from: Mapped[str | None] = mapped_column(String(64))

    person: Mapped[Person] = relationship(foreign_keys=[person_nrn])

    @property
    def login_id(self) -> str:
        """See :attr:`AuthSession.login_id`."""
        return f"token:{self.id}"

    @property
    def method(self) -> str:
        """How the session it was created from was opened (see :attr:`AuthSession.method`).

        A token keeps the certificate chain of a card session and none from a
        session opened on another device: a token made there cannot do what
        that session could not (``portal.auth.card_required``).
        """
        return "eid" if self.certificate_chain else "device"


class DeviceAuthorization(Base):
    """A pending login on another device (OAuth 2.0 Device Authorization Grant).

    Both codes are stored as SHA-256 only: the device code is a bearer
    secret, and a user code read from the table could be approved by anyone.
    ``status`` goes pending → approved | refused, then ``consumed_at`` marks
    the single exchange for a session token.
    """

    __tablename__ = "device_authorizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    interval: Mapped[int] = mapped_column(Integer)
    last_polled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    person_nrn: Mapped[str | None] = mapped_column(ForeignKey("persons.nrn"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    consumed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class IdempotencyKey(Base):
    """The first answer to a write sent with an ``Idempotency-Key``.

    Scoped by person and operation: the same key from someone else or for
    another endpoint is a different key. ``request_sha256`` detects a reuse
    with another body (409).
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("person_nrn", "scope", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_nrn: Mapped[str] = mapped_column(ForeignKey("persons.nrn"))
    scope: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(200))
    request_sha256: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- CSAM: who may act for an organisation -----------------------------------


class GapDesignation(Base):
    """A main access manager (GAP) designated by a legal representative."""

    __tablename__ = "gap_designations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_bce: Mapped[str] = mapped_column(ForeignKey("organisations.bce"), index=True)
    person_nrn: Mapped[str] = mapped_column(ForeignKey("persons.nrn"), index=True)
    designated_by: Mapped[str | None] = mapped_column(ForeignKey("persons.nrn"))
    valid_from: Mapped[dt.date] = mapped_column()
    valid_until: Mapped[dt.date | None] = mapped_column()


class Role(Base):
    """A role held by a person for an organisation, in one domain (CSAM).

    A direct role lets the person act for ``organisation_bce``. A role with
    ``on_mandates`` is granted by a mandataire's GAP to its staff: it lets
    the person act for the beneficiaries of the mandataire's active mandates
    covering ``domain`` — all of them, or only ``beneficiary_bce``.
    Levels: ``consult`` (read), ``act`` (file procedures), ``manage``.
    """

    __tablename__ = "roles"
    __table_args__ = (Index("ix_roles_person_org", "person_nrn", "organisation_bce"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_nrn: Mapped[str] = mapped_column(ForeignKey("persons.nrn"))
    organisation_bce: Mapped[str] = mapped_column(ForeignKey("organisations.bce"))
    domain: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20), default="act")
    valid_from: Mapped[dt.date] = mapped_column()
    valid_until: Mapped[dt.date | None] = mapped_column()
    granted_by: Mapped[str | None] = mapped_column(ForeignKey("persons.nrn"))
    on_mandates: Mapped[bool] = mapped_column(Boolean, default=False)
    beneficiary_bce: Mapped[str | None] = mapped_column(ForeignKey("organisations.bce"))


class Mandate(Base):
    """A beneficiary organisation entrusting a mandataire organisation with domains."""

    __tablename__ = "mandates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    beneficiary_bce: Mapped[str] = mapped_column(ForeignKey("organisations.bce"), index=True)
    mandataire_bce: Mapped[str] = mapped_column(ForeignKey("organisations.bce"), index=True)
    domains: Mapped[list[str]] = mapped_column(JSON)
    valid_from: Mapped[dt.date] = mapped_column()
    valid_until: Mapped[dt.date | None] = mapped_column()
    state: Mapped[str] = mapped_column(String(20), default="proposed")
    proposed_by: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("persons.nrn"))


class CsamAuditEntry(Base):
    """One change of an organisation's GAPs, roles or mandates: who, as whom, old → new.

    Why a table of its own (not dossier events): CSAM changes concern an
    organisation, not a dossier, and its GAPs must read them newest first;
    old/new hold the whole JSON of the thing so a revoked role stays readable
    after its row is gone. A mandate change is written once for each side.
    """

    __tablename__ = "csam_audit"
    __table_args__ = (Index("ix_csam_audit_org_id", "organisation_bce", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_bce: Mapped[str] = mapped_column(ForeignKey("organisations.bce"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_nrn: Mapped[str] = mapped_column(ForeignKey("persons.nrn"))
    acting_as: Mapped[str] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(30))
    target: Mapped[str] = mapped_column(String(60))
    old: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new: Mapped[dict[str, Any] | None] = mapped_column(JSON)


# --- back office (agents) ----------------------------------------------------


class DossierNote(Base):
    """An agent's private note on a dossier: never shown to the applicant."""

    __tablename__ = "dossier_notes"
    __table_args__ = (Index("ix_dossier_notes_dossier_id", "dossier_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    author_nrn: Mapped[str] = mapped_column(ForeignKey("persons.nrn"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[Person] = relationship()


# --- webhooks ----------------------------------------------------------------


class WebhookEndpoint(Base):
    """A business application's URL that receives a service's dossier events.

    ``secret`` signs the deliveries (HMAC-SHA256, Standard Webhooks layout):
    it must be usable, so it is stored as is, unlike tokens; it is shown to
    the supervisor once, at creation.
    """

    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    service_code: Mapped[str] = mapped_column(ForeignKey("services.code"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(String(300), default="")
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(ForeignKey("persons.nrn"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookDelivery(Base):
    """One event to deliver to one endpoint (the outbox row), and its fate.

    ``status``: ``pending`` (waiting for ``next_attempt_at``), ``delivered``,
    ``dead`` (every retry failed; replayable). Rows live in the database, not
    in a process's memory, so any server process may deliver them.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint_id", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(40), unique=True)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_events.id"))
    event_type: Mapped[str] = mapped_column(String(60))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))


class WebhookAttempt(Base):
    """One HTTP attempt of a delivery: the readable delivery log."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery_id", "delivery_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE")
    )
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


# --- rate limits --------------------------------------------------------------


class RateLimitBucket(Base):
    """A fixed-window counter (e.g. failed logins of one address).

    In the database rather than in a process's memory, so a limit holds when
    the portal runs as several processes behind a load balancer.
    """

    __tablename__ = "rate_limit_buckets"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(Integer, default=0)


# The queue's trigram search index lives outside the models (an FTS5 table is
# not a table create_all could make); importing it here teaches Alembic's
# model comparison to leave it alone (portal/search_index.py).
import portal.search_index  # noqa: E402, F401
